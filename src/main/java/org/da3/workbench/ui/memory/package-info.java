/**
 * The Memory view: the analytic profiler's breakdown of the chosen methods' training memory
 * (gradients, optimizer state, what the forward keeps for the backward, workspace), per method
 * and per block, for the spec in the Setup view.
 */
package org.da3.workbench.ui.memory;
