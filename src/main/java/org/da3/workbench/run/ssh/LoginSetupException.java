package org.da3.workbench.run.ssh;

import java.io.IOException;

/**
 * What stops a login before any connection is tried: the identity file is missing, a folder or
 * not a key, or there is no key and no agent. It is this machine's set-up to fix, not a host that
 * did not answer.
 */
public final class LoginSetupException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong and how to fix it
     * @param cause the underlying error, or null
     */
    public LoginSetupException(String message, Throwable cause) {
        super(message, cause);
    }
}
