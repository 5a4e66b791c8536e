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
 * Whether S3 answers, as seen by the last call. Logs only when that changes: one ERROR when an outage starts, one
 * INFO when it ends, however many retries happen in between; the {@code dumpsink_s3_up} gauge shows the rest.
 */
@Singleton
public final class S3Health {
    private static final Logger log = LoggerFactory.getLogger(S3Health.class);
    private final AgentMetrics metrics;
    private final Readiness readiness;
    private final Clock clock;
    private final String endpoint;
    private boolean up = true;
    private Instant downSince;
    private long failuresWhileDown;

    @Inject
    S3Health(AgentMetrics metrics, Clock clock, S3Settings settings, Readiness readiness) {
        this.metrics = metrics;
        this.readiness = readiness;
        this.clock = clock;
        this.endpoint = settings.describeEndpoint();
        metrics.s3Up.set(1);
    }

    public synchronized void succeeded() {
        if (!up) {
            log.info("S3 reachable again endpoint={} downFor={} failedAttempts={}", endpoint,
                    Duration.between(downSince, clock.instant()), failuresWhileDown);
        }
        up = true;
        metrics.s3Up.set(1);
        readiness.clear("s3");
    }

    public synchronized void failed(Throwable cause) {
        if (up) {
            downSince = clock.instant();
            failuresWhileDown = 0;
            log.error("S3 unreachable endpoint={} error={}; dumps stay on disk and are retried with backoff,"
                    + " further failures are not logged until it recovers", endpoint, cause.toString());
        }
        up = false;
        failuresWhileDown++;
        metrics.s3Up.set(0);
        readiness.notReady("s3", "S3 unreachable since " + downSince + " at " + endpoint + ": " + cause);
    }

    public synchronized boolean isUp() {
        return up;
    }
}
