package io.dumpsink.agent.upload;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.agent.config.PipelineSettings;
import io.dumpsink.agent.config.UploadSettings;
import io.dumpsink.core.lifecycle.Closer;
import io.dumpsink.core.lifecycle.Threads;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Owns the thread pools every upload shares, and stops them at shutdown: the compressors
 * ({@code compression-threads}, threads {@code dumpsink-zstd-N}), the part senders ({@code parts-in-flight} for
 * each dump shipped at once, threads {@code dumpsink-part-N}), so that no upload waits for another's parts, and
 * the digesters (two for each dump shipped at once, threads {@code dumpsink-digest-N}): each upload's SHA-256 and
 * heap summary run in a {@link SerialLane} of their own, off the reading thread.
 */
@Singleton
final class UploadExecutors {
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    private final ExecutorService compressors;
    private final ExecutorService partSenders;
    private final ExecutorService digesters;

    @Inject
    UploadExecutors(UploadSettings settings, PipelineSettings pipeline, Closer closer) {
        this.compressors = Executors.newFixedThreadPool(settings.compressionThreads(), Threads.named("dumpsink-zstd"));
        this.partSenders = Executors.newFixedThreadPool(settings.partsInFlight() * pipeline.maxConcurrentDumps(),
                Threads.named("dumpsink-part"));
        this.digesters = Executors.newFixedThreadPool(2 * pipeline.maxConcurrentDumps(),
                Threads.named("dumpsink-digest"));
        closer.register(() -> Threads.shutdown(compressors, STOP_WAIT));
        closer.register(() -> Threads.shutdown(digesters, STOP_WAIT));
        closer.register(() -> Threads.shutdown(partSenders, STOP_WAIT));
    }

    ExecutorService compressors() {
        return compressors;
    }

    ExecutorService partSenders() {
        return partSenders;
    }

    ExecutorService digesters() {
        return digesters;
    }
}
