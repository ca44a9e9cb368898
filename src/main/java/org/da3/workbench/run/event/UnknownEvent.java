package org.da3.workbench.run.event;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An event of a type this reader does not know (from a newer worker): kept whole so it is not
 * lost from events.jsonl.
 *
 * @param typeName the type field
 * @param json the whole line as a tree
 */
public record UnknownEvent(String typeName, ObjectNode json) implements Event {
    @Override
    public String type() {
        return typeName;
    }
}
