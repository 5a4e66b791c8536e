package io.dumpsink.e2e;

import io.dumpsink.agent.testing.Dumps;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.github.luben.zstd.ZstdInputStream;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.manifest.ManifestCodec;
import io.dumpsink.embedded.EmbeddedS3;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The agent jar as the Helm chart runs it, on a node far bigger than the build machine: the chart's JVM options
 * (read from values.yaml, so chart and test cannot drift), 64 processors ({@code -XX:ActiveProcessorCount}) and the
 * chart's memory limit ({@code -XX:MaxRAM}). The upload buffers are sized from the memory the JVM has, not from the
 * cores: a 512 MiB dump arrives intact and the process stays under the container's limit. Before that, 64 cores meant
 * 64 compression threads, buffers beyond {@code -XX:MaxDirectMemorySize}, and an upload retried forever.
 */
class ChartSizedAgentJarTest {
    private static final Logger log = LoggerFactory.getLogger(ChartSizedAgentJarTest.class);
    static final Path VALUES = Path.of("..", "charts", "dumpsink", "values.yaml").toAbsolutePath().normalize();
    static final String BUCKET = "dumps";
    static final long MIB = 1024 * 1024;
    static final long DUMP_SIZE = 512 * MIB;

    @TempDir
    Path tmp;

    @Test
    void sixtyFourCoreNodeShipsA512MiBDumpWithinTheChartsMemoryLimit() throws Exception {
        JsonNode agentValues = new YAMLMapper().readTree(VALUES.toFile()).path("agent");
        String javaOpts = agentValues.path("javaOpts").asText();
        String memoryLimit = agentValues.path("resources").path("limits").path("memory").asText();
        assertThat(javaOpts).as("agent.javaOpts in %s", VALUES).isNotBlank();
        long limitBytes = kubernetesBytes(memoryLimit);

        Path watch = Files.createDirectories(tmp.resolve("watch"));
        try (EmbeddedS3 s3 = EmbeddedS3.start(tmp.resolve("s3"), 0);
                S3Client client = client(s3);
                ServiceProcess agent = ServiceProcess.agentLikeChart(writeConfig(s3, watch), tmp.resolve("agent.log"),
                        javaOpts, List.of("-XX:ActiveProcessorCount=64", "-XX:MaxRAM=" + limitBytes))) {
            int port = agent.awaitStarted(Duration.ofSeconds(60));

            // Written beside the watch dir and moved in whole: the agent sees one finished file.
            // Heap-like bytes, not a real HPROF: named .dmp, it settles on size and mtime alone.
            Path staged = tmp.resolve("java_pid1.dmp");
            String sha256 = writeHeapLikeDump(staged, DUMP_SIZE);
            Path podDir = Files.createDirectories(watch.resolve("shop").resolve("checkout-5c7b9-abcde"));
            Files.move(staged, podDir.resolve(staged.getFileName()), StandardCopyOption.ATOMIC_MOVE);

            // Claimed out of the pod's folder first, deleted from the claim folder once stored.
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (!Dumps.nodeCopies(watch).isEmpty() && agent.process.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(250);
            }
            assertThat(Dumps.nodeCopies(watch)).as("shipped and released; agent log:%n%s", agent.output()).isEmpty();
            long peakRss = agent.peakRssBytes();
            log.info("Agent peak RSS after shipping a {} MiB dump: {} MiB (VmHWM), limit {} ({} MiB), javaOpts=\"{}\"",
                    DUMP_SIZE / MIB, peakRss / MIB, memoryLimit, limitBytes / MIB, javaOpts);
            HttpResponse<String> ready = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            String output = agent.output();

            List<String> keys = client.listObjectsV2Paginator(b -> b.bucket(BUCKET)).contents().stream()
                    .map(S3Object::key).sorted().toList();
            assertThat(keys).hasSize(2);
            Manifest manifest = ManifestCodec.fromJson(
                    client.getObjectAsBytes(b -> b.bucket(BUCKET).key(keys.get(1))).asByteArray());
            assertThat(keys.get(1)).isEqualTo(manifest.key() + ".json");
            assertThat(manifest.originalSize()).isEqualTo(DUMP_SIZE);
            assertThat(manifest.sha256()).isEqualTo(sha256);
            MessageDigest restored = MessageDigest.getInstance("SHA-256");
            try (InputStream in = new DigestInputStream(new ZstdInputStream(
                    client.getObject(b -> b.bucket(BUCKET).key(manifest.key()))), restored)) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            assertThat(HexFormat.of().formatHex(restored.digest())).as("the stored object, decompressed")
                    .isEqualTo(sha256);

            Matcher threads = Pattern.compile("Upload buffers .*compressionThreads=(\\d+) processors=64.*")
                    .matcher(output);
            assertThat(threads.find()).as("the resolved budget is logged once at startup:%n%s", output).isTrue();
            log.info("Agent said: {}", threads.group());
            assertThat(Integer.parseInt(threads.group(1))).isBetween(1, 63);
            assertThat(output).doesNotContain("OutOfMemoryError").doesNotContain("Upload buffers do not fit");
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            assertThat(peakRss).as("peak RSS against the chart's memory limit %s", memoryLimit)
                    .isLessThan(limitBytes);
        }
    }

