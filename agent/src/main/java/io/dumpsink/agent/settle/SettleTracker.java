package io.dumpsink.agent.settle;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.agent.config.WatchSettings;
import io.dumpsink.agent.fs.FileIdentity;
import io.dumpsink.agent.fs.WatchRoot;
import io.dumpsink.agent.health.Heartbeat;
import io.dumpsink.agent.health.Watchdog;
import io.dumpsink.agent.metrics.AgentMetrics;
import io.dumpsink.agent.watch.DumpFile;
import io.dumpsink.agent.watch.FoundFiles;
import io.dumpsink.core.lifecycle.Threads;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when a file is a finished dump. Every file must first be quiet: its identity (size, modification time,
 * inode), and that of the segment files beside it, unchanged for {@code settle-time}. Then:
 * <ul>
 *   <li>a heap dump ({@code .hprof}, {@code .hprof.gz}) is taken once no segment file of it exists and its
 *       structure says it is complete ({@link DumpCompleteness}: the header and the HEAP DUMP END record, read from
 *       its two ends). JDK 22+ writes a dump in two phases: a small {@code X.hprof} first, then the heap into
 *       {@code X.hprof.p0}, {@code .p1}, ... and then merges them into {@code X.hprof}; the small file sits
 *       unchanged for minutes meanwhile and must not be taken;</li>
 *   <li>a heap dump that stays incomplete (a JVM killed mid-dump leaves a truncated one, still worth having) is
 *       taken once it and its segments have been quiet for {@code incomplete-wait}, with a WARN and
 *       {@code dumpsink_dumps_incomplete_total}; so are segment files left by such a JVM, each as a dump of its
 *       own, so nothing is lost and the next JVM can write its segments under the same names;</li>
 *   <li>any other file (cores, {@code *.dmp}, crash logs) is taken as soon as it is quiet.</li>
 * </ul>
 *
 * <p>All state is touched on one thread ({@code dumpsink-settle}), so it needs no locks. Each pending file has at
 * most one scheduled check, however many events it produces. Once settled, a file is handed to {@link SettledDumps}
 * and forgotten here; files that are not regular (FIFOs, sockets, devices, symlinks) are never handed on.
 */
@Singleton
public final class SettleTracker implements FoundFiles {
    private static final Logger log = LoggerFactory.getLogger(SettleTracker.class);

    private final WatchRoot root;
    private final Duration settleTime;
    private final Duration incompleteWait;
    private final long maxDumpSize;
    private final IncludedNames include;
    private final SettledDumps next;
    private final Clock clock;
    private final AgentMetrics metrics;
    /** More segments than any JVM writes (one per dump thread, at most the CPUs it sees). */
    private static final int MAX_SEGMENTS = 1024;
    private final Map<Path, Pending> pending = new HashMap<>();
    private final Set<Path> rejected = new HashSet<>();
    private final ScheduledExecutorService executor;
    private final Heartbeat heartbeat;

    private static final class Pending {
        List<String> fingerprint;
        FileIdentity identity;
        Instant stableSince;
        final Instant detectedAt;
        boolean checkScheduled;
        boolean waitLogged;

        /** Where the pod wrote it (the same as the path tracked, unless the agent claimed it already). */
        DumpFile file;

        Pending(List<String> fingerprint, FileIdentity identity, Instant now) {
            this.fingerprint = fingerprint;
            this.identity = identity;
            this.stableSince = now;
            this.detectedAt = now;
        }
    }

    @Inject
    SettleTracker(WatchSettings settings, WatchRoot root, SettledDumps next, Clock clock, AgentMetrics metrics,
            Watchdog watchdog) {
        this.heartbeat = watchdog.register("settle");
        this.root = root;
        this.settleTime = settings.settleTime();
        this.incompleteWait = settings.incompleteWait();
        this.maxDumpSize = settings.maxDumpSize();
        this.include = new IncludedNames(settings.include());
        this.next = next;
        this.clock = clock;
        this.metrics = metrics;
        this.executor = Executors.newSingleThreadScheduledExecutor(Threads.named("dumpsink-settle"));
    }

    @Override
    public void found(Path relative) {
        try {
            executor.execute(() -> watched(relative, () -> observe(relative, DumpFile.of(relative))));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down: the next start's sweep finds the file again
        }
    }

    public void stop() {
        executor.shutdownNow();
    }

