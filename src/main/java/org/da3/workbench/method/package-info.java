/**
 * The methods: one class per method, each making per-domain {@link
 * org.da3.workbench.method.Patch}es on the shared frozen backbone, bound to their names in {@link
 * org.da3.workbench.method.MethodRegistry}.
 */
package org.da3.workbench.method;
