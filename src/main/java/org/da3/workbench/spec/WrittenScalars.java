package org.da3.workbench.spec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Keeps the text of YAML scalars that resolve to numbers or yes/no values. YAML reads {@code label:
 * no} as false, {@code 1e-3} as 0.001 and {@code 007} as 7; a field that is text (a label, a name, a
 * class name) must get what was written. The numeric and boolean nodes of a parsed tree are
 * replaced by subclasses of the same node types that also carry their written text, so every
 * numeric reader sees the same values as before and {@link #text(JsonNode)} gives the text.
 */
final class WrittenScalars {

    private WrittenScalars() {}

    /** A scalar with the text it was written as. */
    interface Written {
        /** @return the scalar as written in the file */
        String written();
    }

    /**
     * The text of a scalar node: as written in the file when it was parsed from YAML, else the
     * node's own text.
     *
     * @param v a value node
     * @return its text
     */
    static String text(JsonNode v) {
        return v instanceof Written w ? w.written() : v.asText();
    }

    /**
     * Replaces the tree's numbers and yes/no values by nodes that carry their written text.
     *
     * @param root the tree {@code text} was parsed into
     * @param parser a parser over the same text
     * @throws IOException if the text cannot be read again
     */
    static void keep(JsonNode root, JsonParser parser) throws IOException {
        for (JsonToken t = parser.nextToken(); t != null; t = parser.nextToken()) {
            if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_TRUE
                    || t == JsonToken.VALUE_FALSE) {
                replace(root, parser.getParsingContext(), parser.getText());
            }
        }
    }

    private static void replace(JsonNode root, JsonStreamContext at, String written) {
        Deque<JsonStreamContext> path = new ArrayDeque<>();
        for (JsonStreamContext c = at; c != null && !c.inRoot(); c = c.getParent()) {
            path.push(c);
        }
        JsonNode parent = root;
        while (path.size() > 1 && parent != null) {
            JsonStreamContext c = path.pop();
            parent = c.inArray() ? parent.get(c.getCurrentIndex()) : parent.get(c.getCurrentName());
        }
        if (path.isEmpty() || parent == null) {
            return;
        }
        JsonStreamContext last = path.pop();
        if (parent instanceof ObjectNode o && last.inObject()) {
            JsonNode v = o.get(last.getCurrentName());
            JsonNode w = v == null ? null : wrap(v, written);
            if (w != null) {
                o.set(last.getCurrentName(), w);
            }
        } else if (parent instanceof ArrayNode a && last.inArray() && last.getCurrentIndex() < a.size()) {
            JsonNode w = wrap(a.get(last.getCurrentIndex()), written);
            if (w != null) {
                a.set(last.getCurrentIndex(), w);
            }
        }
    }

    /** @return the node with its written text, or null for a node of another kind */
    private static JsonNode wrap(JsonNode v, String written) {
        if (v instanceof Written) {
            return null;
        }
        if (v instanceof IntNode) {
            return new WrittenInt(v.intValue(), written);
        }
        if (v instanceof LongNode) {
            return new WrittenLong(v.longValue(), written);
        }
        if (v instanceof BigIntegerNode) {
            return new WrittenBigInteger(v.bigIntegerValue(), written);
        }
        if (v instanceof DoubleNode) {
            return new WrittenDouble(v.doubleValue(), written);
        }
        if (v instanceof BooleanNode) {
            return new WrittenBoolean(v.booleanValue(), written);
        }
        return null;
    }

    private static final class WrittenInt extends IntNode implements Written {
        private static final long serialVersionUID = 1L;
        private final String written;

        WrittenInt(int v, String written) {
            super(v);
            this.written = written;
        }

        @Override
        public String written() {
            return written;
        }
    }

    private static final class WrittenLong extends LongNode implements Written {
        private static final long serialVersionUID = 1L;
        private final String written;

        WrittenLong(long v, String written) {
            super(v);
            this.written = written;
        }

        @Override
        public String written() {
            return written;
        }
    }

    private static final class WrittenBigInteger extends BigIntegerNode implements Written {
        private static final long serialVersionUID = 1L;
        private final String written;

        WrittenBigInteger(BigInteger v, String written) {
            super(v);
            this.written = written;
        }

        @Override
        public String written() {
            return written;
        }
    }

    private static final class WrittenDouble extends DoubleNode implements Written {
        private static final long serialVersionUID = 1L;
        private final String written;

        WrittenDouble(double v, String written) {
            super(v);
            this.written = written;
        }

        @Override
        public String written() {
            return written;
        }
    }

    private static final class WrittenBoolean extends BooleanNode implements Written {
        private static final long serialVersionUID = 1L;
        private final String written;

        WrittenBoolean(boolean v, String written) {
            super(v);
            this.written = written;
        }

        @Override
        public String written() {
            return written;
        }
    }
}
