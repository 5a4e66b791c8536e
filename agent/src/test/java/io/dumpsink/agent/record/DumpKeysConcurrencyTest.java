package io.dumpsink.agent.record;

import static org.assertj.core.api.Assertions.assertThat;

import io.dumpsink.agent.AgentApp;
import io.dumpsink.agent.config.BufferBudget;
import io.dumpsink.agent.config.UploadSettings;
import io.dumpsink.agent.fs.FileIdentity;
import io.dumpsink.agent.settle.SettledDump;
import io.dumpsink.agent.testing.Dumps;
import io.dumpsink.agent.testing.TestingAgent;
import io.dumpsink.agent.testing.TestingS3;
import io.dumpsink.agent.watch.DumpFile;
import io.dumpsink.core.config.ClusterSettings;
import io.dumpsink.core.layout.KeyLayout;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.manifest.ManifestCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dumps shipped at the same time never share a key, even when their names and times give the same one. */
class DumpKeysConcurrencyTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** All four flatten ('/' to '_') to {@code a_b_x.hprof}: with one modification time, one candidate key. */
    private static final List<String> COLLIDING = List.of("a/b/x.hprof", "a_b/x.hprof", "a/b_x.hprof", "a_b_x.hprof");

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

    @Test
    void aKeyHandedOutIsNotHandedOutAgainUntilReleased() throws Exception {
        s3.createBucket();
        DumpKeys keys = new DumpKeys(s3.client, s3.settings(), new ClusterSettings("c", "n"),
                new UploadSettings(UploadSettings.Compression.ZSTD, 3, 1, 64 * 1024, UploadSettings.MIN_PART_SIZE, 1,
                        new BufferBudget(64L << 20, 2, 1)), new StoredObjects(s3.client, s3.settings()));
        Instant sameSecond = Instant.parse("2026-11-28T08:15:30Z");
        String plain = "c/n/ns/pod/2026-11-28/081530Z-a_b_x.hprof.zst";
        String second = "c/n/ns/pod/2026-11-28/081530Z-2-a_b_x.hprof.zst";

        DumpKeys.Allocation first = keys.allocate(dump("a/b/x.hprof", 1, sameSecond));
        DumpKeys.Allocation other = keys.allocate(dump("a_b/x.hprof", 2, sameSecond));
        assertThat(first.key()).isEqualTo(plain);
        assertThat(other.key()).isEqualTo(second);

        first.close();
        DumpKeys.Allocation third = keys.allocate(dump("a_b_x.hprof", 3, sameSecond));
        assertThat(third.key()).as("released, and no manifest holds it").isEqualTo(plain);
        first.close(); // a second close must not release the key the third dump holds now
        assertThat(keys.allocate(dump("a/b_x.hprof", 4, sameSecond)).key()).endsWith("Z-3-a_b_x.hprof.zst");
    }

    @Test
    void dumpsWithCollidingNamesShippedConcurrentlyEachGetTheirOwnObjectAndManifest() throws Exception {
        FileTime sameSecond = FileTime.from(Instant.parse("2026-11-28T08:15:30Z"));
        Map<String, byte[]> contents = new HashMap<>();
        Random random = new Random(42);
        for (String name : COLLIDING) {
            // A few MiB each, so the uploads overlap. One size for all: the size check after upload cannot tell
            // an overwritten object from the dump's own, so only distinct keys keep every dump.
            byte[] content = new byte[3 * 1024 * 1024];
            random.nextBytes(content);
            Path file = watch.resolve("ns/pod").resolve(name);
            Files.createDirectories(file.getParent());
            Files.write(file, content);
            Files.setLastModifiedTime(file, sameSecond);
            contents.put(name, content);
        }

        // Present at startup, so all four settle together and the four workers take them at once.
        agent = new TestingAgent(s3, watch, tmp.resolve("state"))
                .with("dumpsink.agent.max-concurrent-dumps", 4)
                .start();
        // Claimed into the agent's folder first, deleted there once stored: the node is empty when all are done.
        Dumps.await("every local file to be shipped and deleted", WAIT, () -> Dumps.nodeCopies(watch).isEmpty());

        List<String> manifestKeys = s3.keys().stream().filter(KeyLayout::isManifestKey).toList();
        assertThat(manifestKeys).as("one manifest per dump").hasSize(COLLIDING.size());
        List<Manifest> manifests = manifestKeys.stream().map(k -> ManifestCodec.fromJson(s3.get(k))).toList();
        assertThat(manifests).extracting(Manifest::fileName).containsExactlyInAnyOrderElementsOf(COLLIDING);
        for (Manifest manifest : manifests) {
            byte[] source = contents.get(manifest.fileName());
            assertThat(manifest.sha256()).as("manifest of %s", manifest.fileName()).isEqualTo(Dumps.sha256(source));
            assertThat(Dumps.sha256(Dumps.unzstd(s3.get(manifest.key()))))
                    .as("object of %s", manifest.fileName()).isEqualTo(manifest.sha256());
        }
    }

    private static SettledDump dump(String name, long inode, Instant modifiedAt) {
        return SettledDump.inPlace(DumpFile.of(Path.of("ns/pod").resolve(name)),
                new FileIdentity(inode, 1024, modifiedAt), modifiedAt);
    }
}
