package io.dumpsink.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dumpsink.agent.testing.Dumps;
import io.dumpsink.embedded.EmbeddedS3;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A pod attacks the agent through its own folder, as an unprivileged user (uid 1000) in a separate process, while
 * the real agent jar runs as root: FIFOs swapped in for folders and files the agent is about to open, hard links
 * swapped in and out under the names the agent checks. Each test asserts that another pod's dump ships meanwhile,
 * that the agent stays ready, and that nothing the attacker pointed at leaves the node.
 */
class HostilePodFilesTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;
    EmbeddedS3 s3;
    S3Client client;
    Path watch;
    Path evil;
    Path victim;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "SKIPPED: needs root to run the agent as root and the attacker as uid 1000");
        s3 = EmbeddedS3.start(tmp.resolve("s3"), 0);
        client = S3Client.builder().endpointOverride(s3.endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY)))
                .build();
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        watch = Files.createDirectories(tmp.resolve("watch"));
        evil = Files.createDirectories(watch.resolve("shop/evil-1"));
        Files.setAttribute(evil, "unix:uid", 1000);
        Files.setAttribute(evil, "unix:gid", 1000);
        victim = Files.createDirectories(watch.resolve("shop/victim-1"));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (client != null) {
            client.close();
            s3.close();
        }
    }

    private Path config() throws Exception {
        Path config = tmp.resolve("agent.conf");
        Files.writeString(config, """
                dumpsink {
                  cluster = e2e
                  node = node-a
                  s3 { endpoint = "%s", bucket = dumps, path-style = true, access-key = "%s", secret-key = "%s",
                       create-bucket = true }
                  agent { watch-dir = "%s", state-dir = "%s", settle-time = 1s, rescan-interval = 2s,
                          http-port = 0, stall-timeout = 20s }
                }
                """.formatted(s3.endpoint(), EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY, watch,
                tmp.resolve("state")));
        return config;
    }

    private List<String> keys() {
        return client.listObjectsV2Paginator(b -> b.bucket("dumps")).contents().stream().map(S3Object::key)
                .sorted().toList();
    }

    /** Runs a shell script as uid 1000 in the attacker's pod folder; returns once it exits (bounded). */
    private void attack(String script) throws Exception {
        Process process = new ProcessBuilder("setpriv", "--reuid=1000", "--regid=1000", "--clear-groups",
                "sh", "-c", script).directory(evil.toFile()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("attacker.log").toFile()).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the attacker's script ends").isTrue();
        assertThat(process.exitValue()).as("attacker: " + Files.readString(tmp.resolve("attacker.log"))).isZero();
    }

    private void victimDumpShips(ServiceProcess agent, int port) throws Exception {
        Files.writeString(victim.resolve("core.4242"), "the victim pod's core file");
        Dumps.await("the other pod's dump in the bucket", WAIT,
                () -> keys().stream().anyMatch(k -> k.contains("/victim-1/") && k.endsWith("core.4242.zst.json")));
        assertThat(status(port, "/readyz")).as("ready: no stage is stuck").isEqualTo(200);
        assertThat(status(port, "/healthz")).isEqualTo(200);
    }

    private static int status(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void folderSwappedForAFifoAfterDetectionStallsNothing() throws Exception {
        try (ServiceProcess agent = ServiceProcess.agent(config(), tmp.resolve("agent.log"))) {
            int port = agent.awaitStarted(WAIT);
            attack("mkdir d && printf x > d/x.hprof");
            Dumps.await("the agent to detect d/x.hprof", WAIT,
                    () -> output(agent).contains("Detected path=shop/evil-1/d/x.hprof"));
            // Before the settle check opens d: the folder becomes a FIFO nobody writes to.
            attack("mv d d.old && mkfifo d");
            victimDumpShips(agent, port);
            assertThat(keys()).noneMatch(k -> k.contains("/evil-1/"));
        }
    }

    @Test
    void fileSwappedForAFifoUnderItsNameStallsNothing() throws Exception {
        try (ServiceProcess agent = ServiceProcess.agent(config(), tmp.resolve("agent.log"))) {
            int port = agent.awaitStarted(WAIT);
            attack("printf 'not a dump' > x.dmp");
            Dumps.await("the agent to detect x.dmp", WAIT,
                    () -> output(agent).contains("Detected path=shop/evil-1/x.dmp"));
            attack("rm x.dmp && mkfifo x.dmp");
            victimDumpShips(agent, port);
            assertThat(keys()).noneMatch(k -> k.contains("/evil-1/"));
        }
    }

    @Test
    void sparseTerabyteFileIsSkippedAndHoldsNoWorker() throws Exception {
        try (ServiceProcess agent = ServiceProcess.agent(config(), tmp.resolve("agent.log"))) {
            int port = agent.awaitStarted(WAIT);
            attack("truncate -s 1T java_pid1.hprof");
            Dumps.await("the agent to skip it", WAIT, () -> output(agent).contains(
                    "Skipping path=shop/evil-1/java_pid1.hprof reason=too-big size=1099511627776"));
            victimDumpShips(agent, port);
            assertThat(keys()).noneMatch(k -> k.contains("/evil-1/"));
            assertThat(evil.resolve("java_pid1.hprof")).as("left where the pod put it").exists();
        }
    }

    @Test
    void hardLinkSwappedInUnderACheckedNameIsNeverShipped() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.setAttribute(outside, "unix:uid", 1000);
        String secret = "a file outside the watch dir, linked in by the pod";
        Files.writeString(outside.resolve("secret"), secret);
        Files.setAttribute(outside.resolve("secret"), "unix:uid", 1000);
        try (ServiceProcess agent = ServiceProcess.agent(config(), tmp.resolve("agent.log"))) {
            int port = agent.awaitStarted(WAIT);
            // Two folders swapped back and forth for 10 s under the name the agent checks: one holds a plain
            // one-link file, the other a hard link to a file outside the watch dir, under the same name.
            attack("mkdir a b && printf plain > a/x.dmp && ln " + outside.resolve("secret") + " b/x.dmp"
                    + " && end=$(($(date +%s) + 10)); while [ $(date +%s) -lt $end ]; do"
                    + " mv a t && mv b a && mv t b; done; true");
            victimDumpShips(agent, port);
            for (String key : keys()) {
                String content = new String(client.getObjectAsBytes(b -> b.bucket("dumps").key(key)).asByteArray(),
                        StandardCharsets.ISO_8859_1);
                assertThat(content).as(key).doesNotContain("outside the watch dir");
                if (key.endsWith(".zst")) {
                    assertThat(new String(Dumps.unzstd(content.getBytes(StandardCharsets.ISO_8859_1)),
                            StandardCharsets.UTF_8)).as(key).doesNotContain(secret);
                }
            }
            assertThat(Files.readString(outside.resolve("secret"))).isEqualTo(secret);
            assertThat(outside.resolve("secret")).exists();
        }
    }

    private static String output(ServiceProcess process) {
        try {
            return process.output();
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
