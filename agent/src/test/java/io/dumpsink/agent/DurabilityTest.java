package io.dumpsink.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.dumpsink.core.layout.KeyLayout;
import io.dumpsink.agent.health.Readiness;
import io.dumpsink.agent.metrics.AgentMetrics;
import io.dumpsink.embedded.EmbeddedS3;
import io.dumpsink.agent.testing.Dumps;
import io.dumpsink.agent.testing.SeekTables;
import io.dumpsink.agent.testing.TcpRelay;
import io.dumpsink.agent.testing.TestingAgent;
import io.dumpsink.agent.testing.TestingS3;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.manifest.ManifestCodec;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults injected for real: the S3 server stopped and restarted, connections cut by a relay, files changed under
 * the agent, hostile links. A dump that reached the watch dir is never lost and never stored half.
 */
class DurabilityTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path tmp;
    TestingS3 s3;
    TcpRelay relay;
    Path watch;
    AgentApp agent;

    @BeforeEach
    void setUp() throws Exception {
        s3 = new TestingS3(tmp.resolve("s3"));
        relay = new TcpRelay(s3.server.port());
        watch = tmp.resolve("watch");
        Files.createDirectories(watch.resolve("ns/pod"));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (agent != null) {
            agent.stop();
        }
        relay.close();
        s3.close();
    }

    private TestingAgent agentThroughRelay() {
        return new TestingAgent(s3, watch, tmp.resolve("state"))
                .with("dumpsink.s3.endpoint", "http://127.0.0.1:" + relay.port())
                .with("dumpsink.agent.part-size", "5MiB")
                .with("dumpsink.agent.chunk-size", "256KiB");
    }

    private byte[] dropRandomDump(String name, int size) throws Exception {
        byte[] content = new byte[size];
        new Random(size).nextBytes(content);
        Path staging = tmp.resolve(name);
        Files.write(staging, content);
        Files.move(staging, watch.resolve("ns/pod").resolve(name));
        return content;
    }

    private List<String> manifests() {
        return s3.keys().stream().filter(KeyLayout::isManifestKey).toList();
    }

    private int openMultipartUploads() {
        return s3.client.listMultipartUploads(b -> b.bucket(TestingS3.BUCKET)).uploads().size();
    }

    @Test
    void s3OutageMidUploadResumesAfterRecoveryWithoutResendingStoredParts() throws Exception {
        s3.createBucket();
        agent = agentThroughRelay().start();
        relay.throttle(40L << 20);
        AgentMetrics metrics = agent.get(AgentMetrics.class);
        // Big enough that the parts in flight when the outage hits (lost, at most parts-in-flight) stay small.
        byte[] content = dropRandomDump("big.hprof", 120 << 20);

        Dumps.await("half of the dump uploaded", WAIT, () -> relay.upstreamBytes() > 60L << 20);
        relay.cutAll();
        s3.server.stop();
        Dumps.await("the agent to notice the outage", WAIT, () -> metrics.s3Up.get() == 0);
        double failures = metrics.dumpsFailed.labelValues("s3").get();
        Dumps.await("more failed attempts", WAIT, () -> metrics.dumpsFailed.labelValues("s3").get() >= failures + 2);
        assertThat(Dumps.nodeCopies(watch)).as("the dump stays on the node while S3 is down").hasSize(1);
        relay.throttle(0);
        s3.server.start();

        Dumps.await("the manifest", WAIT, () -> manifests().size() == 1);
        Manifest manifest = ManifestCodec.fromJson(s3.get(manifests().get(0)));
        assertThat(Dumps.sha256(Dumps.unzstd(s3.get(manifest.key())))).isEqualTo(Dumps.sha256(content));
        assertThat(manifest.sha256()).as("the manifest's SHA-256 after a resume").isEqualTo(Dumps.sha256(content));
        assertThat(metrics.s3Up.get()).isEqualTo(1);
        assertThat(openMultipartUploads()).isZero();
        // Parts stored before the outage are not sent again: at most the parts in flight are lost.
        assertThat(relay.upstreamBytes()).isLessThan((long) (manifest.storedSize() * 1.25));
        Dumps.await("the node's copy to go", WAIT, () -> Dumps.nodeCopies(watch).isEmpty());
    }

    @Test
    void revokedCredentialsMidUploadBackOffKeepStoredPartsAndResumeOnceRestored() throws Exception {
        s3.createBucket();
        agent = agentThroughRelay().with("dumpsink.agent.retry-max-permanent", "2s").start();
        relay.throttle(40L << 20);
        AgentMetrics metrics = agent.get(AgentMetrics.class);
        Readiness readiness = agent.get(Readiness.class);
        byte[] content = dropRandomDump("denied.hprof", 120 << 20);

        Dumps.await("half of the dump uploaded", WAIT, () -> relay.upstreamBytes() > 60L << 20);
        relay.cutAll();
        s3.server.changeSecret("revoked-" + EmbeddedS3.SECRET_KEY); // the agent's key now gets 403
        Dumps.await("the refusal to be seen", WAIT,
                () -> metrics.dumpsFailed.labelValues("s3_refused").get() >= 3);
        assertThat(readiness.isReady()).isFalse();
        assertThat(readiness.problems().get("s3")).contains("refuses").contains("403");
        assertThat(metrics.s3Up.get()).isZero();
        assertThat(Dumps.nodeCopies(watch)).as("the dump stays on the node").hasSize(1);
        long sentWhileRefused = relay.upstreamBytes();
        Dumps.await("two more refused attempts", WAIT,
                () -> metrics.dumpsFailed.labelValues("s3_refused").get() >= 5);
        assertThat(relay.upstreamBytes() - sentWhileRefused).as("refused attempts re-send no dump bytes")
                .isLessThan(1L << 20);
        relay.throttle(0);
        s3.server.changeSecret(EmbeddedS3.SECRET_KEY); // credentials restored

        Dumps.await("the manifest", WAIT, () -> manifests().size() == 1);
        Manifest manifest = ManifestCodec.fromJson(s3.get(manifests().get(0)));
        assertThat(Dumps.sha256(Dumps.unzstd(s3.get(manifest.key())))).isEqualTo(Dumps.sha256(content));
        assertThat(manifest.sha256()).as("the manifest's SHA-256 after a resume").isEqualTo(Dumps.sha256(content));
        assertThat(relay.upstreamBytes()).as("stored parts were kept through the refusal")
                .isLessThan((long) (manifest.storedSize() * 1.25));
        Dumps.await("ready again", WAIT, readiness::isReady);
        assertThat(openMultipartUploads()).isZero();
    }

    @Test
    void agentRestartContinuesTheSameMultipartUpload() throws Exception {
        s3.createBucket();
        // A short grace, so stopping interrupts the upload instead of letting it finish.
        agent = agentThroughRelay().with("dumpsink.agent.shutdown-grace", "100ms").start();
        relay.throttle(20L << 20);
        // Big enough that the parts in flight at the stop (lost, at most parts-in-flight of them) stay small.
        // At most the parts in flight at the stop are sent twice (2 x 5 MiB here), so this is well under 1.25x.
        byte[] content = dropRandomDump("restart.hprof", 120 << 20);
        Dumps.await("half of the dump uploaded", WAIT, () -> relay.upstreamBytes() > 60L << 20);
        agent.stop(); // the upload is interrupted, not aborted (the e2e suite does the same with SIGKILL)
        agent = null;
        assertThat(openMultipartUploads()).as("the upload is kept for the next run").isEqualTo(1);
        relay.throttle(0);

        agent = agentThroughRelay().start();
        Dumps.await("the manifest", WAIT, () -> manifests().size() == 1);
        Manifest manifest = ManifestCodec.fromJson(s3.get(manifests().get(0)));
        assertThat(Dumps.sha256(Dumps.unzstd(s3.get(manifest.key())))).isEqualTo(Dumps.sha256(content));
        assertThat(manifest.sha256()).as("the manifest's SHA-256 after a resume").isEqualTo(Dumps.sha256(content));
        // The frames of the parts the first run stored come from the journal: the table lists them all.
        SeekTables.assertDescribes(s3.get(manifest.key()), content);
        assertThat(manifest.seekTable()).isTrue();
        assertThat(relay.upstreamBytes()).isLessThan((long) (manifest.storedSize() * 1.25));
        assertThat(openMultipartUploads()).isZero();
    }

    @Test
    void fileTruncatedDuringUploadIsAbortedAndShippedAgainAsANewDump() throws Exception {
        s3.createBucket();
        agent = agentThroughRelay().start();
        relay.throttle(10L << 20);
        dropRandomDump("shrinking.hprof", 30 << 20);
        Dumps.await("part of the dump uploaded", WAIT, () -> relay.upstreamBytes() > 8L << 20);
        // Claimed out of the pod's folder; a process that still holds it open (the JVM) can truncate it there.
        Path file = Dumps.claimed(watch, "ns/pod/shrinking.hprof");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(1 << 20);
        }
        byte[] truncated = Files.readAllBytes(file);
        relay.throttle(0);

        Dumps.await("the truncated file, stored as a new dump", WAIT, () -> manifests().size() == 1);
        Manifest manifest = ManifestCodec.fromJson(s3.get(manifests().get(0)));
        assertThat(manifest.originalSize()).isEqualTo(1 << 20);
        assertThat(Dumps.sha256(Dumps.unzstd(s3.get(manifest.key())))).isEqualTo(Dumps.sha256(truncated));
        assertThat(s3.keys()).hasSize(2);
        assertThat(openMultipartUploads()).as("the first attempt was aborted").isZero();
        assertThat(agent.get(AgentMetrics.class).dumpsFailed.labelValues("file_changed").get()).isEqualTo(1);
    }

    @Test
    void fileDeletedDuringUploadLeavesNothingBehind() throws Exception {
        s3.createBucket();
        agent = agentThroughRelay().start();
        relay.throttle(10L << 20);
        dropRandomDump("vanishing.hprof", 30 << 20);
        Dumps.await("part of the dump uploaded", WAIT, () -> relay.upstreamBytes() > 8L << 20);
        Files.delete(Dumps.claimed(watch, "ns/pod/vanishing.hprof"));
        relay.throttle(0);

        Dumps.await("the upload to be aborted", WAIT, () ->
                agent.get(AgentMetrics.class).dumpsFailed.labelValues("file_changed").get() == 1);
        Dumps.await("no open uploads", WAIT, () -> openMultipartUploads() == 0);
        assertThat(s3.keys()).isEmpty();
    }

    @Test
    void hardLinksToFilesOutsideTheWatchDirAreNeverUploaded() throws Exception {
        Path outside = tmp.resolve("outside");
        Files.createDirectories(outside);
        Files.write(outside.resolve("secret"), "root's secret".getBytes());
        Files.createLink(watch.resolve("ns/pod/linked.hprof"), outside.resolve("secret"));
        agent = agentThroughRelay().start();
        Files.write(watch.resolve("ns/pod/real.hprof"), "a real dump".getBytes());

        Dumps.await("the real dump", WAIT, () -> manifests().size() == 1);
        Dumps.awaitRescan(agent.get(AgentMetrics.class), WAIT);
        assertThat(s3.keys()).hasSize(2).allSatisfy(key -> assertThat(key).contains("Z-real.hprof"));
        assertThat(watch.resolve("ns/pod/linked.hprof")).exists();
        assertThat(agent.get(AgentMetrics.class).filesSkipped.labelValues("hard_link").get()).isEqualTo(1);
    }

    @Test
    void orphanedUploadsUnderThisNodeAreAbortedOthersAreLeft() throws Exception {
        s3.createBucket();
        String mine = "test-cluster/node-1/ns/pod/2026-11-28/000000Z-orphan.hprof.zst";
        String otherNode = "test-cluster/node-2/ns/pod/2026-11-28/000000Z-theirs.hprof.zst";
        s3.client.createMultipartUpload(b -> b.bucket(TestingS3.BUCKET).key(mine));
        s3.client.createMultipartUpload(b -> b.bucket(TestingS3.BUCKET).key(otherNode));
        Thread.sleep(1_500);
        agent = agentThroughRelay().with("dumpsink.agent.orphan-upload-age", "1s").start();

        Dumps.await("the orphan to be aborted", WAIT, () -> openMultipartUploads() == 1);
        assertThat(s3.client.listMultipartUploads(b -> b.bucket(TestingS3.BUCKET)).uploads().get(0).key())
                .isEqualTo(otherNode);
    }
}
