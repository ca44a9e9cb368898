package org.da3.workbench.ui.field;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.da3.workbench.spec.OptionDef;

/**
 * Parsers for {@link ValidatedField}s: numbers in a range, lists of whole numbers, names. Each
 * throws {@link IllegalArgumentException} with a message naming the value and what is allowed.
 */
public final class Parsers {
    private Parsers() {}

    /**
     * A whole number in a range.
     *
     * @param min the smallest allowed (inclusive)
     * @param max the largest allowed (inclusive)
     * @return the parser
     */
    public static Function<String, Integer> integer(long min, long max) {
        // as the spec loader reads it: ASCII digits only, and a number too long for a long is out of range
        return s -> (int) OptionDef.wholeNumber(s.trim(), min, max, "use a whole number from " + min + " to " + max);
    }

    /**
     * Any whole number (a seed).
     *
     * @return the parser
     */
    public static Function<String, Long> anyLong() {
        return s -> {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + s + "' is not a whole number");
            }
        };
    }

    /**
     * A real number in a range.
     *
     * @param min the smallest allowed (inclusive)
     * @param max the largest allowed (inclusive)
     * @param example an example for the message, for example {@code 0.01}
     * @return the parser
     */
    public static Function<String, Double> number(double min, double max, String example) {
        return s -> {
            // as the spec loader reads a number in quotes: a plain decimal, or NaN and the infinities (out of
            // range below); Java's own spellings (0x1p-3, 1d, 0.5f) are not numbers in a spec
            String t = s.trim();
            if (!OptionDef.isDecimal(t) && !t.matches("[+-]?(NaN|Infinity)")) {
                throw new IllegalArgumentException("'" + s + "' is not a number; use one such as " + example);
            }
            double v = Double.parseDouble(t);
            if (Double.isNaN(v) || v < min || v > max) {
                throw new IllegalArgumentException(s.trim() + " is out of range; use a number from " + OptionDef.formatNumber(min)
                        + " to " + OptionDef.formatNumber(max));
            }
            return v;
        };
    }

    /**
     * A non-empty, comma-separated list of whole numbers, such as {@code 7, 8, 9}.
     *
     * @return the parser
     */
    public static Function<String, List<Long>> longList() {
        return s -> {
            List<Long> out = new ArrayList<>();
            for (String part : s.split("[,\\s]+")) {
                if (part.isBlank()) {
                    continue;
                }
                // as the spec loader reads a seed: ASCII digits, and a number too long for a long is out of range
                long v = OptionDef.wholeNumber(part.trim(), Long.MIN_VALUE, Long.MAX_VALUE,
                        "list seeds such as 1, 2, 3");
                if (out.contains(v)) {
                    throw new IllegalArgumentException(v + " is listed twice; list each seed once");
                }
                out.add(v);
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException("list at least one seed, such as 7 or 1, 2, 3");
            }
            return out;
        };
    }

    /**
     * A name made of letters, digits, '.', '_' and '-' (experiment and dataset names).
     *
     * @param what what is named, for the message
     * @return the parser
     */
    public static Function<String, String> name(String what) {
        return s -> org.da3.workbench.spec.Names.check(what, s);
    }
}
