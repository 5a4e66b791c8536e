package io.dumpsink.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.dumpsink.agent.claim.DumpClaims;
import io.dumpsink.agent.metrics.AgentMetrics;
import io.dumpsink.agent.testing.CrashingJvm;
import io.dumpsink.agent.testing.Dumps;
import io.dumpsink.agent.testing.Jdks;
import io.dumpsink.agent.testing.TcpRelay;
import io.dumpsink.agent.testing.TestingAgent;
import io.dumpsink.agent.testing.TestingS3;
import io.dumpsink.core.layout.KeyLayout;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.manifest.ManifestCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Heap dumps as the JVMs users run write them, shipped by the in-process agent against a real S3 server: JDK 22+
 * two-phase dumps, gzip dumps, JVMs killed mid-dump, crash loops where every dump has the same name, crash logs.
 * Every dump here is written by a real JVM running out of memory.
 */
class RealJvmDumpsTest {
    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    Path tmp;
    TestingS3 s3;
    TcpRelay relay;
    Path watch;
    Path podDir;
    AgentApp agent;

    @BeforeEach
    void setUp() throws Exception {
        s3 = new TestingS3(tmp.resolve("s3"));
        relay = new TcpRelay(s3.server.port());
        watch = tmp.resolve("watch");
        podDir = watch.resolve("shop/api-7d9f8-x2x4q");
        Files.createDirectories(podDir);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (agent != null) {
            agent.stop();
        }
        relay.close();
        s3.close();
    }

    /** Settle time far shorter than a JDK 25 segment phase, and files kept so tests can compare bytes. */
    private TestingAgent agentConfig() {
        return new TestingAgent(s3, watch, tmp.resolve("state"))
                .with("dumpsink.s3.endpoint", "http://127.0.0.1:" + relay.port())
                .with("dumpsink.agent.settle-time", "300ms")
                .with("dumpsink.agent.incomplete-wait", "10m"); // only the tests of killed JVMs use the fallback
    }

    private List<Manifest> manifests() {
        return s3.keys().stream().filter(KeyLayout::isManifestKey)
                .map(k -> ManifestCodec.fromJson(s3.get(k))).toList();
    }

