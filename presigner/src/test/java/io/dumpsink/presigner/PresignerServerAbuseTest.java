package io.dumpsink.presigner;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.dumpsink.core.config.ConfigLoader;
import io.dumpsink.embedded.EmbeddedS3;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The presigner's HTTP server against hostile clients, over real sockets: stalled half requests, oversized headers,
 * and an S3 that never answers while every API thread waits on it.
 */
class PresignerServerAbuseTest {
    static final String TOKEN = "token-0123456789abcdef";
    static final Duration PROBE_DEADLINE = Duration.ofSeconds(1);

    @TempDir
    Path tmp;
    EmbeddedS3 s3;
    PresignerApp presigner;
    final List<Socket> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void tearDown() throws Exception {
        for (Socket socket : sockets) {
            socket.close();
        }
        if (presigner != null) {
            presigner.stop();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    private void start(URI s3Endpoint, Map<String, Object> overrides) {
        Map<String, Object> c = new HashMap<>();
        c.put("dumpsink.s3.endpoint", s3Endpoint.toString());
        c.put("dumpsink.s3.path-style", true);
        c.put("dumpsink.s3.access-key", EmbeddedS3.ACCESS_KEY);
        c.put("dumpsink.s3.secret-key", EmbeddedS3.SECRET_KEY);
        c.put("dumpsink.s3.create-bucket", true);
        c.put("dumpsink.presigner.port", 0);
        c.put("dumpsink.presigner.management-port", 0);
        c.put("dumpsink.presigner.tokens", List.of(TOKEN));
        c.putAll(overrides);
        presigner = PresignerApp.create(ConfigLoader.load(ConfigFactory.parseMap(c), Map.of()));
        try {
            presigner.start();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private void startWithS3(Map<String, Object> overrides) throws Exception {
        s3 = EmbeddedS3.start(tmp.resolve("s3"), 0);
        start(s3.endpoint(), overrides);
    }

    private HttpResponse<String> get(int port, String path, Duration timeout) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(timeout)
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Opens a connection and sends the start of a request, never its end. */
    private Socket halfRequest(int port) throws IOException {
        Socket socket = new Socket();
        sockets.add(socket);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        OutputStream out = socket.getOutputStream();
        out.write("GET /api/v1/dumps HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bea".getBytes(
                StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    @Test
    void twoHundredStalledHalfRequestsDoNotStopHealthzAnsweringWithinOneSecond() throws Exception {
        startWithS3(Map.of());
        for (int i = 0; i < 200; i++) {
            halfRequest(presigner.port());
        }
        for (int round = 0; round < 5; round++) {
            for (int port : new int[] {presigner.port(), presigner.managementPort()}) {
                long started = System.nanoTime();
                HttpResponse<String> health = get(port, "/healthz", PROBE_DEADLINE);
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                assertThat(health.statusCode()).isEqualTo(200);
                assertThat(took).as("/healthz on port %d with 200 stalled clients", port).isLessThan(PROBE_DEADLINE);
            }
        }
        assertThat(get(presigner.port(), "/api/v1/dumps", Duration.ofSeconds(5)).statusCode())
                .as("the API still answers (401 without a token)").isEqualTo(401);
    }

    @Test
    void aStalledHalfRequestIsCutOffAfterTheIdleTimeout() throws Exception {
        startWithS3(Map.of("dumpsink.presigner.server.idle-timeout", "1s"));
        Socket socket = halfRequest(presigner.port());
        socket.setSoTimeout(10_000);
        long started = System.nanoTime();
        InputStream in = socket.getInputStream();
        byte[] answer = in.readAllBytes(); // until the server closes the connection
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(took).as("closed after about the 1 s idle timeout").isBetween(Duration.ofMillis(800),
                Duration.ofSeconds(5));
        String text = new String(answer, StandardCharsets.US_ASCII);
        assertThat(text.isEmpty() || text.startsWith("HTTP/1.1 408")).as("closed, or told 408: " + text).isTrue();
    }

    @Test
    void oversizedHeadersGet431() throws Exception {
        startWithS3(Map.of("dumpsink.presigner.server.max-header-size", "8KiB"));
        try (Socket socket = new Socket("127.0.0.1", presigner.port())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "a".repeat(20_000)
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String status = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(status).isEqualTo("HTTP/1.1 431");
        }
        assertThat(get(presigner.port(), "/healthz", Duration.ofSeconds(2)).statusCode())
                .as("a normal request right after").isEqualTo(200);
    }

    @Test
    void probesAnswerOnTheManagementPortWhileEveryApiThreadWaitsOnS3() throws Exception {
        // The presigner checks its bucket at startup, so S3 answers at first (through a relay to S3Proxy); then the
        // relay turns into a black hole that accepts connections and never answers: every S3 call holds its thread.
        s3 = EmbeddedS3.start(tmp.resolve("s3"), 0);
        try (ServerSocket blackHole = new ServerSocket(0, 500, java.net.InetAddress.getLoopbackAddress())) {
            List<Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
            java.util.concurrent.atomic.AtomicBoolean silent = new java.util.concurrent.atomic.AtomicBoolean();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        Socket client = blackHole.accept();
                        held.add(client);
                        relay(client, silent);
                    }
                } catch (IOException e) {
                    // closed at the end of the test
                }
            }, "black-hole-s3");
            acceptor.start();
            start(URI.create("http://127.0.0.1:" + blackHole.getLocalPort()),
                    Map.of("dumpsink.presigner.server.threads", 8));
            silent.set(true);
            int connectionsBefore = held.size();
            // Links for 30 different dumps: each reads its manifest from S3 first, and none can.
            List<CompletableFuture<HttpResponse<String>>> listings = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                String key = "prod/node-a/shop/api-1/2026-11-28/0815" + (10 + i) + "Z-java_pid1.hprof.zst";
                listings.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + presigner.port()
                        + "/api/v1/links")).header("Authorization", "Bearer " + TOKEN)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"" + key + "\"}")).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (held.size() - connectionsBefore < 4 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Thread.sleep(500); // pooled connections from startup take requests too: they are silent as well
            assertThat(listings).as("no link could be made: every API thread waits on S3")
                    .noneMatch(CompletableFuture::isDone);
            for (int round = 0; round < 5; round++) {
                long started = System.nanoTime();
                HttpResponse<String> health = get(presigner.managementPort(), "/healthz", PROBE_DEADLINE);
                assertThat(health.statusCode()).isEqualTo(200);
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(PROBE_DEADLINE);
                assertThat(get(presigner.managementPort(), "/metrics", PROBE_DEADLINE).statusCode()).isEqualTo(200);
            }
            presigner.stop();
            for (Socket socket : held) {
                socket.close();
            }
        }
    }

    /**
     * Pumps bytes between {@code client} and S3Proxy until {@code silent}: from then on nothing more is passed in
     * either direction (the connection stays open, like a store that stopped answering).
     */
    private void relay(Socket client, java.util.concurrent.atomic.AtomicBoolean silent) throws IOException {
        if (silent.get()) {
            return; // accepted and held, never answered
        }
        Socket upstream = new Socket("127.0.0.1", s3.endpoint().getPort());
        sockets.add(upstream);
        for (Socket[] pair : new Socket[][] {{client, upstream}, {upstream, client}}) {
            Thread pump = new Thread(() -> {
                byte[] buffer = new byte[8192];
                try (var in = pair[0].getInputStream(); var out = pair[1].getOutputStream()) {
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        if (silent.get()) {
                            Thread.sleep(Long.MAX_VALUE); // swallow it; the peer waits for an answer forever
                        }
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                } catch (IOException | InterruptedException e) {
                    // a side closed; the test ends
                }
            }, "relay");
            pump.setDaemon(true);
            pump.start();
        }
    }
}
