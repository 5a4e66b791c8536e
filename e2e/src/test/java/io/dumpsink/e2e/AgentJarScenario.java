package io.dumpsink.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.luben.zstd.ZstdInputStream;
import io.dumpsink.agent.testing.Dumps;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.manifest.ManifestCodec;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The seed's crash scenario through the real agent jar: a JVM runs out of memory in a pod folder, and its heap
 * dump ends up in the bucket, compressed, with a manifest, findable by layout; the node's copy is gone. Run once per
 * S3 server (subclasses).
 */
abstract class AgentJarScenario {
    static final String BUCKET = "dumps";
    static final String POD_DIR = "shop/checkout-5c7b9-abcde";

    @TempDir
    Path tmp;

    abstract URI endpoint();

    abstract String accessKey();

    abstract String secretKey();

    S3Client client() {
        return S3Client.builder().endpointOverride(endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(accessKey(), secretKey())))
                .build();
    }

    Path writeConfig(Path watch, String extra) throws Exception {
        Path config = tmp.resolve("agent.conf");
        Files.writeString(config, """
                dumpsink {
                  cluster = e2e
                  node = node-a
                  s3 { endpoint = "%s", bucket = %s, path-style = true, access-key = "%s", secret-key = "%s",
                       create-bucket = true }
                  agent { watch-dir = "%s", state-dir = "%s", settle-time = 2s, http-port = 0 }
                }
                %s
                """.formatted(endpoint(), BUCKET, accessKey(), secretKey(), watch, tmp.resolve("state"), extra));
        return config;
    }

    @Test
    void helloWorldOutOfMemoryDumpLandsInTheBucketAndLeavesTheNode() throws Exception {
        Path watch = tmp.resolve("watch");
        Files.createDirectories(watch);
        try (S3Client s3 = client();
                ServiceProcess agent = ServiceProcess.agent(writeConfig(watch, ""), tmp.resolve("agent.log"))) {
            agent.awaitStarted(Duration.ofSeconds(60));

            Path dump = crashHelloWorld(Files.createDirectories(watch.resolve(POD_DIR)));
            // The agent waits for 2 s of quiet before it takes the file: read it now to compare later.
            byte[] original = Files.readAllBytes(dump);
            String day = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC)
                    .format(Files.getLastModifiedTime(dump).toInstant());

            // The agent claims the dump (moves it out of the pod's folder) and deletes it once it is durable.
            io.dumpsink.agent.testing.Dumps.await("the node's copy to be released once the dump is durable",
                    Duration.ofSeconds(60), () -> io.dumpsink.agent.testing.Dumps.nodeCopies(watch).isEmpty());

            List<String> keys = keys(s3);
            String prefix = "e2e/node-a/shop/checkout-5c7b9-abcde/" + day + "/";
            // the dump, its heap histogram and its manifest
            assertThat(keys).hasSize(3).allSatisfy(key -> assertThat(key).startsWith(prefix));
            String dumpKey = keys.get(0);
            assertThat(dumpKey).endsWith("-" + dump.getFileName() + ".zst");
            assertThat(keys).containsExactly(dumpKey, dumpKey + ".histogram.json", dumpKey + ".json");
            Manifest manifest = ManifestCodec.fromJson(
                    s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(dumpKey + ".json")).asByteArray());
            byte[] stored = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(dumpKey)).asByteArray();
            byte[] restored;
            try (InputStream in = new ZstdInputStream(new ByteArrayInputStream(stored))) {
                restored = in.readAllBytes();
            }
            assertThat(sha256(restored)).isEqualTo(sha256(original)).isEqualTo(manifest.sha256());
            assertThat(manifest.storedSize()).isEqualTo(stored.length);
        }
    }

    @Test
    void awsCliListsTheStoredDumpAndItsManifest() throws Exception {
        assumeTrue(AwsCli.installed(), AwsCli.MISSING);
        Path watch = Files.createDirectories(tmp.resolve("watch"));
        try (S3Client s3 = client();
                ServiceProcess agent = ServiceProcess.agent(writeConfig(watch, ""), tmp.resolve("agent.log"))) {
            agent.awaitStarted(Duration.ofSeconds(60));
            crashHelloWorld(Files.createDirectories(watch.resolve(POD_DIR)));
            Dumps.await("the dump, its histogram and its manifest stored", Duration.ofSeconds(60),
                    () -> keys(s3).size() == 3);
            String dumpKey = keys(s3).get(0);

            assertThat(AwsCli.listRecursive(endpoint(), accessKey(), secretKey(), BUCKET))
                    .contains(dumpKey).contains(dumpKey + ".json");
        }
    }

    /** Runs the seed's HelloWorld out of memory with its heap dump path in {@code podDir}; returns the dump. */
    Path crashHelloWorld(Path podDir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process app = new ProcessBuilder(java, "-Xmx12m", "-XX:+HeapDumpOnOutOfMemoryError",
                "-XX:HeapDumpPath=" + podDir + "/", "-cp", System.getProperty("java.class.path"),
                HelloWorld.class.getName())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("app.log").toFile()).start();
        assertThat(app.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(tmp.resolve("app.log"))).contains("Hello, world")
                .contains("java.lang.OutOfMemoryError");
        try (var files = Files.list(podDir)) {
            return files.filter(p -> p.toString().endsWith(".hprof")).findFirst().orElseThrow();
        }
    }

    static List<String> keys(S3Client s3) {
        return s3.listObjectsV2Paginator(b -> b.bucket(BUCKET)).contents().stream().map(S3Object::key).sorted()
                .toList();
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
