package io.dumpsink.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dumpsink.core.lifecycle.StartupException;
import io.dumpsink.agent.testing.Dumps;
import io.dumpsink.agent.testing.TestingAgent;
import io.dumpsink.agent.testing.TestingS3;
import io.dumpsink.core.config.InvalidConfigException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Startup fails fast with the setting to fix; a started agent answers health, readiness and metrics. */
class AgentStartupTest {
    @TempDir
    Path tmp;
    TestingS3 s3;
    Path watch;

    @BeforeEach
    void setUp() throws Exception {
        s3 = new TestingS3(tmp.resolve("s3"));
        watch = tmp.resolve("watch");
        Files.createDirectories(watch);
    }

    @AfterEach
    void tearDown() throws Exception {
        s3.close();
    }

    private TestingAgent agent() {
        return new TestingAgent(s3, watch, tmp.resolve("state"));
    }

    @Test
    void missingBucketWithoutCreateBucketNamesTheSetting() {
        assertThatThrownBy(() -> agent().with("dumpsink.s3.create-bucket", false).start())
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("dumpsink.s3.bucket: no such bucket 'dumps'")
                .hasMessageContaining("dumpsink.s3.create-bucket = true");
    }

    @Test
    void unreachableEndpointFailsWithinSecondsNamingTheEndpoint() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        long started = System.nanoTime();
        assertThatThrownBy(() -> agent().with("dumpsink.s3.endpoint", "http://127.0.0.1:" + closedPort).start())
                .isInstanceOf(StartupException.class)
                .hasMessage("dumpsink.s3.endpoint: connection refused by 127.0.0.1:" + closedPort
                        + "; is the store running, and is the port right?");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void refusedCredentialsNameTheCredentialSettings() {
        assertThatThrownBy(() -> agent().with("dumpsink.s3.secret-key", "wrong").start())
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("dumpsink.s3.access-key / dumpsink.s3.secret-key: access denied to bucket"
                        + " 'dumps'");
    }

    @Test
    void missingWatchDirNamesTheSetting() {
        TestingAgent config = agent().with("dumpsink.agent.watch-dir", tmp.resolve("absent").toString());
        assertThatThrownBy(() -> AgentApp.create(config.config()).start())
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("dumpsink.agent.watch-dir: " + tmp.resolve("absent") + " does not exist");
    }

    @Test
    void missingWatchDirAndUnreachableStoreAreBothReportedInOneRun() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        TestingAgent config = agent().with("dumpsink.agent.watch-dir", tmp.resolve("absent").toString())
                .with("dumpsink.s3.endpoint", "http://127.0.0.1:" + closedPort);
        assertThatThrownBy(() -> AgentApp.create(config.config()).start())
                .isInstanceOf(StartupException.class)
                .hasMessage("2 problems:\n"
                        + "  - dumpsink.agent.watch-dir: " + tmp.resolve("absent") + " does not exist or is not a"
                        + " folder; create it (the Helm chart mounts it with hostPath type DirectoryOrCreate)\n"
                        + "  - dumpsink.s3.endpoint: connection refused by 127.0.0.1:" + closedPort
                        + "; is the store running, and is the port right?");
    }

    @Test
    void configFileWithThreeDifferentMistakesReportsAllThree() throws Exception {
        Path file = tmp.resolve("agent.conf");
        Files.writeString(file, """
                dumpsink.agent {
                  settle-tme = 5s
                  incomplete-wait = 5 parsecs
                  chunk-size = lots
                }
                """);
        assertThatThrownBy(() -> AgentApp.create(agent().config(file)))
                .isInstanceOf(InvalidConfigException.class)
                .satisfies(e -> assertThat(((InvalidConfigException) e).problems()).containsExactlyInAnyOrder(
                        "dumpsink.agent.settle-tme: unknown key (" + file + ": 2); did you mean"
                                + " 'dumpsink.agent.settle-time'?",
                        "dumpsink.agent.incomplete-wait: expected a duration such as 5s, 30s or 2m (" + file + ": 3)",
                        "dumpsink.agent.chunk-size: expected a size such as 8MiB or 1GiB (" + file + ": 4)"));
    }

    @Test
    void stateDirInsideTheWatchDirIsAConfigError() {
        TestingAgent config = agent().with("dumpsink.agent.state-dir", watch.resolve("state").toString());
        assertThatThrownBy(() -> AgentApp.create(config.config()))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("dumpsink.agent.state-dir: must not be inside dumpsink.agent.watch-dir");
    }

    @Test
    void healthReadinessAndMetricsAnswerOverHttp() throws Exception {
        AgentApp app = agent().start();
        try {
            Files.createDirectories(watch.resolve("ns/pod"));
            Files.write(watch.resolve("ns/pod/x.hprof"), new byte[1000]);
            Dumps.await("the upload", Duration.ofSeconds(30), () -> s3.keys().size() == 2);

            HttpClient http = HttpClient.newHttpClient();
            URI base = URI.create("http://127.0.0.1:" + app.httpPort());
            assertThat(get(http, base.resolve("/healthz")).statusCode()).isEqualTo(200);
            assertThat(get(http, base.resolve("/readyz")).statusCode()).isEqualTo(200);
            HttpResponse<String> metrics = get(http, base.resolve("/metrics"));
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body())
                    .contains("dumpsink_dumps_uploaded_total 1")
                    .contains("dumpsink_read_bytes_total 1000")
                    .contains("dumpsink_s3_up 1")
                    .contains("dumpsink_upload_seconds_count 1");
            assertThat(get(http, base.resolve("/nope")).statusCode()).isEqualTo(404);
        } finally {
            app.stop();
        }
    }

    private static HttpResponse<String> get(HttpClient http, URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }
}
