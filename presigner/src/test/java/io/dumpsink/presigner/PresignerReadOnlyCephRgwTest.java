package io.dumpsink.presigner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.dumpsink.core.config.ConfigLoader;
import io.dumpsink.core.config.S3Settings;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.manifest.ManifestCodec;
import io.dumpsink.core.s3.S3Clients;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The presigner with the read-only credentials the README's policy gives it, on Ceph RGW with a real user and a
 * real bucket policy: it lists, signs links that download, answers ready, and its credentials cannot delete or
 * write. Needs RGW (tools/ceph-rgw/start.sh, DUMPSINK_TEST_RGW_ENDPOINT) and radosgw-admin; skipped elsewhere.
 */
class PresignerReadOnlyCephRgwTest {
    static final String ENDPOINT = System.getenv("DUMPSINK_TEST_RGW_ENDPOINT");
    static final String CEPH_CONF = Optional.ofNullable(System.getenv("CEPH_RGW_BASE")).orElse("/tmp/ceph-rgw")
            + "/ceph.conf";
    static final String TOKEN = "reader-token-0123456789";
    static final String KEY = "rgw/node-a/ns/pod/2026-11-28/081530Z-java_pid1.hprof.zst";
    static final byte[] DUMP = "bytes stored in RGW".getBytes(StandardCharsets.UTF_8);
    static final ObjectMapper JSON = new ObjectMapper();

    S3Client admin;
    S3Client asPresigner;
    String bucket;
    String id;
    PresignerApp presigner;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(ENDPOINT != null && !ENDPOINT.isBlank(),
                "Ceph RGW not up: start tools/ceph-rgw/start.sh and set DUMPSINK_TEST_RGW_ENDPOINT");
        assumeTrue(Files.isReadable(Path.of(CEPH_CONF)), "no " + CEPH_CONF + ": radosgw-admin cannot create users");
        id = UUID.randomUUID().toString().substring(0, 8);
        String user = "dumpsink-presigner-" + id;
        radosgwAdmin("user", "create", "--uid", user, "--display-name", user, "--access-key", "PRESIGNER" + id,
                "--secret", "presigner-secret-" + id);
        bucket = "links-" + id;
        admin = client("AKIDEXAMPLE", "SECRETEXAMPLEKEY");
        admin.createBucket(b -> b.bucket(bucket));
        String principal = "{\"AWS\":[\"arn:aws:iam:::user/" + user + "\"]}";
        admin.putBucketPolicy(b -> b.bucket(bucket).policy("""
                {"Version":"2012-10-17","Statement":[
                 {"Effect":"Allow","Principal":%1$s,"Action":["s3:GetObject"],"Resource":["arn:aws:s3:::%2$s/*"]},
                 {"Effect":"Allow","Principal":%1$s,"Action":["s3:ListBucket"],"Resource":["arn:aws:s3:::%2$s"]}
                ]}""".formatted(principal, bucket)));
        admin.putObject(b -> b.bucket(bucket).key(KEY), RequestBody.fromBytes(DUMP));
        Manifest manifest = new Manifest(1, KEY, bucket, "rgw", "node-a", "ns", "pod", "java_pid1.hprof", "/x",
                "id", 100, "ab", DUMP.length, "zstd", 1 << 20, 1, Instant.now(), Instant.now(), Instant.now(), "t",
                "hprof", true);
        admin.putObject(b -> b.bucket(bucket).key(KEY + ".json"),
                RequestBody.fromBytes(ManifestCodec.toJson(manifest)));
        asPresigner = client("PRESIGNER" + id, "presigner-secret-" + id);
    }

    @AfterEach
    void tearDown() {
        if (presigner != null) {
            presigner.stop();
        }
        for (S3Client c : new S3Client[] {admin, asPresigner}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static S3Client client(String accessKey, String secretKey) {
        return S3Clients.create(new S3Settings(Optional.of(URI.create(ENDPOINT)), "us-east-1", "unused", true,
                accessKey, secretKey, S3Settings.RequestChecksums.AUTO, true, Optional.empty()), 2);
    }

    private static void radosgwAdmin(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("radosgw-admin", "-c", CEPH_CONF));
        command.addAll(List.of(args));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "radosgw-admin cannot run here: " + e.getMessage());
            return;
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }

    @Test
    void aReadOnlyPresignerListsAndLinksAndCannotDeleteOrWrite() throws Exception {
        Map<String, Object> c = new HashMap<>();
        c.put("dumpsink.s3.endpoint", ENDPOINT);
        c.put("dumpsink.s3.bucket", bucket);
        c.put("dumpsink.s3.path-style", true);
        c.put("dumpsink.s3.access-key", "PRESIGNER" + id);
        c.put("dumpsink.s3.secret-key", "presigner-secret-" + id);
        c.put("dumpsink.presigner.port", 0);
        c.put("dumpsink.presigner.management-port", 0);
        c.put("dumpsink.presigner.access-tokens", List.of(Map.of("id", "people", "role", "reader", "token", TOKEN)));
        presigner = PresignerApp.create(ConfigLoader.load(ConfigFactory.parseMap(c), Map.of()));
        presigner.start();
        HttpClient http = HttpClient.newHttpClient();
        String api = "http://127.0.0.1:" + presigner.port();
        TestingReadiness.awaitReady(presigner.managementPort()); // the index listed the bucket as the read-only user

        HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create(api + "/api/v1/dumps"))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
        assertThat(JSON.readTree(list.body()).get("dumps").findValuesAsText("key")).containsExactly(KEY);
        HttpResponse<String> link = http.send(HttpRequest.newBuilder(URI.create(api + "/api/v1/links"))
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"" + KEY + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(link.statusCode()).as(link.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(link.body());
        HttpResponse<byte[]> download = http.send(HttpRequest.newBuilder(URI.create(body.get("url").asText()))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(DUMP);
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + presigner.managementPort()
                + "/readyz")).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

        assertThatThrownBy(() -> asPresigner.deleteObject(b -> b.bucket(bucket).key(KEY)))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
        assertThatThrownBy(() -> asPresigner.putObject(b -> b.bucket(bucket).key(KEY), RequestBody.fromString("x")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
        assertThat(admin.getObjectAsBytes(b -> b.bucket(bucket).key(KEY)).asByteArray()).isEqualTo(DUMP);
    }
}
