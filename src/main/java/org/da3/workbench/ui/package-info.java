/**
 * The JavaFX workbench: {@link org.da3.workbench.ui.WorkbenchApp} and its composition root
 * {@link org.da3.workbench.ui.Workbench}, the main window ({@link org.da3.workbench.ui.MainView}
 * with {@link org.da3.workbench.ui.MainViewModel}), shared view helpers and the remembered window
 * state. One sub-package per view (setup, monitor, results), each with its view, view model and
 * FXML side by side.
 *
 * <p>The GUI never trains: runs go to worker JVMs through the run package, and this package knows
 * nothing of DJL.
 */
package org.da3.workbench.ui;
