package org.da3.workbench.run.ssh;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Quoting for POSIX shells ({@code sh}, {@code dash}, {@code bash}, {@code zsh}): every value that
 * reaches a remote command line or script goes through {@link #quote}, so names and paths from
 * specs and targets are always one literal word and never shell syntax.
 */
public final class Shell {
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private Shell() {}

    /**
     * Quotes one word: the value inside single quotes, each embedded single quote written as
     * {@code '"'"'}. Inside single quotes a POSIX shell expands nothing ({@code $}, backquotes,
     * backslashes, globs and newlines are all literal).
     *
     * @param s any string without NUL characters
     * @return the quoted word
     * @throws IllegalArgumentException if the string contains a NUL character (no shell word can)
     */
    public static String quote(String s) {
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a shell word cannot contain a NUL character: "
                    + s.replace("\0", "\\0"));
        }
        return "'" + s.replace("'", "'\"'\"'") + "'";
    }

    /**
     * Quotes each word and joins them with spaces.
     *
     * @param words the words
     * @return the command line
     */
    public static String join(List<String> words) {
        StringBuilder sb = new StringBuilder();
        for (String w : words) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(quote(w));
        }
        return sb.toString();
    }

    /**
     * Whether a string can be an environment variable name (names cannot be quoted in
     * {@code export NAME=value}, so they are checked instead).
     *
     * @param name the name
     * @return true for {@code [A-Za-z_][A-Za-z0-9_]*}
     */
    public static boolean isEnvName(String name) {
        return name != null && ENV_NAME.matcher(name).matches();
    }
}
