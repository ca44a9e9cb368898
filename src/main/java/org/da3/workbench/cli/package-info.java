/** The command line: picocli subcommands listed in {@link org.da3.workbench.cli.Da3}. */
package org.da3.workbench.cli;
