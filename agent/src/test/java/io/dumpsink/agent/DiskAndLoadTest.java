package io.dumpsink.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dumpsink.core.layout.KeyLayout;
import io.dumpsink.agent.metrics.AgentMetrics;
import io.dumpsink.core.lifecycle.StartupException;
import io.dumpsink.agent.testing.Dumps;
import io.dumpsink.agent.testing.TestingAgent;
import io.dumpsink.agent.testing.TestingS3;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.manifest.ManifestCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Disk cap, a burst of dumps, depth bound, an unusable state dir. */
class DiskAndLoadTest {
    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    Path tmp;
    TestingS3 s3;
    Path watch;
    AgentApp agent;

    @BeforeEach
    void setUp() throws Exception {
        s3 = new TestingS3(tmp.resolve("s3"));
        watch = tmp.resolve("watch");
        Files.createDirectories(watch.resolve("ns/pod"));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (agent != null) {
            agent.stop();
        }
        s3.close();
    }

    private TestingAgent agentConfig() {
        return new TestingAgent(s3, watch, tmp.resolve("state")).with("dumpsink.agent.rescan-interval", "1s");
    }

    private List<String> manifests() {
        return s3.keys().stream().filter(KeyLayout::isManifestKey).toList();
    }

    private Path claimedQuietly(String relative) {
        try {
            return Dumps.claimed(watch, relative);
        } catch (java.io.IOException e) {
            return Path.of("unreadable");
        }
    }

    private static void write(Path file, int size, Instant modified) throws Exception {
        Files.write(file, new byte[size]);
        Files.setLastModifiedTime(file, FileTime.from(modified));
    }

    @Test
    void keepModeDeletesTheOldestStoredCopiesToGetUnderTheCap() throws Exception {
        agent = agentConfig().with("dumpsink.agent.after-upload", "keep")
                .with("dumpsink.agent.max-local-bytes", "5000B").start();
        Path older = watch.resolve("ns/pod/older.hprof");
        Path newer = watch.resolve("ns/pod/newer.hprof");
        write(older, 3000, Instant.now().minusSeconds(600));
        Dumps.await("the older dump stored", WAIT, () -> manifests().size() == 1);
        assertThat(Dumps.claimed(watch, "ns/pod/older.hprof")).as("kept in the claim folder").isNotNull();
        write(newer, 3000, Instant.now().minusSeconds(60));

        Dumps.await("the newer dump stored", WAIT, () -> manifests().size() == 2);
        Dumps.await("the older stored copy to be evicted", WAIT,
                () -> claimedQuietly("ns/pod/older.hprof") == null);
        Dumps.awaitRescan(agent.get(AgentMetrics.class), WAIT); // disk checks run every rescan interval too
        Dumps.awaitRescan(agent.get(AgentMetrics.class), WAIT);
        assertThat(Dumps.claimed(watch, "ns/pod/newer.hprof")).as("3000 bytes are under the cap: it stays")
                .isNotNull();
        assertThat(agent.get(AgentMetrics.class).keptFilesEvicted.get()).isEqualTo(1);
    }

    @Test
    void dumpsNotYetStoredOverTheCapAreReportedAndNeverDeleted() throws Exception {
        agent = agentConfig().with("dumpsink.agent.max-local-bytes", "5000B").start();
        s3.server.stop();
        Path first = watch.resolve("ns/pod/first.hprof");
        Path second = watch.resolve("ns/pod/second.hprof");
        write(first, 4000, Instant.now().minusSeconds(60));
        write(second, 4000, Instant.now().minusSeconds(30));
        AgentMetrics metrics = agent.get(AgentMetrics.class);

        Dumps.await("the disk cap alarm", WAIT, () -> metrics.diskOverCap.get() == 1);
        assertThat(metrics.localPendingBytes.get()).isEqualTo(8000);
        assertThat(Dumps.nodeCopies(watch)).as("both still on the node (claimed)").hasSize(2);

        s3.server.start();
        Dumps.await("both dumps stored and the alarm off", WAIT,
                () -> manifests().size() == 2 && metrics.diskOverCap.get() == 0);
    }

    @Test
    void aThousandDumpsArrivingAtOnceAreEachStoredExactlyOnceOldestFirst() throws Exception {
        agent = agentConfig().with("dumpsink.agent.max-concurrent-dumps", 4).start();
        Instant base = Instant.parse("2026-11-28T00:00:00Z");
        Path staging = Files.createDirectories(tmp.resolve("staging"));
        for (int i = 0; i < 1000; i++) {
            Path file = staging.resolve(String.format("dump-%04d.dmp", i));
            Files.write(file, ("dump " + i).getBytes());
            Files.setLastModifiedTime(file, FileTime.from(base.plusSeconds(i)));
        }
        try (var files = Files.list(staging)) {
            for (Path file : files.toList()) {
                Files.move(file, watch.resolve("ns/pod").resolve(file.getFileName()));
            }
        }

        Dumps.await("a thousand manifests", WAIT, () -> manifests().size() == 1000);
        Dumps.awaitRescan(agent.get(AgentMetrics.class), WAIT); // nothing may be shipped twice
        List<String> keys = s3.keys();
        assertThat(keys).hasSize(2000);
        Set<String> names = new HashSet<>();
        for (String key : manifests()) {
            Manifest manifest = ManifestCodec.fromJson(s3.get(key));
            assertThat(names.add(manifest.fileName())).as("stored once: " + manifest.fileName()).isTrue();
        }
        Dumps.await("the node's copies to go", WAIT, () -> Dumps.nodeCopies(watch).isEmpty());
        // Oldest first: the first dump was stored before the last one.
        Manifest first = ManifestCodec.fromJson(s3.get(keys.stream().filter(k -> k.endsWith("dump-0000.dmp.zst.json"))
                .findFirst().orElseThrow()));
        Manifest last = ManifestCodec.fromJson(s3.get(keys.stream().filter(k -> k.endsWith("dump-0999.dmp.zst.json"))
                .findFirst().orElseThrow()));
        assertThat(first.uploadedAt()).isBefore(last.uploadedAt());
    }

    @Test
    void filesDeeperThanMaxDepthAreIgnored() throws Exception {
        agent = agentConfig().with("dumpsink.agent.max-depth", 3).start();
        Path deep = Files.createDirectories(watch.resolve("ns/pod/a/b/c"));
        Files.write(deep.resolve("too-deep.hprof"), "x".getBytes());
        Files.write(watch.resolve("ns/pod/a/shallow.hprof"), "y".getBytes());
        Dumps.await("the shallow dump", WAIT, () -> manifests().size() == 1);
        Dumps.awaitRescan(agent.get(AgentMetrics.class), WAIT);
        assertThat(manifests()).hasSize(1).allSatisfy(k -> assertThat(k).contains("a_shallow.hprof"));
        assertThat(deep.resolve("too-deep.hprof")).exists();
    }

    @Test
    void unusableStateDirStopsStartupNamingTheSetting() throws Exception {
        Path notADir = Files.write(tmp.resolve("a-file"), new byte[1]);
        assertThatThrownBy(() -> new TestingAgent(s3, watch, notADir.resolve("state")).start())
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("dumpsink.agent.state-dir: " + notADir.resolve("state") + " is not writable");
    }
}
