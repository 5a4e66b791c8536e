package io.dumpsink.agent.health;

import java.time.Clock;
import java.time.Instant;

/**
 * What one stage thread is doing, for the {@link Watchdog}: busy with something since when, or idle. A stage calls
 * {@link #busy} before an operation and {@link #idle} after it; an operation that never returns (a read stuck on a
 * hung file system) leaves the heartbeat busy, and the watchdog reports the stage as stalled.
 */
public final class Heartbeat {
    private final String stage;
    private final Clock clock;
    private volatile String what;
    private volatile Instant since;

    Heartbeat(String stage, Clock clock) {
        this.stage = stage;
        this.clock = clock;
    }

    public void busy(Object operation) {
        what = String.valueOf(operation);
        since = clock.instant();
    }

    /** Still busy with the same operation, and it moved forward: the stall clock starts again. */
    public void progress() {
        if (since != null) {
            since = clock.instant();
        }
    }

    public void idle() {
        since = null;
        what = null;
    }

    String stage() {
        return stage;
    }

    /** When the current operation started, or null when idle; read together with {@link #what}. */
    Instant busySince() {
        return since;
    }

    String what() {
        return what;
    }
}