    /** Runs one step on the settle thread with its heartbeat busy, so the watchdog sees a step that never ends. */
    private void watched(Path relative, Runnable step) {
        heartbeat.busy(relative);
        try {
            step.run();
        } finally {
            heartbeat.idle();
        }
    }

    /**
     * Takes a file the agent already claimed back through every check, as if it had just appeared: one that
     * changed after it was claimed (a process still holding it open wrote to it), or one found in the claim folder
     * at startup. Its name must still match an include glob; then size cap, link count, quiet time and
     * completeness apply as to any file, before it goes to the pipeline again.
     */
    public void resettle(SettledDump claimed) {
        Path location = claimed.location();
        if (!include.matches(claimed.file().fileName())) {
            log.warn("Skipping claimed path={} location={} reason=not-included (it stays in the claim folder)",
                    claimed.file().relative(), location);
            metrics.filesSkipped.labelValues("not_included").inc();
            return;
        }
        try {
            executor.execute(() -> watched(location, () -> observe(location, claimed.file())));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down: the next start recovers it from the claim folder
        }
    }

    private void observe(Path relative, DumpFile file) {
        if (next.owns(relative)) {
            return;
        }
        BasicFileAttributes attributes = statOrForget(relative);
        if (attributes == null) {
            return;
        }
        if (!attributes.isRegularFile()) {
            pending.remove(relative);
            if (rejected.add(relative)) {
                metrics.filesSkipped.labelValues("not_regular").inc();
                log.warn("Skipping path={} reason=not-a-regular-file (symlink, FIFO, socket or device)", relative);
            }
            return;
        }
        if (attributes.size() > maxDumpSize) {
            pending.remove(relative);
            if (rejected.add(relative)) {
                metrics.filesSkipped.labelValues("too_big").inc();
                log.warn("Skipping path={} reason=too-big size={} maxDumpSize={} (agent.max-dump-size); the file"
                        + " stays on the node", relative, attributes.size(), maxDumpSize);
            }
            return;
        }
        if (linkCount(relative) > 1) {
            // A hard link may point at any file on the node's file system (/etc/shadow): never upload one.
            pending.remove(relative);
            if (rejected.add(relative)) {
                metrics.filesSkipped.labelValues("hard_link").inc();
                log.warn("Skipping path={} reason=hard-link (link count > 1: it may be a file from outside)",
                        relative);
            }
            return;
        }
        rejected.remove(relative);
        List<String> fingerprint = fingerprint(relative, attributes);
        if (fingerprint == null) {
            return;
        }
        FileIdentity identity = FileIdentity.of(attributes);
        Instant now = clock.instant();
        Pending entry = pending.get(relative);
        if (entry == null) {
            entry = new Pending(fingerprint, identity, now);
            entry.file = file;
            pending.put(relative, entry);
            metrics.dumpsDetected.inc();
            log.info("Detected path={} size={} settleTime={}", relative, identity.size(), settleTime);
        } else if (!entry.fingerprint.equals(fingerprint)) {
            entry.fingerprint = fingerprint;
            entry.identity = identity;
            entry.stableSince = now;
        }
        if (!entry.checkScheduled) {
            schedule(relative, entry, settleTime);
        }
    }

    private void check(Path relative) {
        Pending entry = pending.get(relative);
        if (entry == null) {
            return;
        }
        entry.checkScheduled = false;
        BasicFileAttributes attributes = statOrForget(relative);
        if (attributes == null) {
            return;
        }
        if (!attributes.isRegularFile() || attributes.size() > maxDumpSize) {
            observe(relative, entry.file);
            return;
        }
        List<String> fingerprint = fingerprint(relative, attributes);
        if (fingerprint == null) {
            return;
        }
        Instant now = clock.instant();
        if (!fingerprint.equals(entry.fingerprint)) {
            entry.fingerprint = fingerprint;
            entry.identity = FileIdentity.of(attributes);
            entry.stableSince = now;
        }
        Duration quiet = Duration.between(entry.stableSince, now);
        if (quiet.compareTo(settleTime) < 0) {
            schedule(relative, entry, settleTime.minus(quiet));
            return;
        }
        String waitingFor = incompleteBecause(relative, entry);
        if (waitingFor == null) {
            settle(relative, entry, quiet);
        } else if (quiet.compareTo(incompleteWait) >= 0) {
            metrics.dumpsIncomplete.inc();
            log.warn("Shipping a dump that did not complete path={} reason={} quietFor={} incompleteWait={}; its"
                    + " manifest records whether the file itself is truncated (complete)", relative, waitingFor,
                    quiet, incompleteWait);
            settle(relative, entry, quiet);
        } else {
            if (!entry.waitLogged) {
                entry.waitLogged = true;
                log.info("Waiting for dump to complete path={} reason={} incompleteWait={}", relative, waitingFor,
                        incompleteWait);
            }
            // Quiet but unfinished: look again after another settle time (the JVM may be writing a segment).
            schedule(relative, entry, settleTime);
        }
    }

