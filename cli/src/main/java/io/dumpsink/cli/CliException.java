package io.dumpsink.cli;

/**
 * A failure the user gets as one line on stderr and an exit code, never a stack trace: {@link ExitCodes} says which
 * code means what.
 */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }

    static CliException usage(String message) {
        return new CliException(ExitCodes.USAGE, message);
    }

    static CliException notFound(String message) {
        return new CliException(ExitCodes.NOT_FOUND, message);
    }

    static CliException verification(String message) {
        return new CliException(ExitCodes.VERIFICATION_FAILED, message);
    }
}
