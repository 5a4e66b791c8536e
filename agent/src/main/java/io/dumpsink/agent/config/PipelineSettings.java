package io.dumpsink.agent.config;

import io.dumpsink.core.config.ConfigReader;
import io.dumpsink.core.retry.Backoff;
import java.nio.file.Path;
import java.time.Duration;

/** How dumps move through the pipeline: concurrency, retries, what happens to the file, shutdown. */
public record PipelineSettings(int maxConcurrentDumps, AfterUpload afterUpload, Backoff retry, Backoff retryPermanent,
        Duration shutdownGrace, Path stateDir, Duration orphanUploadAge, java.util.Optional<Long> maxLocalBytes,
        Duration stallTimeout) {

    public enum AfterUpload {
        DELETE, KEEP
    }

    public static PipelineSettings from(ConfigReader r) {
        Duration initial = r.positiveDuration("dumpsink.agent.retry-initial");
        Duration max = r.positiveDuration("dumpsink.agent.retry-max");
        if (max.compareTo(initial) < 0) {
            r.problem("dumpsink.agent.retry-max", "must not be shorter than dumpsink.agent.retry-initial ("
                    + initial + ")");
            max = initial;
        }
        Duration permanentMax = r.positiveDuration("dumpsink.agent.retry-max-permanent");
        if (permanentMax.compareTo(max) < 0) {
            r.problem("dumpsink.agent.retry-max-permanent", "must not be shorter than dumpsink.agent.retry-max ("
                    + max + "); refusals are retried less often than outages, e.g. 10m");
            permanentMax = max;
        }
        Path stateDir = Path.of(r.nonBlank("dumpsink.agent.state-dir", "set a writable folder for agent state"))
                .toAbsolutePath().normalize();
        return new PipelineSettings(
                r.intInRange("dumpsink.agent.max-concurrent-dumps", 1, 64),
                r.enumValue("dumpsink.agent.after-upload", AfterUpload.class),
                new Backoff(initial, max),
                new Backoff(initial, permanentMax),
                r.positiveDuration("dumpsink.agent.shutdown-grace"),
                stateDir,
                r.positiveDuration("dumpsink.agent.orphan-upload-age"),
                r.optionalBytes("dumpsink.agent.max-local-bytes"),
                r.positiveDuration("dumpsink.agent.stall-timeout"));
    }
}
