package io.dumpsink.agent.cleanup;

import io.dumpsink.core.lifecycle.Threads;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.agent.claim.DumpClaims;
import io.dumpsink.agent.config.PipelineSettings;
import io.dumpsink.agent.config.WatchSettings;
import io.dumpsink.agent.fs.FileChangedException;
import io.dumpsink.agent.fs.FileIdentity;
import io.dumpsink.agent.fs.WatchRoot;
import io.dumpsink.agent.settle.IncludedNames;
import io.dumpsink.agent.metrics.AgentMetrics;
import io.dumpsink.agent.pipeline.DumpPipeline;
import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches how much of the node's disk dumps take against {@code agent.max-local-bytes}. Dumps not yet stored are
 * never deleted, whatever the pressure: going over the cap with them logs one ERROR (and one line when back under)
 * and sets {@code dumpsink_disk_over_cap}. Files kept after upload ({@code after-upload = keep}) are durable
 * copies, so the oldest of them are deleted first to get back under the cap. Checked every rescan interval.
 */
@Singleton
public final class DiskPressure {
    private static final Logger log = LoggerFactory.getLogger(DiskPressure.class);
    private final WatchSettings watch;
    private final WatchRoot root;
    private final DumpClaims claims;
    private final long cap;
    private final DumpPipeline pipeline;
    private final AgentMetrics metrics;
    private final IncludedNames include;
    private final ScheduledExecutorService executor =
            Executors.newSingleThreadScheduledExecutor(Threads.named("dumpsink-disk"));
    private boolean overCap;

    @Inject
    DiskPressure(WatchSettings watch, WatchRoot root, DumpClaims claims, PipelineSettings settings,
            DumpPipeline pipeline, AgentMetrics metrics) {
        this.claims = claims;
        this.watch = watch;
        this.root = root;
        this.cap = settings.maxLocalBytes().orElse(Long.MAX_VALUE);
        this.pipeline = pipeline;
        this.metrics = metrics;
        this.include = new IncludedNames(watch.include());
    }

    public void start() {
        if (cap == Long.MAX_VALUE) {
            return;
        }
        long interval = watch.rescanInterval().toMillis();
        executor.scheduleWithFixedDelay(this::checkQuietly, interval, interval, TimeUnit.MILLISECONDS);
    }

    public void stop() {
        executor.shutdownNow();
    }

    private void checkQuietly() {
        try {
            check();
        } catch (IOException | RuntimeException e) {
            log.warn("Disk check failed error={}", e.toString());
        }
    }

    void check() throws IOException {
        Map<Path, FileIdentity> kept = pipeline.keptFiles();
        List<Found> stored = new ArrayList<>();
        long total = 0;
        long pending = 0;
        for (Found file : dumpFiles()) {
            total += file.size;
            if (file.identity.equals(kept.get(file.relative))) {
                stored.add(file);
            } else {
                pending += file.size;
            }
        }
        stored.sort(Comparator.comparing((Found f) -> f.identity.modifiedAt()));
        for (Found file : stored) {
            if (total <= cap) {
                break;
            }
            try {
                root.deleteIfUnchanged(file.relative, file.identity);
                claims.released(file.relative);
                pipeline.forgetKept(file.relative, file.identity);
                total -= file.size;
                metrics.keptFilesEvicted.inc();
                log.info("Deleted stored copy to free disk path={} size={} cap={}", file.relative, file.size, cap);
            } catch (FileChangedException e) {
                // rewritten since it was stored: a new dump now, not ours to delete
            }
        }
        metrics.localPendingBytes.set(pending);
        boolean over = pending > cap;
        if (over && !overCap) {
            log.error("Dumps not yet stored exceed the disk cap pendingBytes={} maxLocalBytes={}; nothing is"
                    + " deleted until they are in the bucket (is S3 reachable?)", pending, cap);
        } else if (!over && overCap) {
            log.info("Dumps back under the disk cap pendingBytes={} maxLocalBytes={}", pending, cap);
        }
        overCap = over;
        metrics.diskOverCap.set(over ? 1 : 0);
    }

    private record Found(Path relative, FileIdentity identity, long size) {
    }

    private List<Found> dumpFiles() throws IOException {
        List<Found> found = new ArrayList<>();
        Path base = watch.watchDir();
        // Claimed files sit two folders deeper (claim folder, claim id) than where the pod wrote them.
        Files.walkFileTree(base, EnumSet.noneOf(FileVisitOption.class), watch.maxDepth() + 3,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                        if (attributes.isRegularFile() && include.matches(file.getFileName().toString())) {
                            found.add(new Found(base.relativize(file), FileIdentity.of(attributes), attributes.size()));
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) {
                        return FileVisitResult.CONTINUE;
                    }
                });
        return found;
    }
}