    /** "256Mi", "1Gi", "512M": a Kubernetes memory quantity in bytes (the suffixes the chart can reasonably use). */
    static long kubernetesBytes(String quantity) {
        Matcher m = Pattern.compile("(\\d+)(Ki|Mi|Gi|K|M|G)?").matcher(quantity.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("unsupported memory quantity '" + quantity + "'");
        }
        long value = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2);
        return switch (unit) {
            case "Ki" -> value << 10;
            case "Mi" -> value << 20;
            case "Gi" -> value << 30;
            case "K" -> value * 1_000;
            case "M" -> value * 1_000_000;
            case "G" -> value * 1_000_000_000;
            default -> value;
        };
    }

    /**
     * Writes {@code size} bytes that compress roughly like a heap dump: three quarters object records (ascending
     * ids, a few hundred class ids, small fields), one quarter random bytes (primitive arrays full of entropy).
     * Returns the SHA-256.
     */
    static String writeHeapLikeDump(Path file, long size) throws Exception {
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        SplittableRandom random = new SplittableRandom(42);
        ByteBuffer block = ByteBuffer.allocate((int) MIB);
        long objectId = 0x7f0000000L;
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long written = 0; written < size; written += block.capacity()) {
                block.clear();
                if ((written / MIB) % 4 == 3) {
                    while (block.hasRemaining()) {
                        block.putLong(random.nextLong());
                    }
                } else {
                    while (block.remaining() >= 32) {
                        block.put((byte) 0x21).putLong(objectId += 24)
                                .putLong(0x7e0000000L + random.nextInt(300) * 64L)
                                .putInt(24).putInt(random.nextInt(1000)).putInt(0)
                                .put(new byte[3]);
                    }
                }
                block.flip();
                sha256.update(block.duplicate());
                while (block.hasRemaining()) {
                    out.write(block);
                }
            }
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    private Path writeConfig(EmbeddedS3 s3, Path watch) throws Exception {
        Path config = tmp.resolve("agent.conf");
        Files.writeString(config, """
                dumpsink {
                  cluster = e2e
                  node = big-node
                  s3 { endpoint = "%s", bucket = %s, path-style = true, access-key = "%s", secret-key = "%s",
                       create-bucket = true }
                  agent { watch-dir = "%s", state-dir = "%s", settle-time = 2s, http-port = 0 }
                }
                """.formatted(s3.endpoint(), BUCKET, EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY, watch,
                tmp.resolve("state")));
        return config;
    }

    private static S3Client client(EmbeddedS3 s3) {
        return S3Client.builder().endpointOverride(s3.endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY)))
                .build();
    }
}
