package org.da3.workbench.run.ssh;

import java.io.IOException;

/**
 * The machine answered and let us log in, but its java cannot run the worker: it is missing,
 * cannot be executed, or is older than Java 17. The machine's set-up (or the target's {@code java}
 * and {@code environment}) is what to fix.
 */
public final class RemoteJavaException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message which java, what it answered, and how to fix it
     */
    public RemoteJavaException(String message) {
        super(message);
    }
}
