package org.da3.workbench.spec;

import java.util.Objects;

/**
 * A spec, descriptor or target file that cannot be used as written.
 *
 * <p>The message always names the file, the field (a path such as {@code methods[1].options.r}),
 * the offending value and what would be right, on one line, so the CLI can print it as is and the
 * GUI can show it beside the field.
 */
public final class SpecException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final String field;
    private final String problem;

    /**
     * Creates the error.
     *
     * @param file the file being read (or {@code "<spec>"} for a spec built in memory)
     * @param field the field path, for example {@code training.learning_rate}
     * @param problem what is wrong and what is allowed, for example {@code "-0.1 is negative; use a
     *     positive number such as 0.01"}
     */
    public SpecException(String file, String field, String problem) {
        super(file + ": " + field + ": " + problem);
        this.file = Objects.requireNonNull(file);
        this.field = Objects.requireNonNull(field);
        this.problem = Objects.requireNonNull(problem);
    }

    /** @return the file the error is in */
    public String file() {
        return file;
    }

    /** @return the field path the error is about */
    public String field() {
        return field;
    }

    /** @return the problem without the file and field prefix */
    public String problem() {
        return problem;
    }
}
