package io.dumpsink.agent.health;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.agent.metrics.AgentMetrics;
import java.util.Map;
import java.util.TreeMap;

/**
 * Whether the agent can do its job, and if not, why: each part that can get stuck (S3 answers, buffers can be
 * allocated, the settle and upload stages make progress) reports a named condition here, and {@code /readyz}
 * answers 503 with every open condition's reason while any is set. Kubernetes then shows the reason, and a liveness
 * or readiness policy can restart the agent; nothing waits forever in silence.
 *
 * <p>Conditions are keyed by name so a part only ever clears its own; setting one again replaces its reason.
 */
@Singleton
public final class Readiness {
    private final AgentMetrics metrics;
    private final Map<String, String> problems = new TreeMap<>();
    private final java.util.Set<String> fatal = new java.util.HashSet<>();
    private boolean started;

    @Inject
    public Readiness(AgentMetrics metrics) {
        this.metrics = metrics;
        metrics.ready.set(0);
    }

    /** Marks the agent started: ready from now on while no condition is set. */
    public synchronized void started() {
        started = true;
        publish();
    }

    /** Marks the agent stopping: never ready again in this process. */
    public synchronized void stopping() {
        started = false;
        publish();
    }

    /** Sets (or replaces) the reason {@code condition} keeps the agent from being ready. */
    public synchronized void notReady(String condition, String reason) {
        String previous = problems.put(condition, reason);
        if (previous == null) {
            metrics.notReady.labelValues(condition).set(1);
        }
        publish();
    }

    /**
     * Like {@link #notReady}, for a condition only a restart ends (a stage stuck in a call that never returns):
     * {@link #isAlive} turns false too, so the liveness probe restarts the agent.
     */
    public synchronized void stalled(String condition, String reason) {
        fatal.add(condition);
        notReady(condition, reason);
    }

    /** False while a {@link #stalled} condition is set: {@code /healthz} answers 503 and Kubernetes restarts us. */
    public synchronized boolean isAlive() {
        return fatal.isEmpty();
    }

    /** Clears {@code condition}; a no-op when it is not set. */
    public synchronized void clear(String condition) {
        fatal.remove(condition);
        if (problems.remove(condition) != null) {
            metrics.notReady.labelValues(condition).set(0);
        }
        publish();
    }

    public synchronized boolean isReady() {
        return started && problems.isEmpty();
    }

    /** The open conditions and their reasons, sorted by condition name. */
    public synchronized Map<String, String> problems() {
        return Map.copyOf(problems);
    }

    /** What {@code /readyz} answers: "ready", or one line per reason. */
    public synchronized String describe() {
        if (isReady()) {
            return "ready\n";
        }
        StringBuilder text = new StringBuilder("not ready\n");
        if (!started) {
            text.append("starting: not started yet, or stopping\n");
        }
        problems.forEach((condition, reason) -> text.append(condition).append(": ").append(reason).append('\n'));
        return text.toString();
    }

    private void publish() {
        metrics.ready.set(isReady() ? 1 : 0);
    }
}
