package io.dumpsink.agent.watch;

import io.dumpsink.core.lifecycle.Threads;
import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.agent.claim.DumpClaims;
import io.dumpsink.agent.config.WatchSettings;
import io.dumpsink.agent.fs.WatchRoot;
import io.dumpsink.agent.metrics.AgentMetrics;
import io.dumpsink.agent.settle.DumpNames;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.FileVisitor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds candidate dump files below the watch dir and reports them to {@link FoundFiles}. Three sources, because
 * any one can miss a file: inotify events on every folder (Java's {@link WatchService}, registered recursively as
 * folders appear), a sweep at startup (files written while the agent was down) and a periodic rescan (events lost to
 * queue overflow). Idle, it blocks on the inotify queue and wakes only for the rescan.
 *
 * <p>Only regular files whose name matches an include glob are reported (and the segments JDK 22+ writes beside a
 * heap dump, {@code X.hprof.p0}, which the settle stage needs to see); the agent's claim folder is skipped; symlinks are never followed (the
 * walk does not follow them, and links are not files), and folders deeper than {@code max-depth} are ignored.
 */
@Singleton
public final class DirectoryWatcher {
    private static final Logger log = LoggerFactory.getLogger(DirectoryWatcher.class);

    private final WatchSettings settings;
    private final FoundFiles found;
    private final AgentMetrics metrics;
    private final List<PathMatcher> include;
    private final WatchRoot root;
    private final Path claimFolder;
    private final Map<WatchKey, Path> watched = new ConcurrentHashMap<>();
    private WatchService watchService;
    private Thread eventThread;
    private ScheduledExecutorService rescans;

    @Inject
    DirectoryWatcher(WatchSettings settings, WatchRoot root, FoundFiles found, AgentMetrics metrics) {
        this.settings = settings;
        this.found = found;
        this.metrics = metrics;
        this.include = settings.include().stream()
                .map(glob -> FileSystems.getDefault().getPathMatcher("glob:" + glob))
                .toList();
        this.root = root;
        this.claimFolder = settings.watchDir().resolve(DumpClaims.FOLDER);
    }

    public synchronized void start() throws IOException {
        Path root = settings.watchDir();
        if (!Files.isDirectory(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("dumpsink.agent.watch-dir: " + root + " is not a folder (or is a symlink)");
        }
        watchService = FileSystems.getDefault().newWatchService();
        scan(root); // the startup sweep registers every folder as it goes
        eventThread = new Thread(this::processEvents, "dumpsink-watch");
        eventThread.setDaemon(true);
        eventThread.start();
        rescans = Executors.newSingleThreadScheduledExecutor(Threads.named("dumpsink-rescan"));
        long interval = settings.rescanInterval().toMillis();
        rescans.scheduleWithFixedDelay(() -> scan(root), interval, interval, TimeUnit.MILLISECONDS);
        log.info("Watching watchDir={} include={} rescanInterval={}", root, settings.include(),
                settings.rescanInterval());
    }

    public synchronized void stop() {
        if (rescans != null) {
            rescans.shutdownNow();
        }
        if (watchService != null) {
            try {
                watchService.close(); // wakes the event thread with ClosedWatchServiceException
            } catch (IOException e) {
                log.warn("Closing the watch service failed error={}", e.toString());
            }
        }
        if (eventThread != null) {
            try {
                eventThread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Walks a subtree: registers its folders for events and reports its matching files. */
    void scan(Path start) {
        Path root = settings.watchDir();
        int depthBelowRoot = root.relativize(start).toString().isEmpty() ? 0 : root.relativize(start).getNameCount();
        int maxDepth = settings.maxDepth() + 1 - depthBelowRoot;
        if (maxDepth <= 0) {
            return;
        }
        FileVisitor<Path> visitor = new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                if (dir.equals(claimFolder)) {
                    return FileVisitResult.SKIP_SUBTREE; // the agent's own; its files are already owned
                }
                register(dir);
                preparePodDir(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                // Without FOLLOW_LINKS a symlink arrives here as a link, never as its target.
                if (attributes.isRegularFile()) {
                    report(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                log.debug("Cannot visit path={} error={}", file, e.toString());
                return FileVisitResult.CONTINUE;
            }
        };
        try {
            Files.walkFileTree(start, EnumSet.noneOf(java.nio.file.FileVisitOption.class), maxDepth, visitor);
        } catch (IOException e) {
            log.warn("Scan failed path={} error={}", start, e.toString());
        } catch (RuntimeException e) {
            log.error("Scan failed path={}", start, e);
        }
        if (depthBelowRoot == 0) {
            metrics.rescans.inc();
        }
    }

    /** Lets a non-root app write into its pod folder (see {@code prepare-pod-dirs}). */
    private void preparePodDir(Path dir) {
        Path relative = settings.watchDir().relativize(dir);
        if (!settings.preparePodDirs() || relative.getNameCount() != 2 || relative.toString().isEmpty()) {
            return;
        }
        try {
            if (root.openUpRootOwnedFolder(relative)) {
                log.info("Made pod folder writable path={} mode=0777", relative);
            }
        } catch (IOException | UnsupportedOperationException e) {
            log.warn("Cannot prepare pod folder path={} error={}", relative, e.toString());
        }
    }

    private void register(Path dir) {
        try {
            WatchKey key = dir.register(watchService, ENTRY_CREATE, ENTRY_MODIFY);
            watched.put(key, dir);
        } catch (ClosedWatchServiceException e) {
            // shutting down
        } catch (IOException e) {
            log.warn("Cannot watch folder path={} error={} (the periodic rescan still covers it)", dir, e.toString());
        }
    }

    /** Reports files that match an include glob, and heap dump segments of such files ({@code X.hprof.p0}). */
    private void report(Path file) {
        Path matched = Path.of(DumpNames.mainName(file.getFileName().toString()));
        if (include.stream().anyMatch(m -> m.matches(matched))) {
            found.found(settings.watchDir().relativize(file));
        }
    }

    private void processEvents() {
        while (true) {
            WatchKey key;
            try {
                key = watchService.take();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            try {
                handle(key);
            } catch (RuntimeException e) {
                log.error("Handling a watch event failed", e);
            }
        }
    }

    private void handle(WatchKey key) {
        Path dir = watched.get(key);
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == OVERFLOW) {
                metrics.watchOverflows.inc();
                log.warn("Watch event queue overflowed; rescanning watchDir={}", settings.watchDir());
                scan(settings.watchDir());
                continue;
            }
            if (dir == null) {
                continue;
            }
            Path child = dir.resolve((Path) event.context());
            if (Files.isDirectory(child, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                if (event.kind() == ENTRY_CREATE && !child.equals(claimFolder)) {
                    scan(child); // files may have landed before the folder was registered
                }
            } else if (Files.isRegularFile(child, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                report(child);
            }
        }
        if (!key.reset()) {
            watched.remove(key); // the folder is gone
        }
    }
}
