/**
 * Results: runs read back from their events, results.csv, and the tables and figures exported
 * for papers. Knows nothing of JavaFX or DJL; the CLI ({@code da3 export}) and the GUI's results
 * view share this API:
 *
 * <ul>
 *   <li>{@link org.da3.workbench.report.ResultsStore}: runs loaded from run and experiment
 *       directories, as tablesaw tables (one row per run and domain; one per run) and entries
 *       (completed runs of a method aggregated over seeds; runs that stopped part-way on their
 *       own);
 *   <li>{@link org.da3.workbench.report.TableKind} builds a
 *       {@link org.da3.workbench.report.ComparisonTable} (accuracy, cost) with
 *       {@link org.da3.workbench.report.TableOptions}; a
 *       {@link org.da3.workbench.report.TableExporter} draws it as LaTeX, CSV or Markdown;
 *   <li>{@link org.da3.workbench.report.FigureKind} builds a JFreeChart chart (pareto, memory,
 *       accuracy, gates); {@link org.da3.workbench.report.ChartFiles} draws it as PNG or SVG.
 * </ul>
 */
package org.da3.workbench.report;
