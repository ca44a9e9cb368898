/**
 * Training memory: measured probes (peak RSS per phase through /proc, CUDA, tegrastats) and the
 * analytic profiler.
 */
package org.da3.workbench.memory;
