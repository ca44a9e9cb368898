/**
 * The worker event protocol: a sealed interface of event records, the envelope that numbers them,
 * and the JSON-lines codec (unknown fields ignored, unknown types kept). Documented field by field
 * in docs/protocol.md, which a test keeps true to these records.
 */
package org.da3.workbench.run.event;
