/**
 * Background work for the GUI: a small task-executor abstraction ({@link
 * org.da3.workbench.ui.task.TaskExecutor}) with a JavaFX implementation and a synchronous one for
 * tests, and a thread-safe buffer that coalesces events from worker threads into throttled
 * updates on the UI thread.
 */
package org.da3.workbench.ui.task;
