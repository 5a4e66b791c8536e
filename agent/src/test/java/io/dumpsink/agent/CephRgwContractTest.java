package io.dumpsink.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dumpsink.core.layout.KeyLayout;
import io.dumpsink.agent.testing.Dumps;
import io.dumpsink.agent.testing.TcpRelay;
import io.dumpsink.agent.testing.TestingAgent;
import io.dumpsink.agent.testing.TestingS3;
import io.dumpsink.core.config.S3Settings;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.manifest.ManifestCodec;
import io.dumpsink.core.s3.S3Clients;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The agent against Ceph RGW, a second real S3 implementation with lifecycle support and Ceph 16's refusal of
 * the SDK's trailing checksums. Runs where tools/ceph-rgw/start.sh started one (.ci/run does) and
 * DUMPSINK_TEST_RGW_ENDPOINT names it; elsewhere it is skipped and says why.
 */
class CephRgwContractTest {
    static final String ENDPOINT = System.getenv("DUMPSINK_TEST_RGW_ENDPOINT");
    static final String ACCESS_KEY = "AKIDEXAMPLE";
    static final String SECRET_KEY = "SECRETEXAMPLEKEY";

    @TempDir
    Path tmp;
    S3Client client;
    String bucket;
    AgentApp agent;

    @BeforeEach
    void setUp() {
        assumeTrue(ENDPOINT != null && !ENDPOINT.isBlank(),
                "Ceph RGW not up: start tools/ceph-rgw/start.sh and set DUMPSINK_TEST_RGW_ENDPOINT");
        bucket = "dumps-" + UUID.randomUUID().toString().substring(0, 8);
        client = S3Clients.create(new S3Settings(Optional.of(URI.create(ENDPOINT)), "us-east-1", bucket, true,
                ACCESS_KEY, SECRET_KEY, S3Settings.RequestChecksums.AUTO, true, Optional.empty()), 4);
    }

    @AfterEach
    void tearDown() {
        if (agent != null) {
            agent.stop();
        }
        if (client != null) {
            client.close();
        }
    }

    private TestingAgent agentConfig() {
        return new TestingAgent(ENDPOINT, ACCESS_KEY, SECRET_KEY, tmp.resolve("watch"), tmp.resolve("state"))
                .with("dumpsink.s3.bucket", bucket)
                .with("dumpsink.agent.part-size", "5MiB");
    }

    private List<String> keys() {
        return client.listObjectsV2Paginator(b -> b.bucket(bucket)).contents().stream().map(S3Object::key).toList();
    }

    @Test
    void multipartDumpAndManifestLandIntact() throws Exception {
        agent = agentConfig().start();
        byte[] content = new byte[12 << 20];
        new Random(3).nextBytes(content);
        Path pod = Files.createDirectories(tmp.resolve("watch/ns/pod"));
        Path staging = tmp.resolve("x.dmp");
        Files.write(staging, content);
        Files.move(staging, pod.resolve("x.dmp"));

        Dumps.await("the manifest", Duration.ofSeconds(60), () -> keys().stream().anyMatch(KeyLayout::isManifestKey));
        String manifestKey = keys().stream().filter(KeyLayout::isManifestKey).findFirst().orElseThrow();
        Manifest manifest = ManifestCodec.fromJson(client.getObjectAsBytes(b -> b.bucket(bucket).key(manifestKey))
                .asByteArray());
        assertThat(manifest.parts()).isGreaterThanOrEqualTo(2);
        byte[] stored = client.getObjectAsBytes(b -> b.bucket(bucket).key(manifest.key())).asByteArray();
        assertThat(Dumps.sha256(Dumps.unzstd(stored))).isEqualTo(Dumps.sha256(content));
    }

