/**
 * The Results view: the comparison table (methods by domains, with each method's costs),
 * sortable; export to LaTeX, CSV, Markdown, PNG and SVG; reopening past run directories.
 */
package org.da3.workbench.ui.results;
