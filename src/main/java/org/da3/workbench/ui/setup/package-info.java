/**
 * The Setup view: domains, methods and their options, backbone, training, seeds and target,
 * validated as typed; save and load specs; Launch and Stop.
 */
package org.da3.workbench.ui.setup;
