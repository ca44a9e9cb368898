package org.da3.workbench.data.files;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.da3.workbench.spec.SpecException;

/**
 * Expands the paths written in dataset descriptors: {@code ${VAR}}, {@code ${VAR:-default}} and
 * {@code $VAR} from the environment, then a leading {@code ~} to the user's home folder. Expansion
 * happens where the data is read (on the worker's machine), so a descriptor can name a path by a
 * variable that differs between machines.
 */
public final class DataPaths {

    private static final Pattern VAR =
            Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\\}|\\$([A-Za-z_][A-Za-z0-9_]*)");

    private DataPaths() {}

    /**
     * Expands a path with the process environment.
     *
     * @param raw the path as written
     * @param file the descriptor file, for messages
     * @param field the field, for messages
     * @return the expanded path
     * @throws SpecException if a variable is not set or the result is not a path
     */
    public static Path expand(String raw, String file, String field) {
        return expand(raw, System::getenv, System.getProperty("user.home"), file, field);
    }

    /**
     * Expands a path with a given environment and home folder (for tests).
     *
     * @param raw the path as written
     * @param env the environment lookup (null for unset)
     * @param home the home folder for {@code ~}
     * @param file the descriptor file, for messages
     * @param field the field, for messages
     * @return the expanded path
     * @throws SpecException if a variable is not set or the result is not a path
     */
    public static Path expand(String raw, Function<String, String> env, String home, String file, String field) {
        Matcher m = VAR.matcher(raw);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(3);
            String value = env.apply(name);
            if (value == null || value.isEmpty()) {
                value = m.group(2);
            }
            if (value == null) {
                throw new SpecException(file, field, "'" + raw + "' uses the environment variable " + name
                        + ", which is not set; set it, write ${" + name + ":-default}, or write the path out");
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        String s = sb.toString();
        if (s.equals("~") || s.startsWith("~/")) {
            s = home + s.substring(1);
        } else if (s.startsWith("~")) {
            throw new SpecException(file, field, "'" + raw + "': only ~ (your home folder) is expanded, not ~user;"
                    + " write the path out");
        }
        if (s.isBlank()) {
            throw new SpecException(file, field, "'" + raw + "' expands to an empty path; give the dataset's folder");
        }
        try {
            return Path.of(s).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new SpecException(file, field, "'" + s + "' is not a usable path: " + e.getReason());
        }
    }

    /**
     * Whether a path as written is relative to the workspace: neither absolute nor starting with
     * {@code ~} or a variable.
     *
     * @param raw the path as written
     * @return true if it should be resolved against the workspace folder
     */
    public static boolean isWorkspaceRelative(String raw) {
        if (raw.isEmpty() || raw.startsWith("~") || raw.startsWith("$")) {
            return false;
        }
        try {
            return !Path.of(raw).isAbsolute();
        } catch (InvalidPathException e) {
            return false;
        }
    }
}
