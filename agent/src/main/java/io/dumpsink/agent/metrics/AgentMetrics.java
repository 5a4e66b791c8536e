package io.dumpsink.agent.metrics;

import com.google.inject.Singleton;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The agent's metrics, in a registry of its own (no global state), exposed at {@code GET /metrics}. Names follow
 * Prometheus conventions: {@code _total} counters, base units (bytes, seconds).
 */
@Singleton
public final class AgentMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();

    public final Counter dumpsDetected = Counter.builder().name("dumpsink_dumps_detected_total")
            .help("Dump files seen appearing in the watch dir").register(registry);
    public final Counter dumpsUploaded = Counter.builder().name("dumpsink_dumps_uploaded_total")
            .help("Dumps stored, verified with their manifest, and released locally").register(registry);
    public final Counter dumpsIncomplete = Counter.builder().name("dumpsink_dumps_incomplete_total")
            .help("Heap dumps shipped although their structure is incomplete (JVM killed mid-dump), after"
                    + " agent.incomplete-wait").register(registry);
    public final Counter dumpsFailed = Counter.builder().name("dumpsink_dumps_failed_total")
            .help("Upload attempts that failed (each is retried; the file stays)").labelNames("reason")
            .register(registry);
    public final Counter filesSkipped = Counter.builder().name("dumpsink_files_skipped_total")
            .help("Files in the watch dir that are never uploaded (not regular files, unreadable)")
            .labelNames("reason").register(registry);
    public final Counter bytesRead = Counter.builder().name("dumpsink_read_bytes_total")
            .help("Bytes of dump files read").register(registry);
    public final Counter bytesStored = Counter.builder().name("dumpsink_stored_bytes_total")
            .help("Bytes of completed dump objects in the bucket (after compression)").register(registry);
    public final Histogram uploadSeconds = Histogram.builder().name("dumpsink_upload_seconds")
            .help("Time from the start of an upload to a verified object and manifest")
            .classicUpperBounds(0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800).register(registry);
    public final Gauge uploadsInFlight = Gauge.builder().name("dumpsink_uploads_in_flight")
            .help("Dumps being uploaded now").register(registry);
    public final Gauge dumpsWaiting = Gauge.builder().name("dumpsink_dumps_waiting")
            .help("Settled dumps waiting for an upload slot or a retry").register(registry);
    public final Gauge s3Up = Gauge.builder().name("dumpsink_s3_up")
            .help("1 while S3 answers and accepts the agent; 0 while it is unreachable or refuses (see /readyz)").register(registry);
    public final Gauge localPendingBytes = Gauge.builder().name("dumpsink_local_pending_bytes")
            .help("Bytes of dump files in the watch dir not yet stored in the bucket").register(registry);
    public final Gauge diskOverCap = Gauge.builder().name("dumpsink_disk_over_cap")
            .help("1 while dumps not yet stored exceed agent.max-local-bytes").register(registry);
    public final Counter keptFilesEvicted = Counter.builder().name("dumpsink_kept_files_evicted_total")
            .help("Already-stored files deleted to get under agent.max-local-bytes (after-upload = keep)")
            .register(registry);
    public final Counter rescans = Counter.builder().name("dumpsink_watch_rescans_total")
            .help("Rescans of the watch dir completed (the startup sweep and every agent.rescan-interval)")
            .register(registry);
    public final Gauge watchedDirs = Gauge.builder().name("dumpsink_watched_dirs")
            .help("Folders with an inotify watch now (each takes one of root's fs.inotify.max_user_watches)")
            .register(registry);
    public final Gauge unwatchedDirs = Gauge.builder().name("dumpsink_unwatched_dirs")
            .help("Folders seen by the last rescan without an inotify watch (beyond agent.max-watched-dirs or"
                    + " max-watched-dirs-per-pod, in an event storm, or refused by the kernel): listed at every"
                    + " rescan").register(registry);
    public final Counter watchScanCutoffs = Counter.builder().name("dumpsink_watch_scan_cutoffs_total")
            .help("Scans of a pod's folders stopped at agent.max-entries-per-pod: the rest was not looked at in"
                    + " that scan").register(registry);
    public final Counter watchStormFolders = Counter.builder().name("dumpsink_watch_storm_folders_total")
            .help("Folders unwatched for a rescan interval because their pod created names faster than"
                    + " agent.max-pod-events-per-second").register(registry);
    public final Counter watchFolderRescans = Counter.builder().name("dumpsink_watch_folder_rescans_total")
            .help("Folders listed again between rescans because their events were lost (overflow, storm)")
            .register(registry);
    public final Counter bufferAllocationFailures = Counter.builder()
            .name("dumpsink_buffer_allocation_failures_total")
            .help("Upload buffers that could not be allocated: beyond the buffer budget, or the JVM out of direct"
                    + " memory (the dump stays and is retried; /readyz shows the memory condition)")
            .register(registry);
    public final Counter watchOverflows = Counter.builder().name("dumpsink_watch_overflows_total")
            .help("inotify event overflows, counted per folder that lost events (each such folder is looked at"
                    + " again after agent.overflow-rescan-delay)").register(registry);

    public final Gauge ready = Gauge.builder().name("dumpsink_ready")
            .help("1 while /readyz answers 200: started, and no condition below is set").register(registry);
    public final Gauge notReady = Gauge.builder().name("dumpsink_not_ready")
            .help("1 while the named condition keeps the agent from being ready (reason in /readyz and the log)")
            .labelNames("condition").register(registry);

    public final Gauge stagesStalled = Gauge.builder().name("dumpsink_stage_stalled")
            .help("1 while the stage has been busy with one operation for longer than agent.stall-timeout")
            .labelNames("stage").register(registry);

    public PrometheusRegistry registry() {
        return registry;
    }
}
