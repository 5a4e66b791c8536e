package io.dumpsink.core.lifecycle;

/** The program cannot start; the message names the setting to fix. Main exits with 3. */
public final class StartupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StartupException(String message) {
        super(message);
    }
}
