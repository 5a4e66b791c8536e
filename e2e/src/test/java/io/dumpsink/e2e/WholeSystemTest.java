package io.dumpsink.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.dumpsink.agent.testing.Dumps;
import io.dumpsink.agent.testing.TcpRelay;
import io.dumpsink.core.manifest.HeapSummary;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.manifest.ManifestCodec;
import io.dumpsink.embedded.EmbeddedS3;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * Everything as separate processes: S3Proxy, the agent jar, the presigner jar, a chat webhook receiver, and the
 * JVM that crashes. Follows the links in the chat message with a plain HTTP client.
 */
class WholeSystemTest {
    static final String TOKEN = "e2e-token-0123456789abcdef";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    EmbeddedS3 s3;
    S3Client client;
    HttpServer webhook;
    final BlockingQueue<String> chat = new LinkedBlockingQueue<>();
    Path watch;
    int presignerPort;

    @BeforeEach
    void setUp() throws Exception {
        s3 = EmbeddedS3.start(tmp.resolve("s3"), 0);
        client = S3Client.builder().endpointOverride(s3.endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY)))
                .build();
        webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        webhook.createContext("/hook", exchange -> {
            chat.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        webhook.start();
        watch = Files.createDirectories(tmp.resolve("watch"));
        try (ServerSocket socket = new ServerSocket(0)) {
            presignerPort = socket.getLocalPort();
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        webhook.stop(0);
        client.close();
        s3.close();
    }

    /** One config file for both programs, as the Helm chart renders it. */
    Path writeConfig(int s3Port) throws Exception {
        Path config = tmp.resolve("dumpsink.conf");
        Files.writeString(config, """
                dumpsink {
                  cluster = e2e
                  node = node-a
                  s3 { endpoint = "http://127.0.0.1:%d", bucket = dumps, path-style = true,
                       access-key = "%s", secret-key = "%s", create-bucket = true }
                  agent {
                    watch-dir = "%s", state-dir = "%s", settle-time = 2s, http-port = 0
                    part-size = 5MiB, shutdown-grace = 2s
                    presigner-url = "http://127.0.0.1:%d", presigner-token = "%s"
                  }
                  presigner {
                    port = %d, management-port = 0, public-url = "http://127.0.0.1:%d", tokens = ["%s"], link-secret = "%s"
                    chat.webhook-url = "http://127.0.0.1:%d/hook"
                  }
                }
                """.formatted(s3Port, EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY, watch, tmp.resolve("state"),
                presignerPort, TOKEN, presignerPort, presignerPort, TOKEN, "k".repeat(40),
                webhook.getAddress().getPort()));
        return config;
    }

    List<String> keys() {
        return client.listObjectsV2Paginator(b -> b.bucket("dumps")).contents().stream().map(S3Object::key)
                .sorted().toList();
    }

    static byte[] get(String url) throws Exception {
        HttpResponse<byte[]> response = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build()
                .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).as("GET " + url).isEqualTo(200);
        return response.body();
    }

    /** The message lists the summary's first five classes, in order, each as {@code • `name` size (share %, ...)}. */
    private static void assertTopClassesInMessage(String text, HeapSummary summary) {
        int from = text.indexOf("What filled the heap");
        assertThat(from).as(text).isGreaterThanOrEqualTo(0);
        for (HeapSummary.ClassCount c : summary.topClasses().subList(0, Math.min(5, summary.topClasses().size()))) {
            int at = text.indexOf("• `" + c.name() + "` ", from);
            assertThat(at).as("%s after position %d in%n%s", c.name(), from, text).isGreaterThan(from);
            from = at;
        }
    }

    @Test
    void crashedJvmsDumpIsAnnouncedInChatAndBothLinksDownloadIt() throws Exception {
        Path config = writeConfig(s3.port());
        try (ServiceProcess presigner = ServiceProcess.presigner(config, tmp.resolve("presigner.log"));
                ServiceProcess agent = ServiceProcess.agent(config, tmp.resolve("agent.log"))) {
            presigner.awaitStarted(Duration.ofSeconds(60));
            agent.awaitStarted(Duration.ofSeconds(60));

            Path podDir = Files.createDirectories(watch.resolve("shop/checkout-1"));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process app = new ProcessBuilder(java, "-Xmx12m", "-XX:+HeapDumpOnOutOfMemoryError",
                    "-XX:HeapDumpPath=" + podDir + "/", "-cp", System.getProperty("java.class.path"),
                    HelloWorld.class.getName()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            assertThat(app.waitFor(60, TimeUnit.SECONDS)).isTrue();
            Path dump;
            try (var files = Files.list(podDir)) {
                dump = files.filter(p -> p.toString().endsWith(".hprof")).findFirst().orElseThrow();
            }
            String originalSha = Dumps.sha256(Files.readAllBytes(dump));

            String message = chat.poll(60, TimeUnit.SECONDS);
            assertThat(message).as("a chat message").isNotNull();
            String text = JSON.readTree(message).get("text").asText();
            assertThat(text).contains("shop/checkout-1").contains("node-a").contains(dump.getFileName().toString());

            Matcher stable = Pattern.compile("<(http://[^|>]+/d/[^|>]+)\\|Download>").matcher(text);
            Matcher direct = Pattern.compile("<(http://[^|>]+)\\|Direct link>").matcher(text);
            assertThat(stable.find()).as(text).isTrue();
            assertThat(direct.find()).as(text).isTrue();
            byte[] viaStable = get(stable.group(1));
            byte[] viaDirect = get(direct.group(1));
            assertThat(viaStable).isEqualTo(viaDirect);
            assertThat(Dumps.sha256(Dumps.unzstd(viaStable))).isEqualTo(originalSha);

            String dumpKey = keys().get(0);
            assertThat(dumpKey).matches("e2e/node-a/shop/checkout-1/\\d{4}-\\d{2}-\\d{2}/\\d{6}Z-java_pid\\d+\\.hprof\\.zst");
            Manifest manifest = ManifestCodec.fromJson(client.getObjectAsBytes(b -> b.bucket("dumps")
                    .key(dumpKey + ".json")).asByteArray());
            assertThat(manifest.sha256()).isEqualTo(originalSha);
            // The heap summary: the message lists the manifest's top classes, biggest first. HelloWorld's 32 MB
            // int[] is the allocation that fails, so it is not in its heap: the JVM's own objects are.
            assertThat(manifest.summary().status()).isEqualTo("ok");
            assertTopClassesInMessage(text, manifest.summary());
            Dumps.await("the node's copy to go", Duration.ofSeconds(30), () -> Dumps.nodeCopies(watch).isEmpty());

            // A heap full of int[]: the message names int[] as what filled it.
            Path hoarderDir = Files.createDirectories(watch.resolve("shop/hoarder-1"));
            Process hoarder = new ProcessBuilder(java, "-Xmx32m", "-XX:+HeapDumpOnOutOfMemoryError",
                    "-XX:HeapDumpPath=" + hoarderDir + "/", "-cp", System.getProperty("java.class.path"),
                    IntArrayHoarder.class.getName()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            assertThat(hoarder.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String hoarderMessage = chat.poll(60, TimeUnit.SECONDS);
            assertThat(hoarderMessage).as("a chat message for the int[] hoarder").isNotNull();
            String hoarderText = JSON.readTree(hoarderMessage).get("text").asText();
            assertThat(hoarderText).contains("shop/hoarder-1");
            Matcher first = Pattern.compile("What filled the heap[^\\n]*\\n• `([^`]+)` [^(]+\\((\\d+\\.\\d) %")
                    .matcher(hoarderText);
            assertThat(first.find()).as(hoarderText).isTrue();
            assertThat(first.group(1)).as(hoarderText).isEqualTo("int[]");
            assertThat(Double.parseDouble(first.group(2))).as(hoarderText).isGreaterThan(80);

            String webhookUrl = "http://127.0.0.1:" + webhook.getAddress().getPort() + "/hook";
            for (ServiceProcess process : List.of(agent, presigner)) {
                assertThat(process.output()).as("secrets in " + process.log.getFileName())
                        .contains("***").doesNotContain(TOKEN).doesNotContain(webhookUrl)
                        .doesNotContain(EmbeddedS3.SECRET_KEY);
            }
        }
    }

    @Test
    void nonRootAppWritesIntoAKubeletCreatedFolderAndItsDumpLands() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to create kubelet-like folders");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path podDir = Files.createDirectories(watch.resolve("shop/nonroot-1"));
        for (Path dir : new Path[] {watch, watch.resolve("shop"), podDir}) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // as the kubelet does
        }
        Path config = writeConfig(s3.port());
        try (ServiceProcess presigner = ServiceProcess.presigner(config, tmp.resolve("presigner.log"));
                ServiceProcess agent = ServiceProcess.agent(config, tmp.resolve("agent.log"))) {
            presigner.awaitStarted(Duration.ofSeconds(60));
            agent.awaitStarted(Duration.ofSeconds(60));
            Dumps.await("the pod folder opened up", Duration.ofSeconds(30), () -> {
                try {
                    return Files.getPosixFilePermissions(podDir).contains(PosixFilePermission.OTHERS_WRITE);
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process app = new ProcessBuilder("setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", java,
                    "-Xmx12m", "-XX:-UsePerfData", "-XX:+HeapDumpOnOutOfMemoryError", "-XX:HeapDumpPath=" + podDir + "/",
                    "-cp", Path.of("target", "test-classes").toAbsolutePath().toString(), HelloWorld.class.getName())
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("app.log").toFile()).start();
            assertThat(app.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readString(tmp.resolve("app.log"))).contains("Heap dump file created");

            String message = chat.poll(60, TimeUnit.SECONDS);
            assertThat(message).as("a chat message").isNotNull().contains("shop/nonroot-1");
            // the dump, its heap histogram and its manifest
            assertThat(keys()).hasSize(3).allSatisfy(key -> assertThat(key).startsWith("e2e/node-a/shop/nonroot-1/"));
            Dumps.await("the node's copy to go", Duration.ofSeconds(30), () -> {
                try (var left = Files.list(podDir)) {
                    return left.findAny().isEmpty();
                } catch (java.io.IOException e) {
                    return false;
                }
            });
        }
    }

    @Test
    void agentKilledWithSigkillMidUploadResumesAndStoresTheDumpOnce() throws Exception {
        try (TcpRelay relay = new TcpRelay(s3.port())) {
            Path config = writeConfig(relay.port());
            byte[] content = new byte[120 << 20];
            new Random(11).nextBytes(content);
            Path pod = Files.createDirectories(watch.resolve("shop/big-1"));
            Path staging = tmp.resolve("big.dmp"); // random bytes: not a heap dump, settles on size and mtime
            Files.write(staging, content);
            relay.throttle(25L << 20);

            ServiceProcess first = ServiceProcess.agent(config, tmp.resolve("agent-1.log"));
            first.awaitStarted(Duration.ofSeconds(60));
            Files.move(staging, pod.resolve("big.dmp"));
            Dumps.await("half of the dump sent", Duration.ofSeconds(60), () -> relay.upstreamBytes() > 60L << 20);
            first.kill();
            relay.cutAll();
            relay.throttle(0);

            try (ServiceProcess second = ServiceProcess.agent(config, tmp.resolve("agent-2.log"))) {
                second.awaitStarted(Duration.ofSeconds(60));
                Dumps.await("the dump stored", Duration.ofSeconds(90), () -> keys().size() == 2);
                assertThat(second.output()).contains("Upload resumed");
                String dumpKey = keys().get(0);
                Manifest manifest = ManifestCodec.fromJson(client.getObjectAsBytes(b -> b.bucket("dumps")
                        .key(dumpKey + ".json")).asByteArray());
                byte[] stored = client.getObjectAsBytes(b -> b.bucket("dumps").key(dumpKey)).asByteArray();
                assertThat(Dumps.sha256(Dumps.unzstd(stored))).isEqualTo(Dumps.sha256(content))
                        .isEqualTo(manifest.sha256());
                assertThat(relay.upstreamBytes()).as("bytes sent over the whole upload")
                        .isLessThanOrEqualTo((long) (manifest.storedSize() * 1.25));
                assertThat(client.listMultipartUploads(b -> b.bucket("dumps")).uploads()).isEmpty();
                Dumps.await("the node's copy to go", Duration.ofSeconds(30), () -> Dumps.nodeCopies(watch).isEmpty());
            }
        }
    }

    @Test
    void unreadableDumpIsReportedOnceRetriedAndShippedOnceReadable() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to make a file the agent cannot read");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path pod = Files.createDirectories(watch.resolve("shop/locked-1"));
        Path state = Files.createDirectories(tmp.resolve("state"));
        for (Path owned : new Path[] {watch, watch.resolve("shop"), pod, state}) {
            Files.setAttribute(owned, "unix:uid", 1000);
        }
        Path locked = pod.resolve("locked.dmp");
        Files.write(locked, "root's file, mode 0600".getBytes());
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rw-------"));
        Path config = writeConfig(s3.port());
        Files.writeString(config, Files.readString(config) + "dumpsink.agent.retry-max = 1s\n");
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));

        try (ServiceProcess agent = ServiceProcess.agentAsUser(1000, config, tmp.resolve("agent.log"))) {
            int httpPort = agent.awaitStarted(Duration.ofSeconds(60));
            Dumps.await("the failure to be reported", Duration.ofSeconds(30),
                    () -> outputOf(agent).contains("Upload failed path=shop/locked-1/locked.dmp reason=file"));
            // The agent's own count of failed attempts: at three, two retries came after the logged failure.
            Dumps.await("two more failed attempts", Duration.ofSeconds(30),
                    () -> metric(httpPort, "dumpsink_dumps_failed_total{reason=\"file\"}") >= 3);
            String output = outputOf(agent);
            assertThat(output.split("Upload failed path=shop/locked-1/locked.dmp", -1)).as("logged once").hasSize(2);
            assertThat(keys()).isEmpty();
            // Claimed (a rename needs no read access) into the agent's folder, where it waits.
            Path claimed = Dumps.claimed(watch, "shop/locked-1/locked.dmp");
            assertThat(claimed).isNotNull();

            Files.setPosixFilePermissions(claimed, PosixFilePermissions.fromString("rw-r--r--"));
            Dumps.await("the dump shipped once readable", Duration.ofSeconds(30), () -> keys().size() == 2);
        }
    }

    /** One sample's value from the agent's {@code /metrics}; 0 while it is absent or the agent does not answer. */
    private static double metric(int httpPort, String sample) {
        String page;
        try {
            page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + httpPort + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (java.io.IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
        return page.lines().filter(line -> line.startsWith(sample + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(sample.length() + 1))).findFirst().orElse(0);
    }

    private static String outputOf(ServiceProcess process) {
        try {
            return process.output();
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    void sigtermStopsTheAgentCleanlyWithExitCodeZero() throws Exception {
        ServiceProcess agent = ServiceProcess.agent(writeConfig(s3.port()), tmp.resolve("agent.log"));
        agent.awaitStarted(Duration.ofSeconds(60));
        agent.process.destroy(); // SIGTERM
        assertThat(agent.awaitExit(Duration.ofSeconds(30))).isZero();
        assertThat(agent.output()).contains("Agent stopped");
    }
}
