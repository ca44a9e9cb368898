/**
 * Experiment specs: immutable records read from YAML and validated once at the edge, plus the
 * catalog of method names and their options. Knows nothing of DJL or JavaFX, so the CLI, the GUI
 * and the worker share one definition of what a valid experiment is.
 */
package org.da3.workbench.spec;
