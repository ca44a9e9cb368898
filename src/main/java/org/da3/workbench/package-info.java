/**
 * The DA3 Workbench: memory-efficient on-device multi-domain learning. Packages by capability:
 * spec, data, nn, method, train, memory, run, report, ui, cli.
 */
package org.da3.workbench;