    @Test
    void anInterruptedUploadResumesFromTheStoredParts() throws Exception {
        try (TcpRelay relay = new TcpRelay(URI.create(ENDPOINT).getPort())) {
            TestingAgent config = agentConfig()
                    .with("dumpsink.s3.endpoint", "http://127.0.0.1:" + relay.port())
                    .with("dumpsink.agent.shutdown-grace", "100ms");
            agent = config.start();
            relay.throttle(30L << 20);
            byte[] content = new byte[120 << 20];
            new Random(5).nextBytes(content);
            Path pod = Files.createDirectories(tmp.resolve("watch/ns/pod"));
            Path staging = tmp.resolve("big.dmp");
            Files.write(staging, content);
            Files.move(staging, pod.resolve("big.dmp"));
            Dumps.await("half of the dump sent", Duration.ofSeconds(60), () -> relay.upstreamBytes() > 60L << 20);
            agent.stop();
            agent = null;
            relay.throttle(0);

            agent = config.start();
            Dumps.await("the manifest", Duration.ofSeconds(90),
                    () -> keys().stream().anyMatch(KeyLayout::isManifestKey));
            String manifestKey = keys().stream().filter(KeyLayout::isManifestKey).findFirst().orElseThrow();
            Manifest manifest = ManifestCodec.fromJson(client.getObjectAsBytes(b -> b.bucket(bucket)
                    .key(manifestKey)).asByteArray());
            byte[] stored = client.getObjectAsBytes(b -> b.bucket(bucket).key(manifest.key())).asByteArray();
            assertThat(Dumps.sha256(Dumps.unzstd(stored))).isEqualTo(Dumps.sha256(content));
            assertThat(relay.upstreamBytes()).isLessThan((long) (manifest.storedSize() * 1.25));
            assertThat(client.listMultipartUploads(b -> b.bucket(bucket)).uploads()).isEmpty();
        }
    }

    @Test
    void lifecycleRuleIsMergedKeptIdempotentAndReallyExpiresObjects() throws Exception {
        client.createBucket(b -> b.bucket(bucket));
        LifecycleRule theirs = LifecycleRule.builder().id("keep-me").status(ExpirationStatus.ENABLED)
                .filter(f -> f.prefix("other/")).expiration(e -> e.days(90)).build();
        client.putBucketLifecycleConfiguration(b -> b.bucket(bucket).lifecycleConfiguration(c -> c.rules(theirs)));

        agent = agentConfig().with("dumpsink.s3.lifecycle.expire-after", "1d").start();
        agent.stop();
        agent = agentConfig().with("dumpsink.s3.lifecycle.expire-after", "1d").start(); // applied twice: idempotent

        List<LifecycleRule> rules = client.getBucketLifecycleConfiguration(b -> b.bucket(bucket)).rules();
        assertThat(rules).extracting(LifecycleRule::id).containsExactlyInAnyOrder("keep-me", "dumpsink-test-cluster");
        LifecycleRule ours = rules.stream().filter(r -> r.id().equals("dumpsink-test-cluster")).findFirst().orElseThrow();
        // RGW answers in the old form, with the prefix on the rule rather than in a filter.
        String prefix = ours.filter() != null && ours.filter().prefix() != null ? ours.filter().prefix() : ours.prefix();
        assertThat(prefix).isEqualTo("test-cluster/");
        assertThat(ours.expiration().days()).isEqualTo(1);

        // With rgw_lc_debug_interval = 10 (tools/ceph-rgw/start.sh), one lifecycle "day" lasts 10 seconds.
        String key = "test-cluster/node-1/ns/pod/2026-11-28/000000Z-old.hprof.zst";
        client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("expires"));
        Dumps.await("the lifecycle rule to expire the object", Duration.ofSeconds(180), () -> {
            try {
                client.headObject(b -> b.bucket(bucket).key(key));
                return false;
            } catch (NoSuchKeyException e) {
                return true;
            } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
                return e.statusCode() == 404;
            }
        });
        assertThat(keys()).doesNotContain(key);
    }
}
