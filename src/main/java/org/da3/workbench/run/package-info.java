/**
 * Running experiments: the worker request, targets (this machine, or a remote device over SSH in
 * {@code run.ssh}), the monitor that reads a worker's event stream into the run directory, the run
 * queue that spreads many runs over targets, and the experiment runner that writes each run's
 * results. Knows nothing of JavaFX or DJL; the protocol is documented in docs/protocol.md.
 */
package org.da3.workbench.run;
