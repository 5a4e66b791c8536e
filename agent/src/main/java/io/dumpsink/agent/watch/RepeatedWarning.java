package io.dumpsink.agent.watch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import org.slf4j.Logger;

/**
 * A WARN that may happen thousands of times a second (a pod renaming files in a loop): logged at its first
 * occurrence, then at most once per interval, with how many occurrences were not logged and the arguments of the
 * last one. {@link #flush()} logs the count left over once the interval has passed, so the last burst is never
 * silent. Not thread-safe: the watch thread owns it.
 */
final class RepeatedWarning {
    private final Logger log;
    private final Clock clock;
    private final Duration interval;
    private final String message;
    private Instant quietUntil = Instant.MIN;
    private long notLogged;
    private Object[] lastArguments;

    /** {@code message} is an SLF4J pattern of {@code key=value} pairs, e.g. {@code "Lost events path={}"}. */
    RepeatedWarning(Logger log, Clock clock, Duration interval, String message) {
        this.log = log;
        this.clock = clock;
        this.interval = interval;
        this.message = message;
    }

    void warn(Object... arguments) {
        Instant now = clock.instant();
        if (now.isBefore(quietUntil)) {
            notLogged++;
            lastArguments = arguments;
            return;
        }
        log.warn(message, arguments);
        quietUntil = now.plus(interval);
    }

    /** Logs the occurrences not logged yet, once the interval since the last line has passed. */
    void flush() {
        Instant now = clock.instant();
        if (notLogged == 0 || now.isBefore(quietUntil)) {
            return;
        }
        // A Throwable passed for its stack trace is left out: the first line had it.
        Object[] last = Arrays.stream(lastArguments).filter(a -> !(a instanceof Throwable)).toArray();
        Object[] arguments = Arrays.copyOf(last, last.length + 2);
        arguments[last.length] = notLogged;
        arguments[last.length + 1] = interval;
        log.warn(message + " repeated={} within={} (the last one shown)", arguments);
        notLogged = 0;
        quietUntil = now.plus(interval);
    }
}
