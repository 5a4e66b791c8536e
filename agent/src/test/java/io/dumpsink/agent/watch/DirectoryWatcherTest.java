package io.dumpsink.agent.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.dumpsink.agent.config.AgentConfig;
import io.dumpsink.agent.config.WatchSettings;
import io.dumpsink.agent.fs.WatchRoot;
import io.dumpsink.agent.metrics.AgentMetrics;
import io.dumpsink.agent.testing.Dumps;
import io.dumpsink.agent.testing.TestingAgent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watcher on its own, reporting to a queue: what it reports, and how often, as folders change, move and stay
 * the same. Rescans every 300 ms so that the tests wait on rescans, not on time.
 */
class DirectoryWatcherTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;
    Path watch;
    Path pod;
    final Queue<Path> reported = new ConcurrentLinkedQueue<>();
    final AgentMetrics metrics = new AgentMetrics();
    DirectoryWatcher watcher;

    @BeforeEach
    void setUp() throws Exception {
        watch = tmp.resolve("watch");
        pod = Files.createDirectories(watch.resolve("ns/pod"));
    }

    @AfterEach
    void tearDown() {
        if (watcher != null) {
            watcher.stop();
        }
    }

    private void start(String fullRescanInterval) throws Exception {
        WatchSettings settings = AgentConfig.from(new TestingAgent("http://127.0.0.1:9", "key", "secret", watch,
                tmp.resolve("state"))
                .with("dumpsink.agent.rescan-interval", "300ms")
                .with("dumpsink.agent.full-rescan-interval", fullRescanInterval)
                .config()).watch();
        watcher = new DirectoryWatcher(settings, new WatchRoot(watch), reported::add, metrics, Clock.systemUTC());
        watcher.start();
    }

    private long reports(String relative) {
        return reported.stream().filter(Path.of(relative)::equals).count();
    }

    private void awaitRescans(int count) throws InterruptedException {
        for (int i = 0; i < count; i++) {
            Dumps.awaitRescan(metrics, WAIT);
        }
    }

    @Test
    void anUnchangedFolderIsNotListedAgainUntilItChangesOrTheFullRescan() throws Exception {
        Files.writeString(pod.resolve("left.dmp"), "a file the settle stage let go (say, a hard link)");
        Files.writeString(pod.resolve("notes.txt"), "not a dump");
        start("4s");
        assertThat(reports("ns/pod/left.dmp")).as("the startup sweep").isEqualTo(1);
        // A folder changed within the last second is listed again (its ctime is too fresh to be trusted); then
        // rescans only stat it.
        Thread.sleep(1_200);
        awaitRescans(2);
        long settled = reports("ns/pod/left.dmp");
        awaitRescans(5);
        assertThat(reports("ns/pod/left.dmp")).as("not listed again while unchanged").isEqualTo(settled);

        Files.writeString(pod.resolve("other.txt"), "a change in the folder");
        awaitRescans(2);
        assertThat(reports("ns/pod/left.dmp")).as("listed again once its ctime moved").isGreaterThan(settled);

        long beforeFull = reports("ns/pod/left.dmp");
        Dumps.await("the full rescan", WAIT, () -> reports("ns/pod/left.dmp") > beforeFull);
        assertThat(reports("ns/pod/notes.txt")).isZero();
    }

    @Test
    void aFolderRenamedIsWatchedUnderItsNewName() throws Exception {
        Path before = Files.createDirectories(pod.resolve("before"));
        start("10m");
        Files.move(before, pod.resolve("after"));
        Dumps.await("the renamed folder tracked", WAIT, () -> {
            try {
                Files.writeString(pod.resolve("after/probe.dmp"), "x", StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return reports("ns/pod/after/probe.dmp") > 0;
        });
        Files.writeString(pod.resolve("after/dump.dmp"), "written after the rename");
        Dumps.await("the dump under the folder's new name", WAIT, () -> reports("ns/pod/after/dump.dmp") > 0);
        awaitRescans(2);
        assertThat(reports("ns/pod/before/dump.dmp")).isZero();
        assertThat(metrics.watchedDirs.get()).as("watch dir, ns, pod, after").isEqualTo(4);
    }

    @Test
    void aFolderReplacedUnderTheSameNameIsWatchedAnew() throws Exception {
        Path sub = Files.createDirectories(pod.resolve("sub"));
        start("10m");
        Files.move(sub, pod.resolve("old"));
        Files.createDirectory(sub);
        awaitRescans(1);
        Files.writeString(sub.resolve("new.dmp"), "in the new folder");
        Files.writeString(pod.resolve("old/moved.dmp"), "in the moved one");
        Dumps.await("both dumps", WAIT, () -> reports("ns/pod/sub/new.dmp") > 0 && reports("ns/pod/old/moved.dmp") > 0);
        awaitRescans(2);
        assertThat(metrics.watchedDirs.get()).as("watch dir, ns, pod, sub, old").isEqualTo(5);
    }

    @Test
    void aFileWrittenThousandsOfTimesIsReportedOncePerDelayNotPerWrite() throws Exception {
        start("10m");
        Path dump = pod.resolve("growing.dmp");
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        int writes = 0;
        try (var out = Files.newOutputStream(dump)) {
            while (System.nanoTime() < deadline && writes < 1_000_000) {
                out.write(new byte[512]);
                out.flush();
                writes++;
            }
        }
        awaitRescans(2);
        assertThat(writes).isGreaterThan(1_000);
        // The create event, one report per overflow-rescan-delay (1 s) while it is written, and the listings of
        // the folder while its ctime is fresh (the rescan runs every 300 ms here): a handful, not one per write.
        assertThat(reports("ns/pod/growing.dmp")).isBetween(1L, 20L);
    }
}
