package org.da3.workbench.spec;

/**
 * The rule for the names the workbench makes files of (experiments, datasets): a letter or digit,
 * then letters, digits, '.', '_' or '-', at most 64 in all.
 */
public final class Names {
    /** The pattern a usable name matches. */
    public static final String PATTERN = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}";

    private Names() {}

    /**
     * Checks a name.
     *
     * @param what what is named, for the message (for example "dataset")
     * @param name the name, trimmed first
     * @return the trimmed name
     * @throws IllegalArgumentException saying what is allowed
     */
    public static String check(String what, String name) {
        String t = name == null ? "" : name.trim();
        if (!t.matches(PATTERN)) {
            throw new IllegalArgumentException(t.isEmpty() ? "give the " + what + " a name"
                    : "'" + t + "' is not a usable " + what + " name; use letters, digits, '.', '_' or '-' (at most 64)");
        }
        return t;
    }
}
