/**
 * Results: runs read back from their events, results.csv, and the tables and figures exported
 * for papers. Knows nothing of JavaFX or DJL.
 */
package org.da3.workbench.report;
