package io.dumpsink.agent.pipeline;

/** The agent cannot start; the message names the setting to fix. */
public final class StartupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StartupException(String message) {
        super(message);
    }
}