    private void settle(Path relative, Pending entry, Duration quiet) {
        pending.remove(relative);
        log.info("Settled path={} size={} quietFor={}", relative, entry.identity.size(), quiet);
        next.settled(new SettledDump(entry.file, relative, entry.identity, entry.detectedAt));
    }

    /** Why a quiet file is not a finished dump yet, or null when it is. */
    private String incompleteBecause(Path relative, Pending entry) {
        String name = relative.getFileName().toString();
        if (DumpNames.isSegment(name)) {
            return "segment of a heap dump still being written (or of a JVM that died)";
        }
        DumpFormat format = DumpFormat.ofFileName(name);
        if (format == DumpFormat.OTHER) {
            return null;
        }
        if (entry.fingerprint.size() > 1) {
            return "segment files " + name + ".p* beside it: the JVM is still writing the heap";
        }
        try (SeekableByteChannel channel = root.openForRead(relative, entry.identity)) {
            DumpCompleteness.Result result = DumpCompleteness.check(format, channel);
            return result.state() == DumpCompleteness.State.INCOMPLETE ? result.reason() : null;
        } catch (IOException | RuntimeException e) {
            // Changed under us (the next check sees it) or unreadable (the upload reports it): not judged here.
            return "cannot check its structure yet: " + e;
        }
    }

    /**
     * What must stay unchanged for {@code relative} to be quiet: its own identity and, for a heap dump or one of
     * its segments, that of every segment beside it. Null when the folder cannot be read (then forgotten).
     */
    private List<String> fingerprint(Path relative, BasicFileAttributes attributes) {
        List<String> fingerprint = new ArrayList<>();
        fingerprint.add(FileIdentity.of(attributes).describe());
        String name = relative.getFileName().toString();
        String main = DumpNames.mainName(name);
        if (DumpFormat.ofFileName(main) == DumpFormat.OTHER) {
            return fingerprint;
        }
        try {
            if (!main.equals(name)) {
                root.siblingsInSequence(relative, i -> main, 1).forEach((sibling, attributes2) ->
                        fingerprint.add(sibling + "=" + FileIdentity.of(attributes2).describe()));
            }
            // HotSpot numbers a dump's segments .p0, .p1, ... from 0 without gaps, one per dump thread.
            root.siblingsInSequence(relative, i -> main + ".p" + i, MAX_SEGMENTS).forEach((sibling, attributes2) -> {
                if (!sibling.equals(name)) {
                    fingerprint.add(sibling + "=" + FileIdentity.of(attributes2).describe());
                }
            });
        } catch (IOException | RuntimeException e) {
            return statFailed(relative, e);
        }
        return fingerprint;
    }

    private void schedule(Path relative, Pending entry, Duration delay) {
        entry.checkScheduled = true;
        executor.schedule(() -> watched(relative, () -> check(relative)), Math.max(1, delay.toMillis()),
                TimeUnit.MILLISECONDS);
    }

    /** Read from the folder's descriptor; opening and deleting check it again on their own descriptors. */
    private int linkCount(Path relative) {
        try {
            return root.linkCount(relative);
        } catch (IOException | RuntimeException e) {
            return Integer.MAX_VALUE; // cannot tell: treat as linked
        }
    }

    /** The file's own attributes, or null (and forgotten) when it is gone or cannot be read. */
    private BasicFileAttributes statOrForget(Path relative) {
        try {
            return root.stat(relative);
        } catch (NoSuchFileException e) {
            pending.remove(relative);
            rejected.remove(relative);
            return null;
        } catch (IOException | RuntimeException e) {
            return statFailed(relative, e);
        }
    }

    private <T> T statFailed(Path relative, Exception e) {
        pending.remove(relative);
        if (e instanceof NoSuchFileException) {
            rejected.remove(relative);
            return null;
        }
        if (rejected.add(relative)) {
            metrics.filesSkipped.labelValues("unreadable").inc();
            log.warn("Skipping path={} reason=cannot-stat error={}", relative, e.toString());
        }
        return null;
    }
}
