package io.dumpsink.presigner.chat;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.core.lifecycle.Closer;
import io.dumpsink.core.lifecycle.Threads;
import io.dumpsink.core.layout.KeyLayout;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.retry.Backoff;
import io.dumpsink.presigner.config.PresignerSettings;
import io.dumpsink.presigner.links.LinkPresigner;
import io.dumpsink.presigner.links.StableLinks;
import io.dumpsink.presigner.metrics.PresignerMetrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts one chat message per dump to the webhook, in the background: the caller (the agent's event) gets its
 * answer at once, and a chat outage is retried with backoff (up to {@value #MAX_ATTEMPTS} attempts over about an
 * hour) without ever blocking an upload. Each key is announced once per process; repeated events are ignored. The
 * webhook URL is a secret: it is never logged.
 */
@Singleton
public final class ChatNotifier implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChatNotifier.class);
    private static final int MAX_ATTEMPTS = 12;
    private static final int REMEMBERED_KEYS = 10_000;
    private static final Duration CHAT_LINK_TTL = Duration.ofDays(7);

    private final Optional<URI> webhook;
    private final PresignerSettings.ChatFormat format;
    private final StableLinks stableLinks;
    private final LinkPresigner presigner;
    private final PresignerMetrics metrics;
    private final Duration presignedTtl;
    private final Backoff backoff = new Backoff(Duration.ofSeconds(2), Duration.ofMinutes(10));
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ScheduledExecutorService executor;
    private final Map<String, Boolean> announced = Collections.synchronizedMap(
            new LinkedHashMap<>(256, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > REMEMBERED_KEYS;
                }
            });

    /** What happened to an event. */
    public enum Outcome {
        QUEUED, DUPLICATE, NO_WEBHOOK
    }

    @Inject
    ChatNotifier(PresignerSettings settings, StableLinks stableLinks, LinkPresigner presigner,
            PresignerMetrics metrics, Closer closer) {
        this.webhook = settings.chat().webhookUrl();
        this.format = settings.chat().format();
        this.stableLinks = stableLinks;
        this.presigner = presigner;
        this.metrics = metrics;
        this.presignedTtl = settings.maxLinkTtl().compareTo(CHAT_LINK_TTL) < 0 ? settings.maxLinkTtl() : CHAT_LINK_TTL;
        this.executor = Executors.newSingleThreadScheduledExecutor(Threads.named("dumpsink-chat"));
        closer.register(this);
    }

    public Outcome announce(Manifest manifest) {
        if (webhook.isEmpty()) {
            return Outcome.NO_WEBHOOK;
        }
        if (announced.putIfAbsent(manifest.key(), Boolean.TRUE) != null) {
            return Outcome.DUPLICATE;
        }
        try {
            executor.execute(() -> post(manifest, 1));
        } catch (RejectedExecutionException e) {
            announced.remove(manifest.key());
            throw e;
        }
        return Outcome.QUEUED;
    }

    private void post(Manifest manifest, int attempt) {
        // Links are made at sending time, so a retried message still carries a fresh presigned URL.
        byte[] body = ChatMessages.body(format, manifest, stableLinks.linkFor(manifest.key()),
                presigner.presign(manifest.key(), presignedTtl, KeyLayout.fileName(manifest.key())));
        int status;
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(webhook.get())
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding());
            status = response.statusCode();
        } catch (java.io.IOException e) {
            status = -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (status >= 200 && status < 300) {
            metrics.chatPosts.labelValues("ok").inc();
            log.info("Chat message posted key={} attempt={}", manifest.key(), attempt);
            return;
        }
        metrics.chatPosts.labelValues("failed").inc();
        boolean retryable = status < 0 || status >= 500 || status == 408 || status == 429;
        if (!retryable || attempt >= MAX_ATTEMPTS) {
            log.error("Chat message dropped key={} attempts={} status={} (check dumpsink.presigner.chat.webhook-url)",
                    manifest.key(), attempt, status);
            return;
        }
        Duration delay = backoff.delay(attempt);
        if (attempt == 1) {
            log.warn("Chat webhook failed key={} status={} retryIn={}", manifest.key(), status, delay);
        }
        try {
            executor.schedule(() -> post(manifest, attempt + 1), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.warn("Chat message not sent, shutting down key={}", manifest.key());
        }
    }

    @Override
    public void close() {
        Threads.shutdown(executor, Duration.ofSeconds(5));
    }
}
