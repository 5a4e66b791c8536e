package io.dumpsink.agent.pipeline;

import io.dumpsink.core.lifecycle.Threads;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.agent.claim.DumpClaims;
import io.dumpsink.agent.cleanup.LocalCleanup;
import io.dumpsink.agent.config.PipelineSettings;
import io.dumpsink.agent.fs.FileChangedException;
import io.dumpsink.agent.fs.FileIdentity;
import io.dumpsink.agent.health.Heartbeat;
import io.dumpsink.agent.health.Watchdog;
import io.dumpsink.agent.metrics.AgentMetrics;
import io.dumpsink.agent.notify.DumpNotifier;
import io.dumpsink.agent.record.DumpKeys;
import io.dumpsink.agent.record.ManifestRecorder;
import io.dumpsink.agent.settle.SettleTracker;
import io.dumpsink.agent.settle.SettledDump;
import com.google.inject.Provider;
import io.dumpsink.agent.settle.SettledDumps;
import io.dumpsink.agent.upload.BufferAllocationException;
import io.dumpsink.agent.upload.UploadDiscardedException;
import io.dumpsink.agent.upload.DumpUploader;
import io.dumpsink.agent.upload.UploadResult;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.retry.Backoff;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries each settled dump through its journey: claim → key → upload → manifest and verification → local
 * cleanup, with at most {@code max-concurrent-dumps} at once; stored dumps are announced to the
 * {@link DumpNotifier} (the presigner, which posts to chat). Waiting dumps are served pods in turn, each pod's
 * oldest first ({@link FairQueue}), so no pod can make the others wait behind all of its files.
 *
 * <p>A settled dump is first claimed ({@link DumpClaims}): moved into the agent's own folder, so the pod can write
 * its next dump under the same name at once. A failed step leaves the file where it is and retries the whole dump
 * later, without limit (a dump that reached the watch dir leaves the node only when it is durable), with
 * exponential backoff and full jitter: up to {@code retry-max} for failures that pass by themselves (S3 unreachable,
 * 5xx, I/O), up to the much longer {@code retry-max-permanent} for answers that only a person can change (access
 * denied, no such bucket, bad credentials) and for JVM {@link Error}s, so those never spin. Either way the stored
 * parts are kept and the retry resumes. A file that changed while being shipped is dropped here; being a new dump
 * now, it settles again and comes back. On {@link #stop}, no new dump starts; uploads in flight get the shutdown
 * grace to finish and are then paused (their journal lets the next start resume them).
 */
@Singleton
public final class DumpPipeline implements SettledDumps {
    private static final Logger log = LoggerFactory.getLogger(DumpPipeline.class);

    private final PipelineSettings settings;
    private final DumpKeys keys;
    private final DumpUploader uploader;
    private final ManifestRecorder recorder;
    private final LocalCleanup cleanup;
    private final S3Health health;
    private final DumpClaims claims;
    private final Watchdog watchdog;
    /** A provider: the settle stage feeds this pipeline, and takes changed claimed files back from it. */
    private final Provider<SettleTracker> settle;
    private final DumpNotifier notifier;
    private final AgentMetrics metrics;
    private final Map<Path, Job> owned = new ConcurrentHashMap<>();
    /** Files kept after upload ({@code after-upload = keep}) that must not be shipped again. */
    private final Set<Kept> kept = ConcurrentHashMap.newKeySet();
    /** Pods in turn, each pod's oldest dump first. */
    private final FairQueue<Job> queue = new FairQueue<>(
            job -> job.dump.file().namespace() + "/" + job.dump.file().pod(),
            Comparator.comparing((Job job) -> job.dump.identity().modifiedAt())
                    .thenComparing(job -> job.dump.location()));
    private final ExecutorService workers;
    private final ScheduledExecutorService retries;
    private volatile boolean stopping;

    private record Kept(Path relative, FileIdentity identity) {
    }

    private static final class Job {
        final SettledDump dump;
        int failures;
        /** The failure class last logged for this dump: a dump logs again only when its trouble changes. */
        Object lastLogged;
        /** This attempt's key lookup (a read) reached S3, which then counted as the end of an outage. */
        boolean answered;
        /**
         * An earlier attempt's read reached S3 and a write then failed as unreachable (a store that serves reads
         * but fails writes: a full disk, SlowDown on PUT): reads no longer count as the end of an outage for this
         * dump, so its retries do not flip the outage state (and the log, and /readyz) back and forth.
         */
        boolean writesFailAfterReads;

        Job(SettledDump dump) {
            this.dump = dump;
        }
    }

    @Inject
    DumpPipeline(PipelineSettings settings, DumpKeys keys, DumpUploader uploader, ManifestRecorder recorder,
            LocalCleanup cleanup, S3Health health, DumpClaims claims, DumpNotifier notifier,
            Provider<SettleTracker> settle,
            Watchdog watchdog, AgentMetrics metrics) {
        this.watchdog = watchdog;
        this.settle = settle;
        this.settings = settings;
        this.keys = keys;
        this.uploader = uploader;
        this.recorder = recorder;
        this.cleanup = cleanup;
        this.health = health;
        this.claims = claims;
        this.notifier = notifier;
        this.metrics = metrics;
        this.workers = Executors.newFixedThreadPool(settings.maxConcurrentDumps(), Threads.named("dumpsink-dump"));
        this.retries = Executors.newSingleThreadScheduledExecutor(Threads.named("dumpsink-retry"));
    }

    public void start() {
        for (int i = 1; i <= settings.maxConcurrentDumps(); i++) {
            String stage = "upload-" + i;
            workers.execute(() -> work(watchdog.registerCurrentThread(stage)));
        }
    }

    /** Takes a settled dump (or one claimed by an earlier run): claims it and queues it. Returns at once. */
    @Override
    public void settled(SettledDump dump) {
        if (stopping || kept.contains(new Kept(dump.location(), dump.identity()))) {
            return;
        }
        SettledDump claimed = claim(dump);
        if (claimed == null) {
            return;
        }
        Job job = new Job(claimed);
        if (owned.putIfAbsent(claimed.location(), job) == null) {
            enqueue(job);
        }
    }

    /** The dump in the agent's claim folder; in place when it cannot be moved; null when it changed. */
    private SettledDump claim(SettledDump dump) {
        if (dump.claimed()) {
            return dump;
        }
        try {
            return claims.claim(dump);
        } catch (FileChangedException e) {
            log.info("Not claimed path={} reason={}; it settles again if it is still there", dump.file().relative(),
                    e.getMessage());
            return null;
        } catch (IOException | RuntimeException e) {
            log.warn("Cannot claim path={} error={}; shipping it in place (the pod cannot write another dump under"
                    + " this name until it is stored)", dump.file().relative(), e.toString());
            return dump;
        }
    }

    /** Files kept after upload ({@code after-upload = keep}), with the identity they were stored with. */
    public Map<Path, FileIdentity> keptFiles() {
        Map<Path, FileIdentity> files = new java.util.HashMap<>();
        kept.forEach(k -> files.put(k.relative(), k.identity()));
        return files;
    }

    /** Forgets a kept file (deleted to free disk). */
    public void forgetKept(Path relative, FileIdentity identity) {
        kept.remove(new Kept(relative, identity));
    }

    @Override
    public boolean owns(Path relative) {
        return owned.containsKey(relative);
    }

    /** Stops taking dumps, lets uploads in flight finish within the grace period, then pauses what is left. */
    public void stop(Duration grace) {
        stopping = true;
        retries.shutdownNow();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("Shutdown grace over, pausing uploads in flight grace={}", grace);
                workers.shutdownNow();
                workers.awaitTermination(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private void enqueue(Job job) {
        metrics.dumpsWaiting.inc();
        queue.add(job);
    }

    private void work(Heartbeat heartbeat) {
        while (!stopping) {
            Job job;
            try {
                job = queue.poll(250, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (job != null) {
                metrics.dumpsWaiting.dec();
                heartbeat.busy(job.dump.location()); // the uploader reports progress per chunk it reads
                try {
                    if (!ship(job)) {
                        return; // interrupted: shutting down
                    }
                } finally {
                    heartbeat.idle();
                }
            }
        }
    }

    /** Ships one dump; returns false when interrupted. */
    private boolean ship(Job job) {
        SettledDump dump = job.dump;
        Path relative = dump.location();
        long started = System.nanoTime();
        metrics.uploadsInFlight.inc();
        try {
            DumpKeys.Allocation allocation = keys.allocate(dump);
            job.answered = !job.writesFailAfterReads;
            if (job.answered) {
                health.answered(); // an outage is over as soon as S3 answers, not when the whole dump is in
            }
            Manifest manifest;
            Optional<Manifest> stored = allocation.alreadyStored();
            if (stored.isPresent()) {
                manifest = stored.get();
                recorder.verify(manifest, -1);
                log.info("Already stored path={} key={}", relative, manifest.key());
            } else {
                UploadResult result;
                try (allocation) { // the key stays reserved until its manifest is written or this attempt failed
                    result = uploader.upload(dump, allocation.key());
                    manifest = recorder.record(dump, result);
                }
                // The moment the dump is safe in the bucket (issue #15's "object + manifest verified"); freeing the
                // node's disk follows, and for a big file the unlink alone takes a noticeable fraction of a second.
                log.info("Dump verified path={} key={} seconds={}", dump.file().relative(), manifest.key(),
                        String.format("%.2f", (System.nanoTime() - started) / 1e9));
                metrics.bytesStored.inc(result.storedSize());
                notifier.stored(manifest);
            }
            cleanup.release(dump);
            if (cleanup.keepsFiles()) {
                kept.add(new Kept(relative, dump.identity()));
            }
            owned.remove(relative);
            health.succeeded();
            double seconds = (System.nanoTime() - started) / 1e9;
            metrics.dumpsUploaded.inc();
            metrics.uploadSeconds.observe(seconds);
            log.info("Dump stored path={} location={} key={} originalSize={} storedSize={} sha256={} seconds={}",
                    dump.file().relative(), relative, manifest.key(), manifest.originalSize(), manifest.storedSize(), manifest.sha256(),
                    String.format("%.2f", seconds));
            return true;
        } catch (FileChangedException e) {
            owned.remove(relative);
            metrics.dumpsFailed.labelValues("file_changed").inc();
            log.warn("Dump changed while shipping path={} location={} reason={}; it will settle again as a new"
                    + " dump", dump.file().relative(), relative, e.getMessage());
            if (dump.claimed()) {
                settleAgainLater(dump);
            }
            return true;
        } catch (InterruptedException e) {
            owned.remove(relative);
            Thread.currentThread().interrupt();
            log.warn("Upload interrupted by shutdown path={}; the file stays and is shipped after restart",
                    relative);
            return false;
        } catch (Exception | Error e) {
            retryLater(job, e);
            return true;
        } finally {
            metrics.uploadsInFlight.dec();
        }
    }

    /**
     * A claimed file that changed (a process still holding it open wrote to it) is out of the watcher's sight, so
     * the pipeline hands it back to the settle stage, which applies every check again (size cap, links, quiet
     * time, completeness) before it returns here; a deleted one is forgotten there.
     */
    private void settleAgainLater(SettledDump dump) {
        settle.get().resettle(dump);
    }

    private void retryLater(Job job, Throwable failure) {
        job.failures++;
        Failure kind = Failure.of(failure);
        if (job.answered && kind == Failure.S3_UNREACHABLE) {
            job.writesFailAfterReads = true;
        }
        Duration delay = (kind.permanent ? settings.retryPermanent() : settings.retry()).delay(job.failures);
        Path path = job.dump.file().relative();
        metrics.dumpsFailed.labelValues(kind.label).inc();
        switch (kind) {
            case S3_UNREACHABLE -> health.failed(failure); // logs once per outage, not per retry
            case S3_REFUSED -> health.refused(failure); // logs once until S3 accepts again
            case ERROR -> {
                if (job.lastLogged != kind) {
                    log.error("Unexpected error shipping path={} retryIn={}", path, delay, failure);
                }
            }
            default -> {
            }
        }
        boolean changed = job.lastLogged != kind;
        job.lastLogged = kind;
        if (changed && (kind == Failure.FILE || kind == Failure.OTHER)) {
            log.warn("Upload failed path={} reason={} retryIn={} error={}", path, kind.label, delay,
                    failure.toString());
        } else {
            log.debug("Upload failed path={} reason={} attempt={} retryIn={} error={}", path, kind.label,
                    job.failures, delay, failure.toString());
        }
        try {
            retries.schedule(() -> enqueue(job), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            owned.remove(job.dump.location()); // shutting down; the next start finds the file again
        }
    }

    /** Why an attempt failed, which decides how long to wait and what to tell. */
    private enum Failure {
        /** Unreadable, permissions: the file's problem, not the store's. */
        FILE("file", false),
        /** Connection refused, timeouts, 5xx, 408, 429: passes by itself. */
        S3_UNREACHABLE("s3", false),
        /** Access denied, no such bucket, bad credentials, other 4xx: only a person can change it. */
        S3_REFUSED("s3_refused", true),
        /** Upload buffers could not be allocated (budget or direct memory): passes once other uploads end. */
        MEMORY("memory", false),
        /** A JVM error (out of memory, a bug): retrying quickly would only repeat it. */
        ERROR("error", true),
        OTHER("other", false);

        final String label;
        final boolean permanent;

        Failure(String label, boolean permanent) {
            this.label = label;
            this.permanent = permanent;
        }

        static Failure of(Throwable failure) {
            if (failure instanceof Error) {
                return ERROR;
            }
            if (failure instanceof BufferAllocationException) {
                return MEMORY; // logged once per change of state by the buffer pool
            }
            if (failure instanceof UploadDiscardedException) {
                return OTHER; // one upload's fault: retried soon, from byte 0
            }
            if (failure instanceof java.nio.file.FileSystemException) {
                return FILE;
            }
            if (failure instanceof software.amazon.awssdk.core.exception.SdkException) {
                return Backoff.isTransient(failure) ? S3_UNREACHABLE : S3_REFUSED;
            }
            return OTHER;
        }
    }
}
