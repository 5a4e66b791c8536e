package io.dumpsink.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dumpsink.agent.testing.Dumps;
import io.dumpsink.agent.testing.TestingAgent;
import io.dumpsink.core.config.S3Settings;
import io.dumpsink.core.s3.S3Clients;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The agent with the write-only credentials the README's policy gives it, on Ceph RGW with a real user and a real
 * bucket policy: it ships dumps (multipart, manifest, verification, lifecycle) and cannot read one back, delete
 * one, or write outside its cluster's prefix. Needs RGW (tools/ceph-rgw/start.sh, DUMPSINK_TEST_RGW_ENDPOINT) and
 * radosgw-admin to create the user; elsewhere it is skipped and says why.
 */
class LeastPrivilegeCephRgwTest {
    static final String ENDPOINT = System.getenv("DUMPSINK_TEST_RGW_ENDPOINT");
    static final String CEPH_CONF = Optional.ofNullable(System.getenv("CEPH_RGW_BASE")).orElse("/tmp/ceph-rgw")
            + "/ceph.conf";
    static final String CLUSTER = "test-cluster";

    @TempDir
    Path tmp;
    S3Client admin;
    S3Client asAgent;
    String bucket;
    String id;
    String user;
    AgentApp agent;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(ENDPOINT != null && !ENDPOINT.isBlank(),
                "Ceph RGW not up: start tools/ceph-rgw/start.sh and set DUMPSINK_TEST_RGW_ENDPOINT");
        assumeTrue(Files.isReadable(Path.of(CEPH_CONF)), "no " + CEPH_CONF + ": radosgw-admin cannot create users");
        id = UUID.randomUUID().toString().substring(0, 8);
        bucket = "dumps-" + id;
        user = "dumpsink-agent-" + id;
        radosgwAdmin("user", "create", "--uid", user, "--display-name", user, "--access-key", "AGENT" + id,
                "--secret", "agent-secret-" + id);
        admin = client("AKIDEXAMPLE", "SECRETEXAMPLEKEY");
        admin.createBucket(b -> b.bucket(bucket));
        admin.putBucketPolicy(b -> b.bucket(bucket).policy(agentPolicy(bucket, user, CLUSTER)));
        asAgent = client("AGENT" + id, "agent-secret-" + id);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (agent != null) {
            agent.stop();
        }
        for (S3Client c : new S3Client[] {admin, asAgent}) {
            if (c != null) {
                c.close();
            }
        }
    }

    /**
     * The agent's bucket policy on RGW, as in the README: write and multipart under its cluster prefix, list the
     * bucket and its uploads, the lifecycle rule; and an explicit Deny of reads and deletes, because RGW (unlike
     * AWS with ACLs disabled) lets an object's writer read it through the object ACL. RGW makes the writer the
     * owner of each object, so whoever reads dumps (here the test's own user "test", the bucket owner; in a real
     * setup the presigner's user) needs its own Allow in the policy.
     */
    static String agentPolicy(String bucket, String user, String cluster) {
        String principal = "{\"AWS\":[\"arn:aws:iam:::user/" + user + "\"]}";
        return """
                {"Version":"2012-10-17","Statement":[
                 {"Effect":"Allow","Principal":%1$s,"Action":["s3:PutObject","s3:AbortMultipartUpload",
                   "s3:ListMultipartUploadParts"],"Resource":["arn:aws:s3:::%2$s/%3$s/*"]},
                 {"Effect":"Allow","Principal":%1$s,"Action":["s3:ListBucket","s3:ListBucketMultipartUploads",
                   "s3:GetLifecycleConfiguration","s3:PutLifecycleConfiguration"],"Resource":["arn:aws:s3:::%2$s"]},
                 {"Effect":"Deny","Principal":%1$s,"Action":["s3:GetObject","s3:DeleteObject"],
                   "Resource":["arn:aws:s3:::%2$s/*"]},
                 {"Effect":"Allow","Principal":{"AWS":["arn:aws:iam:::user/test"]},"Action":["s3:GetObject"],
                   "Resource":["arn:aws:s3:::%2$s/*"]}
                ]}""".formatted(principal, bucket, cluster);
    }

    private static S3Client client(String accessKey, String secretKey) {
        return S3Clients.create(new S3Settings(Optional.of(URI.create(ENDPOINT)), "us-east-1", "unused", true,
                accessKey, secretKey, S3Settings.RequestChecksums.AUTO, true, Optional.empty()), 2);
    }

    private static void radosgwAdmin(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("radosgw-admin", "-c", CEPH_CONF));
        command.addAll(List.of(args));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "radosgw-admin cannot run here: " + e.getMessage());
            return;
        }
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }

    private List<String> keys() {
        return admin.listObjectsV2Paginator(b -> b.bucket(bucket)).contents().stream().map(S3Object::key).toList();
    }

    @Test
    void aWriteOnlyAgentShipsDumpsAndCannotReadOrDeleteOne() throws Exception {
        agent = new TestingAgent(ENDPOINT, "AGENT" + id, "agent-secret-" + id, tmp.resolve("watch"),
                tmp.resolve("state"))
                .with("dumpsink.cluster", CLUSTER)
                .with("dumpsink.s3.bucket", bucket)
                .with("dumpsink.s3.create-bucket", false)
                .with("dumpsink.agent.part-size", "5MiB")
                .start();
        byte[] content = new byte[12 << 20];
        new Random(7).nextBytes(content);
        Path pod = Files.createDirectories(tmp.resolve("watch/ns/pod"));
        Files.write(tmp.resolve("x.dmp"), content);
        Files.move(tmp.resolve("x.dmp"), pod.resolve("x.dmp"));
        Dumps.await("the manifest", Duration.ofSeconds(60), () -> keys().stream().anyMatch(k -> k.endsWith(".json")));
        // The agent moves a dump aside while shipping it, and deletes it only once listed in the bucket at its size.
        Dumps.await("the local copy deleted after verification", Duration.ofSeconds(30), () -> {
            try (var files = Files.walk(tmp.resolve("watch"))) {
                return files.noneMatch(f -> f.getFileName().toString().equals("x.dmp"));
            } catch (IOException | java.io.UncheckedIOException e) {
                return false; // a folder went away while walking: look again
            }
        });

        String dumpKey = keys().stream().filter(k -> !k.endsWith(".json")).findFirst().orElseThrow();
        assertThat(dumpKey).startsWith(CLUSTER + "/");
        byte[] stored = admin.getObjectAsBytes(b -> b.bucket(bucket).key(dumpKey)).asByteArray();
        assertThat(Dumps.sha256(Dumps.unzstd(stored))).as("stored intact").isEqualTo(Dumps.sha256(content));
        assertThat(admin.getBucketLifecycleConfiguration(b -> b.bucket(bucket)).rules())
                .as("the agent put its lifecycle rule").isNotEmpty();

        assertThatThrownBy(() -> asAgent.getObjectAsBytes(b -> b.bucket(bucket).key(dumpKey)))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
        assertThatThrownBy(() -> asAgent.headObject(b -> b.bucket(bucket).key(dumpKey)))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
        assertThatThrownBy(() -> asAgent.getObjectAsBytes(b -> b.bucket(bucket).key(dumpKey + ".json")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
        assertThatThrownBy(() -> asAgent.deleteObject(b -> b.bucket(bucket).key(dumpKey)))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
        assertThatThrownBy(() -> asAgent.putObject(b -> b.bucket(bucket).key("other-cluster/n/x"),
                RequestBody.fromString("x")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
        assertThat(keys()).contains(dumpKey, dumpKey + ".json");
    }
}
