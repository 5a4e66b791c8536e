package io.dumpsink.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.dumpsink.agent.testing.Dumps;
import io.dumpsink.agent.testing.TestingAgent;
import io.dumpsink.agent.testing.TestingS3;
import io.dumpsink.core.layout.KeyLayout;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.manifest.ManifestCodec;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's whole journey against a real S3 server: watch, settle, compress, upload, record, verify, delete. */
class AgentPipelineTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;
    TestingS3 s3;
    Path watch;
    AgentApp agent;

    @BeforeEach
    void setUp() throws Exception {
        s3 = new TestingS3(tmp.resolve("s3"));
        watch = tmp.resolve("watch");
        Files.createDirectories(watch);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (agent != null) {
            agent.stop();
        }
        s3.close();
    }

    private TestingAgent agentConfig() {
        return new TestingAgent(s3, watch, tmp.resolve("state"));
    }

    private List<String> manifestKeys() {
        return s3.keys().stream().filter(KeyLayout::isManifestKey).toList();
    }

    private Manifest manifest(String manifestKey) {
        return ManifestCodec.fromJson(s3.get(manifestKey));
    }

    @Test
    void realJvmHeapDumpLandsCompressedVerifiedAndIsDeletedLocally() throws Exception {
        agent = agentConfig().with("dumpsink.agent.settle-time", "3s")
                .with("dumpsink.agent.incomplete-wait", "10m") // a real dump: complete, no fallback needed
                .start();
        Path podDir = watch.resolve("payments").resolve("api-7d9f8-x2x4q");

        Path dump = Dumps.realHeapDump(podDir, "16m");
        // The JVM has exited; the agent waits 3 s of quiet before it takes the file, so it is still here.
        byte[] original = Files.readAllBytes(dump);
        Instant modified = Files.getLastModifiedTime(dump).toInstant();

        Dumps.await("the manifest", WAIT, () -> manifestKeys().size() == 1);
        Manifest manifest = manifest(manifestKeys().get(0));
        String day = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC).format(modified);
        assertThat(manifest.key())
                .startsWith("test-cluster/node-1/payments/api-7d9f8-x2x4q/" + day + "/")
                .endsWith("-" + dump.getFileName() + ".zst");
        assertThat(s3.keys()).containsExactlyInAnyOrder(manifest.key(), manifest.key() + ".json",
                manifest.key() + ".histogram.json");
        // The heap summary, read on the way: a real dump of an OOM program that hoards long[64], strings and lists.
        assertThat(manifest.summary().status()).isEqualTo("ok");
        assertThat(manifest.summary().topClasses()).hasSizeLessThanOrEqualTo(20)
                .extracting(io.dumpsink.core.manifest.HeapSummary.ClassCount::name).contains("long[]");
        assertThat(manifest.summary().dumpedAt()).isNotNull();
        io.dumpsink.core.manifest.HeapHistogram histogram =
                ManifestCodec.histogramFromJson(s3.get(manifest.key() + ".histogram.json"));
        assertThat(histogram.key()).isEqualTo(manifest.key());
        assertThat(histogram.summary()).isEqualTo(manifest.summary());
        assertThat(histogram.classes()).hasSize(manifest.summary().classes())
                .startsWith(manifest.summary().topClasses().toArray(new io.dumpsink.core.manifest.HeapSummary.ClassCount[0]));

        byte[] stored = s3.get(manifest.key());
        byte[] restored = Dumps.unzstd(stored);
        assertThat(Dumps.sha256(restored)).isEqualTo(Dumps.sha256(original)).isEqualTo(manifest.sha256());
        assertThat(manifest.originalSize()).isEqualTo(original.length);
        assertThat(manifest.storedSize()).isEqualTo(stored.length).isLessThan(original.length / 2);
        assertThat(manifest.compression()).isEqualTo("zstd");
        assertThat(manifest.cluster()).isEqualTo("test-cluster");
        assertThat(manifest.node()).isEqualTo("node-1");
        assertThat(manifest.namespace()).isEqualTo("payments");
        assertThat(manifest.pod()).isEqualTo("api-7d9f8-x2x4q");
        assertThat(manifest.fileName()).isEqualTo(dump.getFileName().toString());
        assertThat(manifest.modifiedAt()).isEqualTo(modified);
        assertThat(manifest.uploadedAt()).isAfterOrEqualTo(manifest.detectedAt());
        assertThat(manifest.parts()).isGreaterThanOrEqualTo(1);

        Dumps.await("the node's copy to be deleted", WAIT, () -> Dumps.nodeCopies(watch).isEmpty());
    }

    @Test
    void withHeapSummaryOffAHeapDumpHasNoSummaryAndNoHistogramObject() throws Exception {
        agent = agentConfig().with("dumpsink.agent.heap-summary", "false").start();
        Dumps.realHeapDump(watch.resolve("payments").resolve("api-1"), "16m");
        Dumps.await("the manifest", WAIT, () -> manifestKeys().size() == 1);
        Manifest manifest = manifest(manifestKeys().get(0));
        assertThat(manifest.summary()).isNull();
        assertThat(new String(s3.get(manifestKeys().get(0)), java.nio.charset.StandardCharsets.UTF_8))
                .doesNotContain("summary");
        assertThat(s3.keys()).containsExactlyInAnyOrder(manifest.key(), manifest.key() + ".json");
    }

    @Test
    void fileStillBeingWrittenIsNotTakenUntilItStops() throws Exception {
        agent = agentConfig().with("dumpsink.agent.settle-time", "1s").start();
        Path file = watch.resolve("ns/pod/growing.hprof");
        Files.createDirectories(file.getParent());
        Random random = new Random(1);
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            // Appends every 400 ms for 3 s: longer than settle-time, never quiet for as long as settle-time.
            for (int i = 0; i < 8; i++) {
                random.nextBytes(block);
                out.write(block);
                out.flush();
                Thread.sleep(400);
                assertThat(s3.keys()).as("nothing uploaded while the file grows").isEmpty();
            }
        }
        long size = Files.size(file);
        Dumps.await("the manifest", WAIT, () -> manifestKeys().size() == 1);
        assertThat(manifest(manifestKeys().get(0)).originalSize()).isEqualTo(size);
    }

    @Test
    void sameNameTwiceFromOnePodOnOneDayGivesTwoObjects() throws Exception {
        agent = agentConfig().start();
        Path file = watch.resolve("ns/pod/java_pid1.hprof");
        Files.createDirectories(file.getParent());
        FileTime sameSecond = FileTime.from(Instant.parse("2026-11-28T08:15:30Z"));

        Files.write(file, "first dump".getBytes());
        Files.setLastModifiedTime(file, sameSecond);
        Dumps.await("the first dump", WAIT, () -> manifestKeys().size() == 1 && !Files.exists(file));

        Files.write(file, "second dump, different bytes".getBytes());
        Files.setLastModifiedTime(file, sameSecond);
        Dumps.await("the second dump", WAIT, () -> manifestKeys().size() == 2 && !Files.exists(file));

        assertThat(manifestKeys()).containsExactly(
                "test-cluster/node-1/ns/pod/2026-11-28/081530Z-2-java_pid1.hprof.zst.json",
                "test-cluster/node-1/ns/pod/2026-11-28/081530Z-java_pid1.hprof.zst.json");
        assertThat(Dumps.unzstd(s3.get("test-cluster/node-1/ns/pod/2026-11-28/081530Z-java_pid1.hprof.zst")))
                .asString().isEqualTo("first dump");
        assertThat(Dumps.unzstd(s3.get("test-cluster/node-1/ns/pod/2026-11-28/081530Z-2-java_pid1.hprof.zst")))
                .asString().isEqualTo("second dump, different bytes");
    }

    @Test
    void spacesUnicodeAndDotsInNamesMapToSafeKeysAndTheManifestKeepsTheOriginal() throws Exception {
        agent = agentConfig().start();
        Path file = watch.resolve("team ä/..pod\u0007/sub dir/heap dump ünïcødé.hprof");
        Files.createDirectories(file.getParent());
        Files.write(file, "dump".getBytes());

        Dumps.await("the manifest", WAIT, () -> manifestKeys().size() == 1);
        Manifest manifest = manifest(manifestKeys().get(0));
        assertThat(manifest.key()).matches("[A-Za-z0-9._/-]+");
        assertThat(manifest.key().split("/")).allSatisfy(segment ->
                assertThat(segment).isNotEmpty().doesNotStartWith("."));
        assertThat(manifest.key()).startsWith("test-cluster/node-1/team__/_.pod_/")
                .endsWith("Z-sub_dir_heap_dump__n_c_d_.hprof.zst");
        assertThat(manifest.namespace()).isEqualTo("team ä");
        assertThat(manifest.pod()).isEqualTo("..pod\u0007");
        assertThat(manifest.fileName()).isEqualTo("sub dir/heap dump ünïcødé.hprof");
        assertThat(KeyLayout.validDumpKey(manifest.key())).isPresent();
    }

    @Test
    void symlinksFifosAndUnmatchedFilesAreSkippedWithoutHangingTheAgent() throws Exception {
        Path outside = tmp.resolve("outside");
        Files.createDirectories(outside);
        Files.write(outside.resolve("secret.hprof"), "must never be uploaded".getBytes());
        Path pod = watch.resolve("ns/pod");
        Files.createDirectories(pod);
        Files.createSymbolicLink(pod.resolve("evil.hprof"), outside.resolve("secret.hprof"));
        Files.createSymbolicLink(watch.resolve("ns/linked-pod"), outside);
        Path fifo = pod.resolve("blocking.hprof");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        Files.write(pod.resolve("notes.txt"), "not a dump".getBytes());

        agent = agentConfig().start();
        Files.write(pod.resolve("real.hprof"), "the real dump".getBytes());

        // The real dump lands: the agent did not block on the FIFO.
        Dumps.await("the real dump", WAIT, () -> manifestKeys().size() == 1);
        Dumps.awaitRescan(agent.get(io.dumpsink.agent.metrics.AgentMetrics.class), WAIT);
        assertThat(s3.keys()).hasSize(2).allSatisfy(key -> assertThat(key).contains("Z-real.hprof"));
        assertThat(fifo).exists();
        assertThat(pod.resolve("evil.hprof")).isSymbolicLink();
        assertThat(outside.resolve("secret.hprof")).hasContent("must never be uploaded");
        assertThat(pod.resolve("notes.txt")).exists();
    }

    @Test
    void bigFileGoesUpInSeveralPartsAndDecompressesToTheSameBytes() throws Exception {
        agent = agentConfig()
                .with("dumpsink.agent.part-size", "5MiB")
                .with("dumpsink.agent.chunk-size", "256KiB")
                .start();
        Path file = watch.resolve("ns/pod/big.hprof");
        Files.createDirectories(file.getParent());
        byte[] content = new byte[14 * 1024 * 1024];
        new Random(7).nextBytes(content); // incompressible: forces three parts of at least 5 MiB
        Path staging = tmp.resolve("big.hprof");
        Files.write(staging, content);
        Files.move(staging, file);

        Dumps.await("the manifest", WAIT, () -> manifestKeys().size() == 1);
        Manifest manifest = manifest(manifestKeys().get(0));
        assertThat(manifest.parts()).isEqualTo(3);
        assertThat(Dumps.sha256(Dumps.unzstd(s3.get(manifest.key())))).isEqualTo(Dumps.sha256(content))
                .isEqualTo(manifest.sha256());
    }

    @Test
    void withoutCompressionTheObjectIsTheFileAndKeepLeavesTheFile() throws Exception {
        agent = agentConfig()
                .with("dumpsink.agent.compression", "none")
                .with("dumpsink.agent.after-upload", "keep")
                .start();
        Path file = watch.resolve("ns/pod/core.1234");
        Files.createDirectories(file.getParent());
        Files.write(file, "core file bytes".getBytes(), StandardOpenOption.CREATE_NEW);

        Dumps.await("the manifest", WAIT, () -> manifestKeys().size() == 1);
        Manifest manifest = manifest(manifestKeys().get(0));
        assertThat(manifest.key()).endsWith("Z-core.1234");
        assertThat(manifest.compression()).isEqualTo("none");
        assertThat(s3.get(manifest.key())).asString().isEqualTo("core file bytes");
        Dumps.awaitRescan(agent.get(io.dumpsink.agent.metrics.AgentMetrics.class), WAIT);
        assertThat(file).as("claimed: moved out of the pod's folder").doesNotExist();
        assertThat(Dumps.claimed(watch, "ns/pod/core.1234")).as("kept in the claim folder").hasContent(
                "core file bytes");
        assertThat(s3.keys()).hasSize(2);
    }

    @Test
    void filesOverMaxDumpSizeAreSkippedWithAWarningAndStay() throws Exception {
        agent = agentConfig().with("dumpsink.agent.max-dump-size", "1MiB").start();
        Path pod = Files.createDirectories(watch.resolve("ns/pod"));
        Path huge = pod.resolve("sparse.dmp");
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            file.setLength(1L << 40); // 1 TiB, sparse: what a hostile pod plants to hold an upload worker
        }
        Files.write(pod.resolve("real.dmp"), "a real dump".getBytes());

        Dumps.await("the real dump", WAIT, () -> manifestKeys().size() == 1);
        io.dumpsink.agent.metrics.AgentMetrics metrics = agent.get(io.dumpsink.agent.metrics.AgentMetrics.class);
        Dumps.await("the big file to be skipped", WAIT,
                () -> metrics.filesSkipped.labelValues("too_big").get() == 1);
        Dumps.awaitRescan(metrics, WAIT);
        assertThat(manifestKeys()).singleElement().satisfies(k -> assertThat(k).contains("Z-real.dmp"));
        assertThat(metrics.filesSkipped.labelValues("too_big").get()).as("one WARN and count per file").isEqualTo(1);
        assertThat(huge).as("left on the node").exists();
    }

    @Test
    void aKeptDumpWhoseObjectVanishedIsShippedAgainUnderTheNextName() throws Exception {
        agent = agentConfig().with("dumpsink.agent.after-upload", "keep").start();
        Path pod = Files.createDirectories(watch.resolve("ns/pod"));
        Files.write(pod.resolve("core.7"), "a core file".getBytes());
        Dumps.await("the manifest", WAIT, () -> manifestKeys().size() == 1);
        Manifest first = manifest(manifestKeys().get(0));
        agent.stop();
        agent = null;
        // The object expired (or was deleted by hand) while its manifest stayed.
        s3.client.deleteObject(b -> b.bucket(TestingS3.BUCKET).key(first.key()));

        agent = agentConfig().with("dumpsink.agent.after-upload", "keep").start(); // recovers the kept copy
        Dumps.await("a second manifest", WAIT, () -> manifestKeys().size() == 2);
        Manifest second = manifestKeys().stream().map(this::manifest).filter(m -> !m.key().equals(first.key()))
                .findFirst().orElseThrow();
        assertThat(second.key()).endsWith("Z-2-core.7.zst");
        assertThat(Dumps.unzstd(s3.get(second.key()))).asString().isEqualTo("a core file");
        assertThat(second.sourceIdentity()).isEqualTo(first.sourceIdentity());
    }

    @Test
    void filesOutsideThePodLayoutBelongToUnknown() throws Exception {
        agent = agentConfig().start();
        Files.write(watch.resolve("stray.hprof"), "stray".getBytes());
        Dumps.await("the manifest", WAIT, () -> manifestKeys().size() == 1);
        assertThat(manifestKeys().get(0)).startsWith("test-cluster/node-1/_unknown/_unknown/");
    }

    @Test
    void dumpsPresentAtStartupAreShipped() throws Exception {
        Path file = watch.resolve("ns/pod/before-start.hprof");
        Files.createDirectories(file.getParent());
        Files.write(file, "written while the agent was down".getBytes());
        agent = agentConfig().start();
        Dumps.await("the manifest", WAIT, () -> manifestKeys().size() == 1 && Dumps.nodeCopies(watch).isEmpty());
    }
}
