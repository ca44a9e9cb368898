package org.da3.workbench.data;

/** Data that cannot be read as described: the message names the file and what is wrong. */
public final class DatasetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the error.
     *
     * @param message what is wrong, naming the file
     */
    public DatasetException(String message) {
        super(message);
    }

    /**
     * Creates the error with a cause.
     *
     * @param message what is wrong, naming the file
     * @param cause the underlying error
     */
    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
