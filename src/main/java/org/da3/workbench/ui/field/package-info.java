/**
 * Form fields for view models: text that is parsed and validated as it is typed, with an error
 * message the views show inline beside the field.
 */
package org.da3.workbench.ui.field;