    /** The files the agent claimed and kept (after-upload = keep), by name. */
    private List<Path> claimedFiles() throws Exception {
        Path claims = watch.resolve(DumpClaims.FOLDER);
        if (!Files.exists(claims)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(claims)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private Path claimed(String name) throws Exception {
        return claimedFiles().stream().filter(p -> p.getFileName().toString().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no claimed file named " + name));
    }

    private static Path jdk22OrNewer() {
        Optional<Path> home = Jdks.javaHomeAtLeast(22);
        Assumptions.assumeTrue(home.isPresent(), "SKIPPED: no JDK 22+ on this machine (found " + Jdks.installed()
                + "); the two-phase dump tests need one");
        return home.get();
    }

    @Test
    void jdk25TwoPhaseDumpIsTakenOnlyOnceMergedAndStoredByteForByte() throws Exception {
        Path jdk = jdk22OrNewer();
        agent = agentConfig().with("dumpsink.agent.after-upload", "keep").start();

        boolean segmentSeen = false;
        boolean headerQuietWhileSegmentGrew = false;
        long headerSize = -1;
        try (CrashingJvm jvm = CrashingJvm.start(jdk, podDir + "/", "600m")) {
            long lastSegmentSize = -1;
            while (jvm.isAlive()) {
                Path segment = podDir.resolve("java_pid" + jvm.pid() + ".hprof.p0");
                Path header = podDir.resolve("java_pid" + jvm.pid() + ".hprof");
                if (Files.exists(segment) && Files.exists(header)) {
                    segmentSeen = true;
                    long segmentSize = Files.size(segment);
                    long size = Files.size(header);
                    if (size == headerSize && lastSegmentSize >= 0 && segmentSize > lastSegmentSize) {
                        headerQuietWhileSegmentGrew = true;
                    }
                    headerSize = size;
                    lastSegmentSize = segmentSize;
                }
                Thread.sleep(100);
            }
            jvm.awaitExit(WAIT);
            assertThat(segmentSeen).as("the JVM wrote its heap into a .p0 segment first").isTrue();
            assertThat(headerQuietWhileSegmentGrew).as("X.hprof sat unchanged while the segment grew").isTrue();
            long reported = jvm.reportedDumpBytes();

            Dumps.await("the manifest", WAIT, () -> manifests().size() == 1);
            Thread.sleep(1_000); // a second object would have shown up by now
            assertThat(manifests()).as("one dump, not the header and then the dump").hasSize(1);
            Manifest manifest = manifests().get(0);
            assertThat(manifest.originalSize()).isEqualTo(reported);
            assertThat(manifest.complete()).isTrue();
            assertThat(manifest.format()).isEqualTo("hprof");
            assertThat(manifest.summary().status()).as("the merged JDK 25 dump is read: %s", manifest.summary())
                    .isEqualTo("ok");
            byte[] kept = Files.readAllBytes(claimed("java_pid" + jvm.pid() + ".hprof"));
            assertThat((long) kept.length).isEqualTo(reported);
            assertThat(Dumps.sha256(Dumps.unzstd(s3.get(manifest.key())))).isEqualTo(Dumps.sha256(kept))
                    .isEqualTo(manifest.sha256());
        }
    }

    @Test
    void gzipHeapDumpIsShippedByDefaultAndStoredAsItIs() throws Exception {
        agent = agentConfig().with("dumpsink.agent.after-upload", "keep").start();
        try (CrashingJvm jvm = CrashingJvm.start(CrashingJvm.currentJavaHome(), podDir + "/", "32m",
                "-XX:HeapDumpGzipLevel=1")) {
            jvm.awaitExit(WAIT);
            long reported = jvm.reportedDumpBytes();

            Dumps.await("the manifest", WAIT, () -> manifests().size() == 1);
            Manifest manifest = manifests().get(0);
            String name = "java_pid" + jvm.pid() + ".hprof.gz";
            assertThat(manifest.key()).endsWith("Z-" + name);
            assertThat(manifest.compression()).isEqualTo("none");
            assertThat(manifest.format()).isEqualTo("hprof.gz");
            assertThat(manifest.summary()).isEqualTo(io.dumpsink.core.manifest.HeapSummary.missing("gzip"));
            assertThat(manifest.complete()).isTrue();
            byte[] stored = s3.get(manifest.key());
            assertThat((long) stored.length).isEqualTo(reported).isEqualTo(manifest.storedSize())
                    .isEqualTo(manifest.originalSize());
            assertThat(Dumps.sha256(stored)).isEqualTo(manifest.sha256())
                    .isEqualTo(Dumps.sha256(Files.readAllBytes(claimed(name))));
        }
    }

    @Test
    void jvmKilledMidDumpIsShippedAsIncompleteAfterTheWait() throws Exception {
        agent = agentConfig().with("dumpsink.agent.after-upload", "keep")
                .with("dumpsink.agent.incomplete-wait", "3s").start();
        AgentMetrics metrics = agent.get(AgentMetrics.class);
        try (CrashingJvm jvm = CrashingJvm.start(CrashingJvm.currentJavaHome(), podDir + "/", "768m")) {
            Path dump = podDir.resolve("java_pid" + jvm.pid() + ".hprof");
            Dumps.await("the dump to be half written", WAIT, () -> sizeOf(dump) > 100L << 20);
            jvm.kill(); // the kernel's OOM killer, mid-dump
            long truncatedSize = Files.size(dump);

            Dumps.await("the manifest", WAIT, () -> manifests().size() == 1);
            Manifest manifest = manifests().get(0);
            assertThat(manifest.complete()).isFalse();
            assertThat(manifest.originalSize()).isEqualTo(truncatedSize);
            assertThat(metrics.dumpsIncomplete.get()).isEqualTo(1);
            assertThat(Dumps.sha256(Dumps.unzstd(s3.get(manifest.key()))))
                    .isEqualTo(Dumps.sha256(Files.readAllBytes(claimed(dump.getFileName().toString()))));
        }
    }

    @Test
    void jdk25KilledDuringItsSegmentPhaseLeavesHeaderAndSegmentBothShippedIncomplete() throws Exception {
        Path jdk = jdk22OrNewer();
        agent = agentConfig().with("dumpsink.agent.incomplete-wait", "3s").start();
        try (CrashingJvm jvm = CrashingJvm.start(jdk, podDir + "/", "768m")) {
            Path segment = podDir.resolve("java_pid" + jvm.pid() + ".hprof.p0");
            Dumps.await("the segment to be half written", WAIT, () -> sizeOf(segment) > 100L << 20);
            jvm.kill();

            Dumps.await("two manifests", WAIT, () -> manifests().size() == 2);
            List<String> formats = new ArrayList<>();
            for (Manifest manifest : manifests()) {
                assertThat(manifest.complete()).as(manifest.fileName()).isFalse();
                formats.add(manifest.fileName() + "=" + manifest.format());
                // the header part has no HEAP DUMP END; a segment has no header: both stored, neither summarised
                assertThat(manifest.summary().status()).as(manifest.fileName()).isEqualTo("missing");
                assertThat(manifest.summary().reason()).as(manifest.fileName()).isIn("truncated", "segment");
            }
            assertThat(formats).containsExactlyInAnyOrder("java_pid" + jvm.pid() + ".hprof=hprof",
                    "java_pid" + jvm.pid() + ".hprof.p0=hprof-segment");
            Dumps.await("the pod folder to be empty", WAIT, () -> list(podDir).isEmpty());
        }
    }

    @Test
    void crashLoopingPodKeepsEveryDumpAlthoughEachIsJavaPid1() throws Exception {
        agent = agentConfig().start();
        relay.throttle(1L << 20); // the first dump is still uploading when the pod crashes again
        String samePath = podDir.resolve("java_pid1.hprof").toString();
        List<Long> reported = new ArrayList<>();

        try (CrashingJvm first = CrashingJvm.start(CrashingJvm.currentJavaHome(), samePath, "128m")) {
            first.awaitExit(WAIT);
            reported.add(first.reportedDumpBytes());
        }
        for (int restart = 1; restart <= 2; restart++) {
            Dumps.await("the agent to claim java_pid1.hprof", WAIT, () -> list(podDir).isEmpty());
            assertThat(manifests()).as("the first dump is still uploading").isEmpty();
            try (CrashingJvm next = CrashingJvm.start(CrashingJvm.currentJavaHome(), samePath, "16m")) {
                next.awaitExit(WAIT);
                assertThat(next.output()).doesNotContain("File exists");
                reported.add(next.reportedDumpBytes());
            }
        }
        relay.throttle(0);

        Dumps.await("three manifests", WAIT, () -> manifests().size() == 3);
        List<Long> stored = new ArrayList<>();
        for (Manifest manifest : manifests()) {
            assertThat(manifest.fileName()).isEqualTo("java_pid1.hprof");
            assertThat(manifest.complete()).isTrue();
            assertThat(Dumps.sha256(Dumps.unzstd(s3.get(manifest.key())))).isEqualTo(manifest.sha256());
            stored.add(manifest.originalSize());
        }
        assertThat(stored).containsExactlyInAnyOrderElementsOf(reported);
        Dumps.await("the node's copies to go", WAIT, () -> claimedFilesQuietly().isEmpty());
    }

    @Test
    void crashLogIsShippedBesideTheHeapDumpByDefault() throws Exception {
        agent = agentConfig().start();
        try (CrashingJvm jvm = CrashingJvm.start(CrashingJvm.currentJavaHome(), podDir + "/", "16m",
                "-XX:+CrashOnOutOfMemoryError", "-XX:-CreateCoredumpOnCrash",
                "-XX:ErrorFile=" + podDir + "/hs_err_pid%p.log")) {
            jvm.awaitExit(WAIT);
            Dumps.await("two manifests", WAIT, () -> manifests().size() == 2);
            assertThat(manifests()).extracting(Manifest::fileName).containsExactlyInAnyOrder(
                    "java_pid" + jvm.pid() + ".hprof", "hs_err_pid" + jvm.pid() + ".log");
            assertThat(manifests()).filteredOn(m -> m.fileName().endsWith(".log")).singleElement()
                    .satisfies(m -> assertThat(new String(Dumps.unzstd(s3.get(m.key()))))
                            .contains("A fatal error has been detected by the Java Runtime Environment")
                            .contains("OutOfMemory encountered: Java heap space"));
        }
    }

    private List<Path> claimedFilesQuietly() {
        try {
            return claimedFiles();
        } catch (Exception e) {
            return List.of(Path.of("unreadable"));
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (Exception e) {
            return -1;
        }
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        } catch (Exception e) {
            return List.of(Path.of("unreadable"));
        }
    }
}
