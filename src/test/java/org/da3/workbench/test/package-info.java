/** Shared test fixtures: temporary workspaces, tiny specs, project paths. */
package org.da3.workbench.test;
