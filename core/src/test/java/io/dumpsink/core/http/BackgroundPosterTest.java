package io.dumpsink.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.dumpsink.core.retry.Backoff;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The poster against a real HTTP server on port 0 that answers with the statuses a test scripts. */
class BackgroundPosterTest {
    static final Backoff FAST = new Backoff(Duration.ofMillis(1), Duration.ofMillis(20));
    static final Backoff SLOW = new Backoff(Duration.ofHours(1), Duration.ofHours(1));

    HttpServer server;
    /** Statuses to answer, in order; 200 once they run out. */
    final ConcurrentLinkedQueue<Integer> script = new ConcurrentLinkedQueue<>();
    final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    final TestingListener listener = new TestingListener();
    BackgroundPoster poster;

    record Received(String method, String contentType, String authorization, String body) {
    }

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/events", exchange -> {
            received.add(new Received(exchange.getRequestMethod(),
                    exchange.getRequestHeaders().getFirst("Content-Type"),
                    exchange.getRequestHeaders().getFirst("Authorization"),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            Integer status = script.poll();
            exchange.sendResponseHeaders(status == null ? 200 : status, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        if (poster != null) {
            poster.close();
        }
        server.stop(0);
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/events");
    }

    BackgroundPoster poster(URI endpoint, Backoff backoff, int maxAttempts) {
        poster = new BackgroundPoster("test-poster", endpoint, Map.of("Authorization", "Bearer t0ken"), backoff,
                maxAttempts, listener);
        return poster;
    }

    @Test
    void postsJsonWithTheHeadersAndReportsDeliveredOnce() throws Exception {
        assertThat(poster(endpoint(), FAST, 3).post("a", () -> "{\"key\":\"a\"}".getBytes(StandardCharsets.UTF_8)))
                .isTrue();

        assertThat(listener.next()).isEqualTo("delivered a attempts=1");
        assertThat(received.poll(10, TimeUnit.SECONDS))
                .isEqualTo(new Received("POST", "application/json", "Bearer t0ken", "{\"key\":\"a\"}"));
        assertThat(listener.events).isEmpty();
    }

    @Test
    void transientAnswersAreRetriedReportedOnceAndTheBodyBuiltAgainEachTime() throws Exception {
        script.addAll(List.of(503, 429, 408, 500));
        AtomicInteger built = new AtomicInteger();

        poster(endpoint(), FAST, 10).post("a", () -> ("attempt " + built.incrementAndGet()).getBytes(StandardCharsets.UTF_8));

        assertThat(listener.next()).isEqualTo("attemptFailed a status=503");
        assertThat(listener.next()).startsWith("retrying a status=503 retryIn=");
        assertThat(listener.next()).isEqualTo("attemptFailed a status=429");
        assertThat(listener.next()).isEqualTo("attemptFailed a status=408");
        assertThat(listener.next()).isEqualTo("attemptFailed a status=500");
        assertThat(listener.next()).as("no second 'retrying': one report per state change")
                .isEqualTo("delivered a attempts=5");
        assertThat(received).extracting(Received::body)
                .containsExactly("attempt 1", "attempt 2", "attempt 3", "attempt 4", "attempt 5");
    }

    @Test
    void aPermanentAnswerIsDroppedAtOnceWithoutARetry() throws Exception {
        script.addAll(List.of(401, 503));

        poster(endpoint(), FAST, 10).post("a", () -> new byte[0]);

        assertThat(listener.next()).isEqualTo("attemptFailed a status=401");
        assertThat(listener.next()).isEqualTo("dropped a status=401 attempts=1");
        poster.close(); // a retry scheduled despite the drop would show up now, as 'abandoned'
        assertThat(listener.events).isEmpty();
        assertThat(received).hasSize(1);
    }

    @Test
    void givesUpAfterTheLastAttempt() throws Exception {
        script.addAll(List.of(502, 502, 502, 502));

        poster(endpoint(), FAST, 3).post("a", () -> new byte[0]);

        assertThat(listener.next()).isEqualTo("attemptFailed a status=502");
        assertThat(listener.next()).startsWith("retrying a status=502");
        assertThat(listener.next()).isEqualTo("attemptFailed a status=502");
        assertThat(listener.next()).isEqualTo("attemptFailed a status=502");
        assertThat(listener.next()).isEqualTo("dropped a status=502 attempts=3");
        assertThat(received).hasSize(3);
    }

    @Test
    void noAnswerIsRetriedLikeAServerError() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }

        poster(URI.create("http://127.0.0.1:" + closedPort + "/events"), FAST, 2).post("a", () -> new byte[0]);

        assertThat(listener.next()).isEqualTo("attemptFailed a status=-1");
        assertThat(listener.next()).startsWith("retrying a status=-1");
        assertThat(listener.next()).isEqualTo("attemptFailed a status=-1");
        assertThat(listener.next()).isEqualTo("dropped a status=-1 attempts=2");
    }

    @Test
    void closeAbandonsAWaitingRetryAtOnceAndRefusesNewBodies() throws Exception {
        script.add(503);
        poster(endpoint(), SLOW, 10).post("waiting", () -> new byte[0]);
        assertThat(listener.next()).isEqualTo("attemptFailed waiting status=503");
        assertThat(listener.next()).startsWith("retrying waiting status=503");

        long started = System.nanoTime();
        poster.close();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("no wait for the retry's delay")
                .isLessThan(Duration.ofSeconds(2));
        assertThat(listener.next()).isEqualTo("abandoned waiting");
        assertThat(poster.post("late", () -> new byte[0])).as("taken after close").isFalse();
        assertThat(listener.events).isEmpty();
        assertThat(received).hasSize(1);
    }

    /** Records what the poster reports, one line per call, in order. */
    static final class TestingListener implements BackgroundPoster.Listener {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();

        String next() throws InterruptedException {
            String event = events.poll(10, TimeUnit.SECONDS);
            assertThat(event).as("a report within 10 s").isNotNull();
            return event;
        }

        @Override
        public void delivered(String subject, int attempts) {
            events.add("delivered " + subject + " attempts=" + attempts);
        }

        @Override
        public void retrying(String subject, int status, Duration retryIn) {
            events.add("retrying " + subject + " status=" + status + " retryIn=" + retryIn);
        }

        @Override
        public void dropped(String subject, int status, int attempts) {
            events.add("dropped " + subject + " status=" + status + " attempts=" + attempts);
        }

        @Override
        public void abandoned(String subject) {
            events.add("abandoned " + subject);
        }

        @Override
        public void attemptFailed(String subject, int status) {
            events.add("attemptFailed " + subject + " status=" + status);
        }
    }
}
