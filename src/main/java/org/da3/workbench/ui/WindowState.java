package org.da3.workbench.ui;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * What the workbench remembers between sessions: the window's place and size, the last tab,
 * the split positions and the last spec file. Kept in a small properties file, by default
 * {@code $XDG_CONFIG_HOME/da3-workbench/workbench.properties} (else {@code ~/.config/...});
 * the system property {@code da3.gui.config} names another file.
 */
public final class WindowState {
    private final Path file;
    private final Properties props = new Properties();

    /**
     * Reads the state from a file (empty if it does not exist or cannot be read).
     *
     * @param file the properties file
     */
    public WindowState(Path file) {
        this.file = file;
        if (file != null && Files.isRegularFile(file)) {
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                props.load(r);
            } catch (IOException | IllegalArgumentException e) {
                props.clear();
            }
        }
    }

    /** @return the default file: {@code da3.gui.config}, else under the XDG config folder */
    public static Path defaultFile() {
        String p = System.getProperty("da3.gui.config");
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return base.resolve("da3-workbench").resolve("workbench.properties");
    }

    /** @return the file this state is kept in */
    public Path file() {
        return file;
    }

    /**
     * A remembered number.
     *
     * @param key the key
     * @param fallback the value if none is remembered
     * @return the value
     */
    public double number(String key, double fallback) {
        String v = props.getProperty(key);
        if (v == null) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(v);
            return Double.isFinite(d) ? d : fallback;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /**
     * A remembered length (a window's width or height) that fits: the fallback when none is
     * remembered or it is not a number or smaller than {@code min}, and never more than {@code
     * max}. A damaged or hand-edited file (a width of 1e9) would otherwise open a window whose
     * tables lay out rows for a billion pixels, and the window would never appear.
     *
     * @param key the key
     * @param fallback the length if none usable is remembered
     * @param min the smallest length taken as remembered
     * @param max the largest length allowed (the screen's)
     * @return the length, at most {@code max}
     */
    public double length(String key, double fallback, double min, double max) {
        double v = number(key, Double.NaN);
        return Math.min(Double.isNaN(v) || v < min ? fallback : v, max);
    }

    /**
     * Remembers a number.
     *
     * @param key the key
     * @param value the value
     */
    public void setNumber(String key, double value) {
        if (Double.isFinite(value)) {
            props.setProperty(key, Double.toString(value));
        }
    }

    /**
     * A remembered text.
     *
     * @param key the key
     * @return the text, or null
     */
    public String text(String key) {
        return props.getProperty(key);
    }

    /**
     * Remembers a text (null forgets it).
     *
     * @param key the key
     * @param value the text
     */
    public void setText(String key, String value) {
        if (value == null) {
            props.remove(key);
        } else {
            props.setProperty(key, value);
        }
    }

    /** @return the last spec file, or null if none is remembered or it no longer exists */
    public Path lastSpec() {
        String s = text("spec.last");
        if (s == null) {
            return null;
        }
        try {
            Path p = Path.of(s);
            return Files.isRegularFile(p) ? p : null;
        } catch (java.nio.file.InvalidPathException e) {
            // a damaged file (a NUL in the path) is forgotten, as a deleted spec is; it must not keep the window shut
            return null;
        }
    }

    /** @param spec the spec file to reopen next time (null forgets it) */
    public void setLastSpec(Path spec) {
        setText("spec.last", spec == null ? null : spec.toAbsolutePath().normalize().toString());
    }

    /**
     * Writes the state back; failures are ignored (remembering is a convenience).
     *
     * @return whether it was written
     */
    public boolean save() {
        if (file == null) {
            return false;
        }
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                props.store(w, "DA3 Workbench window state");
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
