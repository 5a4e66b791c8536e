package io.dumpsink.agent.watch;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.agent.claim.DumpClaims;
import io.dumpsink.agent.config.WatchSettings;
import io.dumpsink.agent.fs.WatchRoot;
import io.dumpsink.agent.metrics.AgentMetrics;
import io.dumpsink.agent.settle.IncludedNames;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds candidate dump files below the watch dir and reports them to {@link FoundFiles}. Three sources, because
 * any one can miss a file: inotify events (Java's {@link WatchService}, a watch per tracked folder), a sweep at
 * startup (files written while the agent was down) and a rescan every {@code rescan-interval} (events lost, folders
 * beyond the bounds). Idle, it blocks on the inotify queue and wakes only for the rescan, which stats each tracked
 * folder and lists only those that changed or have no watch.
 *
 * <p>Only regular files whose name matches an include glob are reported (and the segments JDK 22+ writes beside a
 * heap dump, {@code X.hprof.p0}, which the settle stage needs to see); the agent's claim folder is skipped; symlinks
 * are never followed, and folders deeper than {@code max-depth} are not looked into.
 *
 * <p>No pod can spend the node's or the agent's resources through it ({@link WatchSettings.Limits}): watches and
 * tracked folders are bounded in total and per pod ({@link WatchedFolders}), so is the work of each scan per pod
 * ({@link ScanBudget}); a pod creating names faster than {@code max-pod-events-per-second} loses the watch on the
 * folder doing it for a rescan interval; folders whose events were lost (queue overflow) are looked at again after
 * {@code overflow-rescan-delay}, each listed only if its ctime moved; repeated warnings are logged once per
 * {@code repeated-warning-interval} with a count. Everything runs on one thread, {@code dumpsink-watch}, so the
 * state needs no locks.
 */
@Singleton
public final class DirectoryWatcher {
    private static final Logger log = LoggerFactory.getLogger(DirectoryWatcher.class);
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final Path MAX_USER_WATCHES = Path.of("/proc/sys/fs/inotify/max_user_watches");
    /**
     * Changed files waiting to be reported again. A change to an existing file only matters for a file the settle
     * stage let go (it follows pending files itself), so beyond this many they wait for the full rescan.
     */
    private static final int MAX_MODIFIED = 4096;
    /** Watch keys handled before the loop looks at its timers again. */
    private static final int KEYS_PER_TURN = 256;

    private final WatchSettings settings;
    private final WatchSettings.Limits limits;
    private final FoundFiles found;
    private final AgentMetrics metrics;
    private final WatchRoot root;
    private final Clock clock;
    private final IncludedNames include;
    private final RepeatedWarning overflowWarning;
    private final RepeatedWarning stormWarning;
    private final RepeatedWarning failureWarning;
    private final List<RepeatedWarning> warnings = new ArrayList<>();

    // Owned by the watch thread (and by start() before it runs).
    private final Set<Folder> lost = new LinkedHashSet<>();
    private final Set<Path> modified = new LinkedHashSet<>();
    private WatchService watchService;
    private WatchedFolders folders;
    private FolderScanner scanner;
    private ScanBudget eventBudget;
    private long nextRecovery;
    private long nextRescan;
    private long nextFullRescan;
    private Thread thread;
    private volatile boolean stopping;

    @Inject
    DirectoryWatcher(WatchSettings settings, WatchRoot root, FoundFiles found, AgentMetrics metrics, Clock clock) {
        this.settings = settings;
        this.limits = settings.limits();
        this.found = found;
        this.metrics = metrics;
        this.root = root;
        this.clock = clock;
        this.include = new IncludedNames(settings.include());
        this.overflowWarning = warning("Watch events lost (queue overflow) path={}; folders whose change time moved"
                + " are listed again after overflowRescanDelay={}");
        this.stormWarning = warning("Event storm pod={} path={} maxPodEventsPerSecond={}: the folder is not watched"
                + " for {} and is listed at every rescan meanwhile");
        this.failureWarning = warning("Watching failed error={}; going on");
    }

    private RepeatedWarning warning(String message) {
        RepeatedWarning warning = new RepeatedWarning(log, clock, limits.repeatedWarningInterval(), message);
        warnings.add(warning);
        return warning;
    }

    public synchronized void start() throws IOException {
        Path watchDir = settings.watchDir();
        if (!Files.isDirectory(watchDir, NOFOLLOW)) {
            throw new IOException("dumpsink.agent.watch-dir: " + watchDir + " is not a folder (or is a symlink)");
        }
        int maxWatched = boundedByKernel(limits.maxWatchedDirs());
        watchService = FileSystems.getDefault().newWatchService();
        folders = new WatchedFolders(watchDir, watchService, maxWatched, limits.maxWatchedDirsPerPod(),
                limits.maxPodEventsPerSecond(),
                warning("Pod has more folders than are watched pod={} watchedDirs={} maxWatchedDirsPerPod={}"
                        + " firstUnwatched={}; its other folders are listed at every rescan instead"),
                warning("No more folders are watched path={} watchedDirs={} maxWatchedDirs={}; further folders"
                        + " are listed at every rescan instead"),
                warning("Cannot watch folder path={} error={}; it is listed at every rescan instead"));
        scanner = new FolderScanner(watchDir, settings.maxDepth(), include, folders, found, this::preparePodDir,
                metrics, clock,
                warning("Scan cut at max-entries-per-pod owner={} maxEntriesPerPod={} folder={}; the rest of its"
                        + " entries is not looked at in this scan"));
        long now = clock.millis();
        rescan(true); // the startup sweep: tracks and watches folders within the bounds as it goes
        nextRescan = clock.millis() + settings.rescanInterval().toMillis();
        nextFullRescan = now + limits.fullRescanInterval().toMillis();
        thread = new Thread(this::run, "dumpsink-watch");
        thread.setDaemon(true);
        thread.start();
        log.info("Watching watchDir={} include={} rescanInterval={} maxWatchedDirs={} maxWatchedDirsPerPod={}"
                        + " maxEntriesPerPod={} watchedDirs={} unwatchedDirs={}", watchDir, settings.include(),
                settings.rescanInterval(), maxWatched, limits.maxWatchedDirsPerPod(), limits.maxEntriesPerPod(),
                folders.watched(), (long) metrics.unwatchedDirs.get());
    }

    public synchronized void stop() {
        stopping = true;
        if (watchService != null) {
            try {
                watchService.close(); // wakes the watch thread with ClosedWatchServiceException
            } catch (IOException e) {
                log.warn("Closing the watch service failed error={}", e.toString());
            }
        }
        if (thread != null) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The configured bound, lowered to a quarter of root's inotify watches: the kubelet, containerd and every other
     * root process on the node draw from the same {@code fs.inotify.max_user_watches}.
     */
    private static int boundedByKernel(int configured) {
        long kernel;
        // Read line by line: /proc files report size 0, and a read sized by it can stop after the first byte.
        try (BufferedReader reader = Files.newBufferedReader(MAX_USER_WATCHES)) {
            kernel = Long.parseLong(String.valueOf(reader.readLine()).trim());
        } catch (IOException | NumberFormatException e) {
            return configured; // not Linux, or no /proc: nothing to compare with
        }
        long quarter = Math.max(1, kernel / 4);
        if (quarter < configured) {
            log.warn("Setting adjusted dumpsink.agent.max-watched-dirs: {} is more than a quarter of"
                    + " fs.inotify.max_user_watches ({}), which the node's other root processes share; using {}",
                    configured, kernel, quarter);
            return (int) quarter;
        }
        return configured;
    }

    private void run() {
        while (!stopping) {
            try {
                turn();
            } catch (ClosedWatchServiceException e) {
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                failureWarning.warn(e.toString(), e);
            }
        }
    }

    /** Waits for events until the next timer, handles them, then runs what is due. */
    private void turn() throws InterruptedException {
        long now = clock.millis();
        long due = pending() ? Math.min(nextRescan, nextRecovery) : nextRescan;
        WatchKey key = watchService.poll(Math.max(1, due - now), TimeUnit.MILLISECONDS);
        for (int handled = 0; key != null && handled < KEYS_PER_TURN; handled++) {
            handle(key);
            key = handled + 1 < KEYS_PER_TURN ? watchService.poll() : null;
        }
        now = clock.millis();
        if (pending() && now >= nextRecovery) {
            recoverLost();
            nextRecovery = now + limits.overflowRescanDelay().toMillis();
        }
        if (now >= nextRescan) {
            boolean full = now >= nextFullRescan;
            rescan(full);
            if (full) {
                nextFullRescan = now + limits.fullRescanInterval().toMillis();
            }
            nextRescan = clock.millis() + settings.rescanInterval().toMillis();
        }
        metrics.watchedDirs.set(folders.watched());
        warnings.forEach(RepeatedWarning::flush);
    }

    private void rescan(boolean listAll) {
        int unwatched = scanner.rescan(listAll, new ScanBudget(limits.maxEntriesPerPod()));
        eventBudget = new ScanBudget(limits.maxEntriesPerPod()); // events get a fresh budget every rescan interval
        metrics.watchedDirs.set(folders.watched());
        metrics.unwatchedDirs.set(unwatched);
        metrics.rescans.inc();
    }

    /**
     * The events of one folder since it was last handled, coalesced: each new name is looked at once, changes are
     * collected for a later report, and an overflow or a storm turns into one later look at the folder.
     */
    private void handle(WatchKey key) {
        List<WatchEvent<?>> events = key.pollEvents();
        boolean valid = key.reset();
        Folder folder = folders.folder(key);
        if (folder == null) {
            if (valid) {
                key.cancel(); // held by no tracked folder (any more)
            }
            return;
        }
        if (!valid) {
            folders.watchLost(folder); // deleted or unmounted: the recovery forgets it, or watches it again
            markLost(folder);
        }
        long creates = 0;
        boolean overflow = false;
        Set<Path> created = new LinkedHashSet<>();
        for (WatchEvent<?> event : events) {
            if (event.kind() == OVERFLOW) {
                overflow = true;
                creates += event.count();
            } else if (event.kind() == ENTRY_CREATE) {
                creates++;
                created.add((Path) event.context());
            } else if (event.kind() == ENTRY_MODIFY) {
                modified(folder, (Path) event.context());
            }
        }
        long now = clock.millis();
        if (creates > 0 && folders.overRate(folder, creates, now)) {
            folders.unwatch(folder); // from now on its events cost nothing; the rescan lists it meanwhile
            folder.stormUntil = now + settings.rescanInterval().toMillis();
            metrics.watchStormFolders.inc();
            stormWarning.warn(folder.owner, folder, limits.maxPodEventsPerSecond(), settings.rescanInterval());
            markLost(folder);
            return;
        }
        if (overflow) {
            metrics.watchOverflows.inc();
            overflowWarning.warn(folder, limits.overflowRescanDelay());
            markLost(folder);
            return;
        }
        for (Path name : created) {
            created(folder, name);
        }
    }

    private void created(Folder folder, Path name) {
        if (folder.depth == 0 && name.toString().equals(DumpClaims.FOLDER)) {
            return;
        }
        Path child = folder.path.resolve(name);
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(child, BasicFileAttributes.class, NOFOLLOW);
        } catch (IOException e) {
            return; // gone again
        }
        if (attributes.isRegularFile()) {
            scanner.report(child);
        } else if (attributes.isDirectory() && folder.depth < settings.maxDepth()) {
            scanner.created(folder, name.toString(), attributes.fileKey(), eventBudget);
        }
    }

    private void modified(Folder folder, Path name) {
        if (!scanner.matches(name.toString()) || modified.size() >= MAX_MODIFIED) {
            return;
        }
        schedulePending();
        modified.add(folder.path.resolve(name));
    }

    private void markLost(Folder folder) {
        schedulePending();
        lost.add(folder);
    }

    private boolean pending() {
        return !lost.isEmpty() || !modified.isEmpty();
    }

    /** The first piece of pending work since the last recovery sets when the next one runs. */
    private void schedulePending() {
        if (!pending()) {
            nextRecovery = Math.max(nextRecovery, clock.millis() + limits.overflowRescanDelay().toMillis());
        }
    }

    /** Looks again at folders whose events were lost, and reports files that changed (once each). */
    private void recoverLost() {
        List<Folder> folders = new ArrayList<>(lost);
        lost.clear();
        for (Folder folder : folders) {
            if (scanner.recover(folder, eventBudget)) {
                metrics.watchFolderRescans.inc();
            }
        }
        List<Path> files = new ArrayList<>(modified);
        modified.clear();
        for (Path file : files) {
            try {
                if (Files.readAttributes(file, BasicFileAttributes.class, NOFOLLOW).isRegularFile()) {
                    scanner.report(file);
                }
            } catch (IOException e) {
                // gone meanwhile
            }
        }
    }

    /** Lets a non-root app write into its pod folder (see {@code prepare-pod-dirs}). */
    private void preparePodDir(Path relative) {
        if (!settings.preparePodDirs()) {
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
}
