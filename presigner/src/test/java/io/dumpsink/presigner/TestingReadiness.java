package io.dumpsink.presigner;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Waits for a started presigner to be ready: S3 reachable and the dump index's first listing of the bucket done. */
public final class TestingReadiness {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private TestingReadiness() {
    }

    /** Polls {@code /readyz} on {@code port} (the API port or the management port) until it answers 200. */
    public static void awaitReady(int port) throws Exception {
        HttpRequest readyz = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (HTTP.send(readyz, HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
            assertThat(System.nanoTime()).as("ready within 30 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
