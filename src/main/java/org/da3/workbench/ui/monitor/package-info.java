/**
 * The Monitor view: the queue of runs with status and progress, live charts of the selected runs
 * (accuracy, loss, memory, gate sparsity) and a log of warnings and errors. Runs execute in worker
 * JVMs through a {@link org.da3.workbench.ui.monitor.RunLauncher}; their events reach the view
 * model through a buffer drained a few times per second on the UI thread.
 */
package org.da3.workbench.ui.monitor;
