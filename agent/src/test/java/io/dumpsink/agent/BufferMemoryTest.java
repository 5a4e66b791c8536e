package io.dumpsink.agent;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.dumpsink.agent.metrics.AgentMetrics;
import io.dumpsink.agent.testing.Dumps;
import io.dumpsink.agent.testing.TestingAgent;
import io.dumpsink.agent.testing.TestingAllocator;
import io.dumpsink.agent.testing.TestingS3;
import io.dumpsink.agent.upload.BufferAllocator;
import io.dumpsink.core.layout.KeyLayout;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.manifest.ManifestCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The agent out of direct memory: the allocation failure is caught where buffers are taken, said once, visible on
 * /readyz and in the metrics, and the dump waits on disk until memory is back. The JVM's refusal comes from a
 * {@link TestingAllocator}, so no special JVM is needed.
 */
class BufferMemoryTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;
    TestingS3 s3;
    Path watch;
    AgentApp agent;
    final TestingAllocator allocator = new TestingAllocator();
    final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void setUp() throws Exception {
        s3 = new TestingS3(tmp.resolve("s3"));
        watch = tmp.resolve("watch");
        Files.createDirectories(watch.resolve("ns/pod"));
        logged.start();
        root().addAppender(logged);
    }

    @AfterEach
    void tearDown() throws Exception {
        root().detachAppender(logged);
        if (agent != null) {
            agent.stop();
        }
        s3.close();
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    private List<ILoggingEvent> errors() {
        synchronized (logged) {
            return logged.list.stream().filter(e -> e.getLevel() == Level.ERROR)
                    .filter(e -> e.getLoggerName().startsWith("io.dumpsink.")) // not the S3 server's own
                    .toList();
        }
    }

    @Test
    void outOfDirectMemoryIsOneErrorAndNotReadyAndTheDumpShipsOnceMemoryIsBack() throws Exception {
        allocator.outOfMemory(true);
        agent = new TestingAgent(s3, watch, tmp.resolve("state"))
                .with("dumpsink.agent.part-size", "5MiB")
                .with("dumpsink.agent.chunk-size", "256KiB")
                .start(binder -> binder.bind(BufferAllocator.class).toInstance(allocator));
        AgentMetrics metrics = agent.get(AgentMetrics.class);
        byte[] content = new byte[12 * 1024 * 1024];
        new Random(7).nextBytes(content);
        Path dump = watch.resolve("ns/pod/java_pid7.hprof");
        Files.write(dump, content);

        Dumps.await("several failed attempts", WAIT, () -> metrics.bufferAllocationFailures.get() >= 3);
        HttpResponse<String> readyz = get("/readyz");
        assertThat(readyz.statusCode()).isEqualTo(503);
        assertThat(readyz.body()).contains("memory: the JVM refused a 256KiB buffer")
                .contains("Cannot reserve 262144 bytes of direct buffer memory")
                .contains("-XX:MaxDirectMemorySize");
        assertThat(get("/metrics").body()).contains("dumpsink_buffer_allocation_failures_total")
                .contains("dumpsink_not_ready{condition=\"memory\"} 1.0");
        assertThat(errors()).as("one ERROR for the condition, none per retry").singleElement()
                .satisfies(e -> assertThat(e.getFormattedMessage()).startsWith("Upload buffers do not fit: ")
                        .contains("Cannot reserve"));
        assertThat(Dumps.nodeCopies(watch)).as("the dump waits on disk (claimed)").hasSize(1);
        assertThat(s3.keys()).isEmpty();

        allocator.outOfMemory(false);
        Dumps.await("the dump stored and released", WAIT, () -> Dumps.nodeCopies(watch).isEmpty());
        List<String> manifests = s3.keys().stream().filter(KeyLayout::isManifestKey).toList();
        assertThat(manifests).hasSize(1);
        Manifest manifest = ManifestCodec.fromJson(s3.get(manifests.get(0)));
        assertThat(manifest.sha256()).isEqualTo(Dumps.sha256(content));
        assertThat(Dumps.unzstd(s3.get(manifest.key()))).isEqualTo(content);
        assertThat(get("/readyz").statusCode()).isEqualTo(200);
        assertThat(get("/metrics").body()).contains("dumpsink_not_ready{condition=\"memory\"} 0.0");
        assertThat(errors()).as("recovery is not an error").hasSize(1);
        assertThat(metrics.bufferAllocationFailures.get()).isEqualTo(allocator.refused());
    }

    private HttpResponse<String> get(String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + agent.httpPort() + path);
        return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }
}
