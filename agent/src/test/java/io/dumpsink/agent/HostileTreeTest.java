package io.dumpsink.agent;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.dumpsink.agent.metrics.AgentMetrics;
import io.dumpsink.agent.testing.Dumps;
import io.dumpsink.agent.testing.TestingAgent;
import io.dumpsink.agent.testing.TestingS3;
import io.dumpsink.agent.watch.DirectoryWatcher;
import io.dumpsink.core.layout.KeyLayout;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * One pod's folder tree against the watch stage's bounds, in process against a real S3 server: the watches it
 * gets are bounded, what lies beyond them is still found by the rescan, a storm of renames costs its own folder
 * only, and another pod's dump ships meanwhile. Synthetic dumps are named {@code .dmp} (they settle at once).
 */
class HostileTreeTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;
    TestingS3 s3;
    Path watch;
    AgentApp agent;
    final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void setUp() throws Exception {
        s3 = new TestingS3(tmp.resolve("s3"));
        watch = tmp.resolve("watch");
        Files.createDirectories(watch.resolve("ns/quiet"));
        logged.start();
        watcherLog().addAppender(logged);
    }

    @AfterEach
    void tearDown() throws Exception {
        watcherLog().detachAppender(logged);
        if (agent != null) {
            agent.stop();
        }
        s3.close();
    }

    private static Logger watcherLog() {
        return (Logger) LoggerFactory.getLogger(DirectoryWatcher.class);
    }

    private List<String> warnings(String containing) {
        synchronized (logged) {
            return logged.list.stream().filter(e -> e.getLevel() == Level.WARN)
                    .map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains(containing)).toList();
        }
    }

    /** The inodes this JVM holds inotify watches on, as the kernel lists them in /proc/self/fdinfo. */
    private static Set<Long> inotifyWatchedInodes() throws IOException {
        Set<Long> inodes = new HashSet<>();
        Pattern watchLine = Pattern.compile("^inotify wd:\\S+ ino:([0-9a-f]+) .*");
        try (var fds = Files.list(Path.of("/proc/self/fdinfo"))) {
            for (Path fd : fds.toList()) {
                try {
                    for (String line : Files.readAllLines(fd)) {
                        Matcher matcher = watchLine.matcher(line);
                        if (matcher.matches()) {
                            inodes.add(Long.parseLong(matcher.group(1), 16));
                        }
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        return inodes;
    }

    private static long inode(Path path) throws IOException {
        return ((Number) Files.getAttribute(path, "unix:ino")).longValue();
    }

    /** CPU time of the watch stage's threads: the agent's own and the JDK's inotify reader. */
    private static long watchThreadsCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && (info.getThreadName().startsWith("dumpsink-watch")
                    || info.getThreadName().startsWith("FileSystemWatch"))) {
                total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }

    private boolean stored(String fileName) {
        return s3.keys().stream().anyMatch(k -> k.endsWith("Z-" + fileName + ".zst" + KeyLayout.MANIFEST_SUFFIX));
    }

    @Test
    void aPodMakingMoreFoldersThanItsBoundIsRescannedNotWatched() throws Exception {
        Path flood = Files.createDirectories(watch.resolve("ns/flood"));
        agent = new TestingAgent(s3, watch, tmp.resolve("state"))
                .with("dumpsink.agent.rescan-interval", "6s")
                .with("dumpsink.agent.max-watched-dirs", 50)
                .with("dumpsink.agent.max-watched-dirs-per-pod", 20)
                .start();
        AgentMetrics metrics = agent.get(AgentMetrics.class);
        // Made through events, in this order, long before the first rescan: d000..d018 get the pod's watches.
        for (int i = 0; i < 200; i++) {
            Files.createDirectory(flood.resolve(String.format("d%03d", i)));
        }
        Dumps.awaitRescan(metrics, WAIT); // one that has seen the whole flood

        // Watched: the watch dir, ns, ns/quiet and the flood pod's 20 (its pod folder and 19 of its folders).
        assertThat(metrics.watchedDirs.get()).isEqualTo(3 + 20);
        assertThat(inotifyWatchedInodes()).as("watches the kernel counts").hasSize(3 + 20)
                .doesNotContain(inode(flood.resolve("d199")));
        assertThat(metrics.unwatchedDirs.get()).isEqualTo(200 - 19);
        assertThat(warnings("Pod has more folders than are watched pod=ns/flood")).hasSize(1);

        // Right after a rescan, the next is 6 s away: the quiet pod's dump ships by its event before it, the one
        // in an unwatched folder ships through the rescan.
        Dumps.awaitRescan(metrics, WAIT);
        double rescans = metrics.rescans.get();
        Files.writeString(flood.resolve("d199/hidden.dmp"), "in a folder beyond the bound");
        Files.writeString(watch.resolve("ns/quiet/prompt.dmp"), "in a watched folder");
        Dumps.await("the quiet pod's dump", WAIT, () -> stored("prompt.dmp"));
        assertThat(metrics.rescans.get()).as("shipped before the next rescan").isEqualTo(rescans);
        Dumps.await("the dump in the unwatched folder", WAIT, () -> stored("d199_hidden.dmp"));
        assertThat(metrics.rescans.get()).as("found by a rescan").isGreaterThan(rescans);
        Dumps.await("the node's copies to go", WAIT, () -> Dumps.nodeCopies(watch).isEmpty());
        Dumps.awaitRescan(metrics, WAIT);
        assertThat(warnings("Pod has more folders than are watched")).as("one WARN, not one per folder").hasSize(1);
        assertThat(metrics.watchedDirs.get()).isEqualTo(3 + 20);
    }

    @Test
    void beyondTheTotalBoundNewPodsAreRescannedWithOneWarning() throws Exception {
        agent = new TestingAgent(s3, watch, tmp.resolve("state"))
                .with("dumpsink.agent.max-watched-dirs", 8)
                .start();
        AgentMetrics metrics = agent.get(AgentMetrics.class);
        for (int i = 0; i < 10; i++) {
            Files.createDirectories(watch.resolve("ns/pod-" + i));
        }
        Dumps.awaitRescan(metrics, WAIT);
        assertThat(metrics.watchedDirs.get()).isEqualTo(8);
        assertThat(metrics.unwatchedDirs.get()).isEqualTo(5); // root, ns, quiet, pod-0..pod-4 watched
        Files.writeString(watch.resolve("ns/pod-9/late.dmp"), "in an unwatched pod folder");
        Files.writeString(watch.resolve("ns/pod-0/early.dmp"), "in a watched pod folder");
        Dumps.await("both dumps", WAIT, () -> stored("early.dmp") && stored("late.dmp"));
        Dumps.awaitRescan(metrics, WAIT);
        assertThat(warnings("No more folders are watched")).hasSize(1);
    }

    @Test
    void aScanStopsAtMaxEntriesPerPodAndCountsIt() throws Exception {
        Path big = Files.createDirectories(watch.resolve("ns/big"));
        for (int i = 0; i < 300; i++) {
            Files.writeString(big.resolve("note-" + i + ".txt"), "not a dump");
        }
        agent = new TestingAgent(s3, watch, tmp.resolve("state"))
                .with("dumpsink.agent.max-entries-per-pod", 100)
                .start();
        AgentMetrics metrics = agent.get(AgentMetrics.class);
        assertThat(metrics.watchScanCutoffs.get()).as("the startup sweep was cut").isGreaterThanOrEqualTo(1);

        Files.writeString(big.resolve("new.dmp"), "found by its event");
        Files.writeString(watch.resolve("ns/quiet/other.dmp"), "another pod");
        Dumps.await("both dumps", WAIT, () -> stored("new.dmp") && stored("other.dmp"));
        Dumps.awaitRescan(metrics, WAIT);
        Dumps.awaitRescan(metrics, WAIT);
        assertThat(metrics.watchScanCutoffs.get()).as("every rescan of the pod is cut").isGreaterThanOrEqualTo(3);
        assertThat(warnings("Scan cut at max-entries-per-pod owner=ns/big")).as("one line per interval")
                .hasSize(1);
    }

    @Test
    void aRenameStormCostsItsOwnFolderAndOtherPodsShipMeanwhile() throws Exception {
        agent = new TestingAgent(s3, watch, tmp.resolve("state")).start();
        AgentMetrics metrics = agent.get(AgentMetrics.class);
        Path storm = Files.createDirectories(watch.resolve("ns/storm"));
        Files.writeString(storm.resolve("name-0"), "renamed over and over");
        double rescansBefore = metrics.rescans.get();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong renames = new AtomicLong();
        Thread attacker = new Thread(() -> {
            long deadline = System.nanoTime() + Duration.ofSeconds(6).toNanos();
            for (long i = 0; i < 50_000_000 && !stop.get() && System.nanoTime() < deadline; i++) {
                try {
                    Files.move(storm.resolve("name-" + i), storm.resolve("name-" + (i + 1)));
                    renames.incrementAndGet();
                } catch (IOException e) {
                    return;
                }
            }
        }, "rename-storm");
        long started = System.nanoTime();
        long watchCpuBefore = watchThreadsCpuNanos();
        attacker.start();
        try {
            Thread.sleep(1_000);
            Files.writeString(watch.resolve("ns/quiet/during.dmp"), "another pod's dump");
            Files.writeString(storm.resolve("inside.dmp"), "a dump in the storm's folder");
            Dumps.await("the other pod's dump, during the storm", WAIT, () -> stored("during.dmp"));
            assertThat(attacker.isAlive()).as("still storming").isTrue();
            Dumps.await("the dump in the storm's folder", WAIT, () -> stored("inside.dmp"));
        } finally {
            stop.set(true);
            attacker.join();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        double watchCpu = (watchThreadsCpuNanos() - watchCpuBefore) / 1e9;
        System.out.printf("storm: %.1f s, %d renames, watch threads %.2f CPU-s, storm folders %.0f, folder rescans"
                + " %.0f, overflows %.0f, rescans %.0f%n", seconds, renames.get(), watchCpu,
                metrics.watchStormFolders.get(), metrics.watchFolderRescans.get(), metrics.watchOverflows.get(),
                metrics.rescans.get() - rescansBefore);
        assertThat(watchCpu).as("CPU-seconds of the watch threads (the agent's and the JDK's inotify reader)")
                .isLessThan(seconds * 0.25);
        assertThat(renames.get()).as("a storm").isGreaterThan(5_000);
        assertThat(metrics.watchStormFolders.get()).as("the storm's folder lost its watch").isGreaterThanOrEqualTo(1);
        assertThat(metrics.rescans.get() - rescansBefore).as("rescans: only the periodic ones")
                .isLessThanOrEqualTo(seconds / 2 + 2);
        assertThat(metrics.watchFolderRescans.get()).as("folder listings to recover lost events")
                .isLessThanOrEqualTo(seconds + 2);
        assertThat(warnings("Event storm pod=ns/storm")).hasSize(1);
        assertThat(warnings("Watch events lost")).hasSizeLessThanOrEqualTo(1);
    }
}
