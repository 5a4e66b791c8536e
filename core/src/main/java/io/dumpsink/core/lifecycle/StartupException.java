package io.dumpsink.core.lifecycle;

import java.util.List;

/** The program cannot start; the message names the setting to fix, one line per problem. Main exits with 3. */
public final class StartupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StartupException(String message) {
        super(message);
    }

    /** One problem as its own line; several as a count and then one indented line each, all reported at once. */
    public static StartupException of(List<String> problems) {
        if (problems.size() == 1) {
            return new StartupException(problems.get(0));
        }
        return new StartupException(problems.size() + " problems:\n  - " + String.join("\n  - ", problems));
    }
}
