package io.dumpsink.agent.health;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.agent.config.PipelineSettings;
import io.dumpsink.agent.metrics.AgentMetrics;
import io.dumpsink.core.lifecycle.Threads;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices a stage that stopped making progress, so nothing waits forever in silence: every few seconds it looks at
 * each registered {@link Heartbeat} (the settle thread; each upload worker) and, when one has been busy with the
 * same operation for longer than {@code agent.stall-timeout}, sets a {@code stalled-<stage>} condition in
 * {@link Readiness} with the operation and for how long. Both {@code /readyz} and {@code /healthz} then answer 503,
 * so Kubernetes stops routing to the agent and its liveness probe restarts it (the upload journals and the claim
 * folder make the restart lose nothing). A stage that moves on clears its condition. One ERROR when a stage stalls,
 * one INFO when it recovers.
 */
@Singleton
public final class Watchdog {
    private static final Logger log = LoggerFactory.getLogger(Watchdog.class);

    private final Readiness readiness;
    private final AgentMetrics metrics;
    private final Clock clock;
    private final Duration stallTimeout;
    private final List<Heartbeat> heartbeats = new CopyOnWriteArrayList<>();
    private final java.util.Map<Thread, Heartbeat> byThread = new java.util.concurrent.ConcurrentHashMap<>();
    private final ScheduledExecutorService executor =
            Executors.newSingleThreadScheduledExecutor(Threads.named("dumpsink-watchdog"));

    @Inject
    Watchdog(Readiness readiness, AgentMetrics metrics, Clock clock, PipelineSettings settings) {
        this.readiness = readiness;
        this.metrics = metrics;
        this.clock = clock;
        this.stallTimeout = settings.stallTimeout();
    }

    /** A heartbeat for one thread of {@code stage} (stage names are unique per thread, e.g. "upload-1"). */
    public Heartbeat register(String stage) {
        Heartbeat heartbeat = new Heartbeat(stage, clock);
        heartbeats.add(heartbeat);
        return heartbeat;
    }

    /** A heartbeat for the calling thread, which {@link #progress} finds again. */
    public Heartbeat registerCurrentThread(String stage) {
        Heartbeat heartbeat = register(stage);
        byThread.put(Thread.currentThread(), heartbeat);
        return heartbeat;
    }

    /**
     * The calling thread made progress in its current operation (an upload read another chunk): its stall clock
     * starts again. A no-op on threads without a heartbeat.
     */
    public void progress() {
        Heartbeat heartbeat = byThread.get(Thread.currentThread());
        if (heartbeat != null) {
            heartbeat.progress();
        }
    }

    public void start() {
        long period = Math.max(100, Math.min(5_000, stallTimeout.toMillis() / 4));
        executor.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
    }

    public void stop() {
        Threads.shutdown(executor, Duration.ofSeconds(2));
    }

    void check() {
        Instant now = clock.instant();
        for (Heartbeat heartbeat : heartbeats) {
            String condition = "stalled-" + heartbeat.stage();
            Instant since = heartbeat.busySince();
            String what = heartbeat.what();
            boolean stalled = since != null && Duration.between(since, now).compareTo(stallTimeout) > 0;
            boolean wasStalled = readiness.problems().containsKey(condition);
            if (stalled) {
                Duration stuck = Duration.between(since, now);
                if (!wasStalled) {
                    log.error("Stage stalled stage={} operation={} busyFor={} stallTimeout={}; /readyz and /healthz"
                            + " answer 503 until it moves on", heartbeat.stage(), what, stuck, stallTimeout);
                }
                readiness.stalled(condition, "the " + heartbeat.stage() + " stage has been busy with " + what
                        + " for " + stuck.toSeconds() + " s (stall-timeout " + stallTimeout + ")");
                metrics.stagesStalled.labelValues(heartbeat.stage()).set(1);
            } else if (wasStalled) {
                log.info("Stage moving again stage={}", heartbeat.stage());
                readiness.clear(condition);
                metrics.stagesStalled.labelValues(heartbeat.stage()).set(0);
            }
        }
    }
}
