package io.dumpsink.agent.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.dumpsink.agent.AgentApp;
import io.dumpsink.agent.testing.Dumps;
import io.dumpsink.agent.testing.SeekTables;
import io.dumpsink.agent.testing.TestingAgent;
import io.dumpsink.agent.testing.TestingS3;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.manifest.ManifestCodec;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seek table the agent appends to each zstd object (zstd seekable format), checked on objects the real agent
 * stored in a real S3 server: it lists every frame, sits in the last part (every other part stays at least
 * part-size), the manifest says so, and the {@code zstd} command still decompresses the object to the original.
 */
class SeekTableUploadTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path tmp;
    TestingS3 s3;
    Path watch;
    AgentApp agent;

    @BeforeEach
    void setUp() throws Exception {
        s3 = new TestingS3(tmp.resolve("s3"));
        s3.createBucket();
        watch = tmp.resolve("watch");
        Files.createDirectories(watch.resolve("ns/pod"));
        agent = new TestingAgent(s3, watch, tmp.resolve("state"))
                .with("dumpsink.agent.part-size", "5MiB")
                .with("dumpsink.agent.chunk-size", "256KiB")
                .start();
    }

    @AfterEach
    void tearDown() throws Exception {
        agent.stop();
        s3.close();
    }

    /** Half random, half repetitive: parts of several frames each, frames of different compressed sizes. */
    private byte[] dump(int size) {
        byte[] content = new byte[size];
        Random random = new Random(size);
        for (int at = 0; at < size; at += 64 << 10) {
            if ((at / (64 << 10)) % 2 == 0) {
                byte[] noise = new byte[Math.min(64 << 10, size - at)];
                random.nextBytes(noise);
                System.arraycopy(noise, 0, content, at, noise.length);
            }
        }
        return content;
    }

    private Manifest ship(String name, byte[] content) throws Exception {
        Path staging = tmp.resolve(name);
        Files.write(staging, content);
        Files.move(staging, watch.resolve("ns/pod").resolve(name));
        Dumps.await("the manifest", WAIT, () -> manifests().size() == 1);
        return ManifestCodec.fromJson(s3.get(manifests().get(0)));
    }

    private List<String> manifests() {
        return s3.keys().stream().filter(k -> k.endsWith(".json")).toList();
    }

    @Test
    void zstdObjectEndsWithASeekTableListingEveryFrameInItsLastPart() throws Exception {
        byte[] content = dump(23 << 20 | 12345);
        Manifest manifest = ship("big.hprof", content);
        byte[] object = s3.get(manifest.key());

        SeekTables.assertDescribes(object, content);
        assertThat(manifest.seekTable()).isTrue();
        assertThat(manifest.storedSize()).isEqualTo(object.length);
        assertThat(manifest.parts()).isGreaterThan(1);
        // S3Proxy cannot HEAD single parts; every part but the last holds at least part-size of frames, so the
        // frames alone need all but one of the parts (the table did not get a small part of its own in the middle).
        long frames = object.length - SeekTables.of(object).orElseThrow().encodedSize();
        assertThat(frames).isGreaterThanOrEqualTo((manifest.parts() - 1) * (5L << 20));
        assertThat(Dumps.unzstd(object)).isEqualTo(content);
    }

    @Test
    void theZstdCommandDecompressesAnObjectWithASeekTableToTheOriginal() throws Exception {
        File zstd = new File("/usr/bin/zstd");
        assumeThat(zstd.canExecute()).as("the zstd command (Debian package zstd) is needed for this test").isTrue();
        byte[] content = dump(9 << 20);
        Manifest manifest = ship("cmd.hprof", content);
        Path object = tmp.resolve("object.zst");
        Files.write(object, s3.get(manifest.key()));
        Path out = tmp.resolve("out.hprof");
        Process process = new ProcessBuilder(zstd.getPath(), "-q", "-d", object.toString(), "-o", out.toString())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).as(output).isZero();
        assertThat(Files.readAllBytes(out)).isEqualTo(content);
    }

    @Test
    void emptyDumpGetsATableOfItsOneEmptyFrame() throws Exception {
        Manifest manifest = ship("empty.hprof", new byte[0]);
        byte[] object = s3.get(manifest.key());
        SeekTables.assertDescribes(object, new byte[0]);
        assertThat(SeekTables.of(object).orElseThrow().frames()).isEqualTo(1);
    }

    @Test
    void gzipDumpStoredAsItIsGetsNoTable() throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(dump(1 << 20));
        }
        // Shipped only once complete; a gzip stream that is not an HPROF is "other" but still stored as it is.
        Manifest manifest = ship("java_pid7.hprof.gz", gz.toByteArray());
        assertThat(manifest.compression()).isEqualTo("none");
        assertThat(manifest.hasSeekTable()).isFalse();
        assertThat(s3.get(manifest.key())).isEqualTo(gz.toByteArray());
    }
}
