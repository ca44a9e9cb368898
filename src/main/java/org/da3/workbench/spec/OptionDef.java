package org.da3.workbench.spec;

import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One option a method accepts in a spec: its name, type, default, allowed range and help text.
 *
 * <p>Options are validated here, without DJL, so the GUI can check a field as it is typed and the
 * CLI can reject a spec before any worker starts.
 *
 * @param name the option name as written in YAML, for example {@code reduction}
 * @param type the value type
 * @param defaultValue the default (an Integer, Double, Boolean or String), or null for "inherit
 *     from the training section"
 * @param min the smallest allowed number (inclusive), for numeric types
 * @param max the largest allowed number (inclusive), for numeric types
 * @param choices the allowed strings, for {@link Type#CHOICE}
 * @param help one sentence for the GUI and {@code --help}
 * @param odd for {@link Type#INT}, whether only odd values are allowed (a kernel side)
 */
public record OptionDef(
        String name,
        Type type,
        Object defaultValue,
        double min,
        double max,
        List<String> choices,
        String help,
        boolean odd) {

    /** Value types of options. */
    public enum Type {
        /** A whole number. */
        INT,
        /** A real number. */
        DOUBLE,
        /** true or false. */
        BOOL,
        /** One of a fixed list of strings. */
        CHOICE
    }

    /** Validates the definition itself. */
    public OptionDef {
        Objects.requireNonNull(name);
        Objects.requireNonNull(type);
        choices = choices == null ? List.of() : List.copyOf(choices);
        Objects.requireNonNull(help);
    }

    /**
     * An integer option.
     *
     * @param name the name
     * @param def the default
     * @param min the minimum
     * @param max the maximum
     * @param help the help text
     * @return the definition
     */
    public static OptionDef ofInt(String name, Integer def, int min, int max, String help) {
        return new OptionDef(name, Type.INT, def, min, max, List.of(), help, false);
    }

    /**
     * An integer option that must be odd, such as the side of a convolution kernel padded to keep
     * its input's size.
     *
     * @param name the name
     * @param def the default (odd)
     * @param min the minimum
     * @param max the maximum
     * @param help the help text
     * @return the definition
     */
    public static OptionDef ofOddInt(String name, Integer def, int min, int max, String help) {
        return new OptionDef(name, Type.INT, def, min, max, List.of(), help, true);
    }

    /**
     * A real-valued option.
     *
     * @param name the name
     * @param def the default, or null to inherit
     * @param min the minimum
     * @param max the maximum
     * @param help the help text
     * @return the definition
     */
    public static OptionDef ofDouble(String name, Double def, double min, double max, String help) {
        return new OptionDef(name, Type.DOUBLE, def, min, max, List.of(), help, false);
    }

    /**
     * A boolean option.
     *
     * @param name the name
     * @param def the default
     * @param help the help text
     * @return the definition
     */
    public static OptionDef ofBool(String name, boolean def, String help) {
        return new OptionDef(name, Type.BOOL, def, 0, 1, List.of(), help, false);
    }

    /**
     * A choice option.
     *
     * @param name the name
     * @param def the default, or null to inherit
     * @param choices the allowed values
     * @param help the help text
     * @return the definition
     */
    public static OptionDef ofChoice(String name, String def, List<String> choices, String help) {
        return new OptionDef(name, Type.CHOICE, def, 0, 0, choices, help, false);
    }

    /** A decimal number as a person writes it: 3, -0.5, .25, 1e-3. */
    private static final java.util.regex.Pattern DECIMAL =
            java.util.regex.Pattern.compile("[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?");

    /**
     * Whether text is a decimal number as a person writes it ({@code 3}, {@code -0.5}, {@code .25},
     * {@code 1e-3}); Java's own spellings ({@code 0.9d}, {@code 1f}, {@code 0x1p-3}, {@code NaN})
     * are not.
     *
     * @param text the text, trimmed
     * @return whether it is one
     */
    public static boolean isDecimal(String text) {
        return DECIMAL.matcher(text).matches();
    }

    /**
     * Parses and checks a value for this option, as typed in YAML or in a GUI field.
     *
     * @param raw the value (a Number, Boolean or String)
     * @return the value converted to this option's type
     * @throws IllegalArgumentException with a message saying what is allowed
     */
    public Object parse(Object raw) {
        if (raw == null) {
            throw new IllegalArgumentException("no value given; " + allowed());
        }
        String text = raw.toString().trim();
        switch (type) {
            case INT: {
                long v = wholeNumber(raw, (long) min, (long) max, allowed());
                if (odd && v % 2 == 0) {
                    throw new IllegalArgumentException(text + " is even; " + allowed());
                }
                return (int) v;
            }
            case DOUBLE: {
                double v;
                if (!(raw instanceof Number) && !isDecimal(text)) {
                    throw new IllegalArgumentException("'" + text + "' is not a number; " + allowed());
                }
                v = raw instanceof Number ? ((Number) raw).doubleValue() : Double.parseDouble(text);
                if (Double.isNaN(v) || v < min || v > max) {
                    throw new IllegalArgumentException(text + " is out of range; " + allowed());
                }
                return v;
            }
            case BOOL: {
                if (raw instanceof Boolean) {
                    return raw;
                }
                Boolean b = parseBoolean(text);
                if (b != null) {
                    return b;
                }
                throw new IllegalArgumentException("'" + text + "' is not true or false; " + allowed());
            }
            case CHOICE:
            default: {
                if (!choices.contains(text)) {
                    throw new IllegalArgumentException("'" + text + "' is not allowed" + Names.meant(text, choices) + "; "
                            + allowed());
                }
                return text;
            }
        }
    }

    /**
     * The spellings of a yes/no value a spec accepts wherever it takes one: true/yes/on and
     * false/no/off, in any case (a quoted YAML 1.1 boolean reads the same as an unquoted one).
     *
     * @param text the value as written
     * @return the value, or null if the text is none of them
     */
    public static Boolean parseBoolean(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("true") || t.equals("yes") || t.equals("on")) {
            return Boolean.TRUE;
        }
        if (t.equals("false") || t.equals("no") || t.equals("off")) {
            return Boolean.FALSE;
        }
        return null;
    }

    /**
     * Reads a whole number within a range, as a spec or a form gives it: a whole Number (Integer,
     * Long or BigInteger, as YAML reads it) or its text. Numbers beyond the 64-bit range are
     * reported as out of range with their digits as written, never wrapped.
     *
     * @param raw the value
     * @param min the smallest allowed value (inclusive)
     * @param max the largest allowed value (inclusive)
     * @param allowed what is allowed, for the message, such as "use a whole number from 1 to 10"
     * @return the value
     * @throws IllegalArgumentException "'x' is not a whole number; ALLOWED" or "N is out of range;
     *     ALLOWED"
     */
    public static long wholeNumber(Object raw, long min, long max, String allowed) {
        String text = String.valueOf(raw).trim();
        BigInteger v;
        if (raw instanceof BigInteger b) {
            v = b;
        } else if (raw instanceof Long || raw instanceof Integer || raw instanceof Short || raw instanceof Byte) {
            v = BigInteger.valueOf(((Number) raw).longValue());
        } else if (!(raw instanceof Number) && text.matches("[+-]?[0-9]+")) {
            v = new BigInteger(text);
        } else {
            throw new IllegalArgumentException("'" + text + "' is not a whole number; " + allowed);
        }
        if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new IllegalArgumentException(text + " is out of range; " + allowed);
        }
        return v.longValueExact();
    }

    /** @return a phrase describing the allowed values, for error messages and help */
    public String allowed() {
        switch (type) {
            case INT:
                return "use " + (odd ? "an odd" : "a") + " whole number from " + (long) min + " to " + (long) max;
            case DOUBLE:
                return "use a number from " + formatNumber(min) + " to " + formatNumber(max);
            case BOOL:
                return "use true or false";
            case CHOICE:
            default:
                return "allowed: " + String.join(", ", choices);
        }
    }

    /**
     * A number as a person would write it in a spec: whole numbers without a decimal point,
     * small ones in short scientific notation (1e-9, not 1.0E-9), others as plain decimals.
     *
     * @param d the number
     * @return its text
     */
    public static String formatNumber(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return Double.toString(d);
        }
        java.math.BigDecimal b = java.math.BigDecimal.valueOf(d).stripTrailingZeros();
        return Math.abs(d) < 1e-4 ? b.toString().toLowerCase(Locale.ROOT) : b.toPlainString();
    }
}
