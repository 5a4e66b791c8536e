package io.dumpsink.agent.pipeline;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.agent.health.Readiness;
import io.dumpsink.agent.metrics.AgentMetrics;
import io.dumpsink.core.config.S3Settings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How S3 treats the agent, as seen by the last calls: it answers and accepts ({@code UP}), cannot be reached
 * ({@code UNREACHABLE}: connection errors, 5xx; passes by itself), or answers with a refusal that only a person can
 * change ({@code REFUSING}: access denied, no such bucket, bad credentials). Logs only when that changes, one ERROR
 * when trouble starts and one INFO when it ends, however many retries happen in between; {@code dumpsink_s3_up}
 * and the {@code s3} readiness condition (with the reason) show the rest.
 */
@Singleton
public final class S3Health {
    private static final Logger log = LoggerFactory.getLogger(S3Health.class);
    private static final String CONDITION = "s3";

    private enum State {
        UP, UNREACHABLE, REFUSING
    }

    private final AgentMetrics metrics;
    private final Readiness readiness;
    private final Clock clock;
    private final String endpoint;
    private State state = State.UP;
    private Instant troubleSince;
    private long failuresSince;

    @Inject
    S3Health(AgentMetrics metrics, Clock clock, S3Settings settings, Readiness readiness) {
        this.metrics = metrics;
        this.readiness = readiness;
        this.clock = clock;
        this.endpoint = settings.describeEndpoint();
        metrics.s3Up.set(1);
    }

    /** S3 answered a call: an outage is over. A refusal stays until {@link #succeeded}: it may refuse only writes. */
    public synchronized void answered() {
        if (state == State.UNREACHABLE) {
            recovered("S3 reachable again");
        }
    }

    /** A dump went all the way into the bucket: whatever was wrong is over. */
    public synchronized void succeeded() {
        if (state == State.UNREACHABLE) {
            recovered("S3 reachable again");
        } else if (state == State.REFUSING) {
            recovered("S3 accepts uploads again");
        }
    }

    /** S3 could not be reached (connection, timeout, 5xx). */
    public synchronized void failed(Throwable cause) {
        if (state != State.UNREACHABLE) {
            enter(State.UNREACHABLE);
            log.error("S3 unreachable endpoint={} error={}; dumps stay on disk and are retried with backoff,"
                    + " further failures are not logged until it recovers", endpoint, cause.toString());
        }
        failuresSince++;
        readiness.notReady(CONDITION, "S3 unreachable since " + troubleSince + " at " + endpoint + ": " + cause);
    }

    /** S3 refused a call in a way retrying cannot fix (access denied, no such bucket, bad credentials). */
    public synchronized void refused(Throwable cause) {
        if (state != State.REFUSING) {
            enter(State.REFUSING);
            log.error("S3 refuses the agent endpoint={} error={}; check the bucket, credentials and policy. Dumps"
                    + " stay on disk, their stored parts are kept, and they are retried with the longer"
                    + " retry-max-permanent backoff; not logged again until S3 accepts", endpoint, cause.toString());
        }
        failuresSince++;
        readiness.notReady(CONDITION, "S3 refuses uploads since " + troubleSince + " at " + endpoint + ": " + cause);
    }

    public synchronized boolean isUp() {
        return state == State.UP;
    }

    private void enter(State next) {
        state = next;
        troubleSince = clock.instant();
        failuresSince = 0;
        metrics.s3Up.set(0);
    }

    private void recovered(String what) {
        log.info("{} endpoint={} troubleFor={} failedAttempts={}", what, endpoint,
                Duration.between(troubleSince, clock.instant()), failuresSince);
        state = State.UP;
        metrics.s3Up.set(1);
        readiness.clear(CONDITION);
    }
}
