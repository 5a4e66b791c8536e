package io.dumpsink.agent.notify;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.agent.config.NotifySettings;
import io.dumpsink.core.lifecycle.Closer;
import io.dumpsink.core.lifecycle.Threads;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.manifest.ManifestCodec;
import io.dumpsink.core.retry.Backoff;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts each stored dump's manifest to the presigner's {@code POST /api/v1/events/uploaded}, which announces it in
 * chat. Retries with backoff for about an hour ({@value #MAX_ATTEMPTS} attempts) while the presigner is down or
 * answers 5xx; a 4xx (bad token, unknown key) is logged once and dropped. The presigner ignores repeats.
 */
@Singleton
public final class PresignerNotifier implements DumpNotifier, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PresignerNotifier.class);
    private static final int MAX_ATTEMPTS = 15;
    private final URI endpoint;
    private final String token;
    private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(10));
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ScheduledExecutorService executor =
            Executors.newSingleThreadScheduledExecutor(Threads.named("dumpsink-notify"));

    @Inject
    PresignerNotifier(NotifySettings settings, Closer closer) {
        String base = settings.presignerUrl().orElseThrow().toString();
        this.endpoint = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base)
                + "/api/v1/events/uploaded");
        this.token = settings.presignerToken();
        closer.register(this);
    }

    @Override
    public void stored(Manifest manifest) {
        try {
            executor.execute(() -> send(manifest, 1));
        } catch (RejectedExecutionException e) {
            log.warn("Presigner not notified, shutting down key={}", manifest.key());
        }
    }

    private void send(Manifest manifest, int attempt) {
        int status;
        try {
            status = http.send(HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(ManifestCodec.toJson(manifest))).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            status = -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (status >= 200 && status < 300) {
            log.info("Presigner notified key={} attempt={}", manifest.key(), attempt);
            return;
        }
        boolean retryable = status < 0 || status >= 500 || status == 408 || status == 429;
        if (!retryable || attempt >= MAX_ATTEMPTS) {
            log.error("Presigner notification dropped key={} status={} attempts={} (check"
                    + " dumpsink.agent.presigner-url and presigner-token)", manifest.key(), status, attempt);
            return;
        }
        Duration delay = backoff.delay(attempt);
        if (attempt == 1) {
            log.warn("Presigner notification failed key={} status={} retryIn={}", manifest.key(), status, delay);
        }
        try {
            executor.schedule(() -> send(manifest, attempt + 1), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.warn("Presigner not notified, shutting down key={}", manifest.key());
        }
    }

    @Override
    public void close() {
        Threads.shutdown(executor, Duration.ofSeconds(5));
    }
}
