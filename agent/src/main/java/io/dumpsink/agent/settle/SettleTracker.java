package io.dumpsink.agent.settle;

import io.dumpsink.core.lifecycle.Threads;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.agent.config.WatchSettings;
import io.dumpsink.agent.fs.FileIdentity;
import io.dumpsink.agent.fs.WatchRoot;
import io.dumpsink.agent.metrics.AgentMetrics;
import io.dumpsink.agent.watch.DumpFile;
import io.dumpsink.agent.watch.FoundFiles;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when a file is a finished dump: a regular file whose identity (size, modification time, inode) has not
 * changed for {@code settle-time}. A JVM writes its heap dump in one go, so a quiet file is a complete one; a
 * file that is still growing keeps being postponed.
 *
 * <p>All state is touched on one thread ({@code dumpsink-settle}), so it needs no locks. Each pending file has at
 * most one scheduled check, however many events it produces. Once settled, a file is handed to {@link SettledDumps}
 * and forgotten here; files that are not regular (FIFOs, sockets, devices, symlinks) are never handed on.
 */
@Singleton
public final class SettleTracker implements FoundFiles {
    private static final Logger log = LoggerFactory.getLogger(SettleTracker.class);

    private final WatchRoot root;
    private final Path watchDir;
    private final Duration settleTime;
    private final SettledDumps next;
    private final Clock clock;
    private final AgentMetrics metrics;
    private final Map<Path, Pending> pending = new HashMap<>();
    private final Set<Path> rejected = new HashSet<>();
    private final ScheduledExecutorService executor;

    private static final class Pending {
        FileIdentity identity;
        Instant stableSince;
        final Instant detectedAt;
        boolean checkScheduled;

        Pending(FileIdentity identity, Instant now) {
            this.identity = identity;
            this.stableSince = now;
            this.detectedAt = now;
        }
    }

    @Inject
    SettleTracker(WatchSettings settings, SettledDumps next, Clock clock, AgentMetrics metrics) {
        this.root = new WatchRoot(settings.watchDir());
        this.watchDir = settings.watchDir();
        this.settleTime = settings.settleTime();
        this.next = next;
        this.clock = clock;
        this.metrics = metrics;
        this.executor = Executors.newSingleThreadScheduledExecutor(Threads.named("dumpsink-settle"));
    }

    @Override
    public void found(Path relative) {
        try {
            executor.execute(() -> observe(relative));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down: the next start's sweep finds the file again
        }
    }

    public void stop() {
        executor.shutdownNow();
    }

    private void observe(Path relative) {
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
        FileIdentity identity = FileIdentity.of(attributes);
        Instant now = clock.instant();
        Pending entry = pending.get(relative);
        if (entry == null) {
            entry = new Pending(identity, now);
            pending.put(relative, entry);
            metrics.dumpsDetected.inc();
            log.info("Detected path={} size={} settleTime={}", relative, identity.size(), settleTime);
        } else if (!entry.identity.equals(identity)) {
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
        if (!attributes.isRegularFile()) {
            observe(relative);
            return;
        }
        FileIdentity identity = FileIdentity.of(attributes);
        Instant now = clock.instant();
        if (!identity.equals(entry.identity)) {
            entry.identity = identity;
            entry.stableSince = now;
        }
        Duration quiet = Duration.between(entry.stableSince, now);
        if (quiet.compareTo(settleTime) >= 0) {
            pending.remove(relative);
            log.info("Settled path={} size={} quietFor={}", relative, identity.size(), quiet);
            next.settled(new SettledDump(DumpFile.of(relative), identity, entry.detectedAt));
        } else {
            schedule(relative, entry, settleTime.minus(quiet));
        }
    }

    private void schedule(Path relative, Pending entry, Duration delay) {
        entry.checkScheduled = true;
        executor.schedule(() -> check(relative), Math.max(1, delay.toMillis()), TimeUnit.MILLISECONDS);
    }

    private int linkCount(Path relative) {
        try {
            return (Integer) java.nio.file.Files.getAttribute(watchDir.resolve(relative), "unix:nlink",
                    java.nio.file.LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException e) {
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
            pending.remove(relative);
            if (rejected.add(relative)) {
                metrics.filesSkipped.labelValues("unreadable").inc();
                log.warn("Skipping path={} reason=cannot-stat error={}", relative, e.toString());
            }
            return null;
        }
    }
}
