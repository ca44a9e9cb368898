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

    /**
     * The allowed name a mistyped one most likely meant: the nearest by edit distance (ignoring
     * case), when it is near enough (a third of the name's length, at least one edit) and no other
     * is as near.
     *
     * @param given what was written
     * @param allowed the names allowed there
     * @return the suggestion, or null
     */
    public static String closest(String given, java.util.Collection<String> allowed) {
        String g = given.toLowerCase(java.util.Locale.ROOT);
        int limit = Math.max(1, g.length() / 3);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        boolean tie = false;
        for (String a : allowed) {
            int d = distance(g, a.toLowerCase(java.util.Locale.ROOT));
            if (d < bestDistance) {
                best = a;
                bestDistance = d;
                tie = false;
            } else if (d == bestDistance) {
                tie = true;
            }
        }
        return best != null && !tie && bestDistance <= limit ? best : null;
    }

    /**
     * The suggestion of {@link #closest} as a message puts it.
     *
     * @param given what was written
     * @param allowed the names allowed there
     * @return {@code " (did you mean NAME?)"}, or "" when no name is near enough
     */
    public static String meant(String given, java.util.Collection<String> allowed) {
        String near = closest(given, allowed);
        return near == null ? "" : " (did you mean " + near + "?)";
    }

    /** Levenshtein distance: insertions, deletions and substitutions. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
