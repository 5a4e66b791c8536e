package io.dumpsink.presigner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.dumpsink.core.config.ConfigLoader;
import io.dumpsink.core.config.S3Settings;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.manifest.ManifestCodec;
import io.dumpsink.core.s3.S3Clients;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Presigned links against Ceph RGW: the URLs this service signs must be accepted by a second S3 implementation.
 * Runs where tools/ceph-rgw/start.sh started one and DUMPSINK_TEST_RGW_ENDPOINT names it; skipped elsewhere.
 */
class PresignerCephRgwTest {
    static final String ENDPOINT = System.getenv("DUMPSINK_TEST_RGW_ENDPOINT");
    static final String TOKEN = "token-0123456789abcdef";
    static final String KEY = "rgw/node-a/ns/pod/2026-11-28/081530Z-java_pid1.hprof.zst";
    static final byte[] DUMP = "bytes stored in RGW".getBytes(StandardCharsets.UTF_8);

    S3Client client;
    String bucket;
    PresignerApp presigner;

    @BeforeEach
    void setUp() {
        assumeTrue(ENDPOINT != null && !ENDPOINT.isBlank(),
                "Ceph RGW not up: start tools/ceph-rgw/start.sh and set DUMPSINK_TEST_RGW_ENDPOINT");
        bucket = "links-" + UUID.randomUUID().toString().substring(0, 8);
        client = S3Clients.create(new S3Settings(Optional.of(URI.create(ENDPOINT)), "us-east-1", bucket, true,
                "AKIDEXAMPLE", "SECRETEXAMPLEKEY", S3Settings.RequestChecksums.AUTO, false, Optional.empty()), 2);
        client.createBucket(b -> b.bucket(bucket));
        client.putObject(b -> b.bucket(bucket).key(KEY), RequestBody.fromBytes(DUMP));
        Manifest manifest = new Manifest(1, KEY, bucket, "rgw", "node-a", "ns", "pod", "java_pid1.hprof", "/x",
                "id", 100, "ab", DUMP.length, "zstd", 1 << 20, 1, Instant.now(), Instant.now(), Instant.now(), "t", "hprof", true);
        client.putObject(b -> b.bucket(bucket).key(KEY + ".json"), RequestBody.fromBytes(ManifestCodec.toJson(manifest)));
    }

    @AfterEach
    void tearDown() {
        if (presigner != null) {
            presigner.stop();
        }
        if (client != null) {
            client.close();
        }
    }

    @Test
    void presignedLinksWorkAgainstRgw() throws Exception {
        presigner = PresignerApp.create(ConfigLoader.load(ConfigFactory.parseMap(Map.of(
                "dumpsink.s3.endpoint", ENDPOINT, "dumpsink.s3.bucket", bucket, "dumpsink.s3.path-style", true,
                "dumpsink.s3.access-key", "AKIDEXAMPLE", "dumpsink.s3.secret-key", "SECRETEXAMPLEKEY",
                "dumpsink.presigner.port", 0, "dumpsink.presigner.management-port", 0, "dumpsink.presigner.tokens", List.of(TOKEN))), Map.of()));
        presigner.start();
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> link = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + presigner.port() + "/api/v1/links"))
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"" + KEY + "\",\"ttl\":\"10m\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(link.statusCode()).as(link.body()).isEqualTo(200);
        String url = new ObjectMapper().readTree(link.body()).get("url").asText();
        HttpResponse<byte[]> object = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(object.statusCode()).isEqualTo(200);
        assertThat(object.body()).isEqualTo(DUMP);
        assertThat(object.headers().firstValue("Content-Disposition")).hasValueSatisfying(v ->
                assertThat(v).contains("081530Z-java_pid1.hprof.zst"));
    }
}
