package io.dumpsink.core.http;

import io.dumpsink.core.lifecycle.Threads;
import io.dumpsink.core.retry.Backoff;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts JSON bodies to one HTTP endpoint from a thread of its own, retrying with {@link Backoff}, so that a caller
 * never waits on the endpoint. Each {@link #post} accepted ends in exactly one call to its {@link Listener}, by
 * subject: {@code delivered} after a 2xx answer; {@code dropped} at once after a permanent answer (any status that
 * {@link Backoff#isTransientStatus} rejects: other 4xx, 3xx), never retried, or after the last of
 * {@code maxAttempts} failed; {@code abandoned} when {@link #close()} comes first. I/O errors, timeouts, 5xx, 408 and
 * 429 are retried; the first failure of a body is reported once ({@code retrying}), later ones only to
 * {@code attemptFailed}, so a log follows the state of a delivery, not every retry. The body is built again for
 * every attempt. On close no new body is taken ({@code post} returns false), retries still waiting for their delay
 * are cancelled, attempts already queued or in flight get up to five seconds, and what is left is abandoned: nothing
 * is persisted. The endpoint URL and the headers (bearer tokens, webhook URLs) are secrets: they are used to send
 * and never given to a log line or to the listener.
 */
public final class BackgroundPoster implements AutoCloseable {
    /** The status reported when no answer came: connection refused or reset, a timeout. */
    public static final int NO_ANSWER = -1;
    private static final Logger log = LoggerFactory.getLogger(BackgroundPoster.class);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

    /** Hears how each posted body ends; called on the poster's thread (on the closing thread for abandoned). */
    public interface Listener {
        /** The endpoint answered 2xx to attempt number {@code attempts}. */
        void delivered(String subject, int attempts);

        /** The first attempt failed with a status worth retrying; the next comes in {@code retryIn}. Once a body. */
        void retrying(String subject, int status, Duration retryIn);

        /** Given up: {@code status} is permanent, or it was the answer to the last allowed attempt. */
        void dropped(String subject, int status, int attempts);

        /** The poster closed before the body was delivered or dropped; it is not sent again. */
        void abandoned(String subject);

        /** Any attempt failed (counted before {@code retrying} or {@code dropped}); for metrics. */
        default void attemptFailed(String subject, int status) {
        }
    }

    private final URI endpoint;
    private final Map<String, String> headers;
    private final Backoff backoff;
    private final int maxAttempts;
    private final Listener listener;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    private final ScheduledThreadPoolExecutor executor;
    /** Bodies not yet delivered, dropped or abandoned; whoever removes one reports how it ended. */
    private final Set<Delivery> pending = ConcurrentHashMap.newKeySet();

    /**
     * A poster whose thread is named {@code threadName-1}, sending {@code POST endpoint} with
     * {@code Content-Type: application/json} and {@code headers}, at most {@code maxAttempts} times a body.
     */
    public BackgroundPoster(String threadName, URI endpoint, Map<String, String> headers, Backoff backoff,
            int maxAttempts, Listener listener) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        this.endpoint = endpoint;
        this.headers = Map.copyOf(headers);
        this.backoff = backoff;
        this.maxAttempts = maxAttempts;
        this.listener = listener;
        this.executor = new ScheduledThreadPoolExecutor(1, Threads.named(threadName));
        // On close, a retry waiting for its delay is abandoned at once instead of holding up the shutdown.
        this.executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.executor.setRemoveOnCancelPolicy(true);
    }

    /**
     * Queues {@code body} (built again for each attempt) and returns at once: true when the listener will hear how
     * it ends, false when the poster is closed and the body was not taken. A body that throws is a bug: logged with
     * its stack trace and dropped.
     */
    public boolean post(String subject, Supplier<byte[]> body) {
        Delivery delivery = new Delivery(subject, body);
        pending.add(delivery);
        try {
            executor.execute(() -> attempt(delivery, 1));
            return true;
        } catch (RejectedExecutionException e) {
            // Unless close() got to it first and has already reported it abandoned.
            return !pending.remove(delivery);
        }
    }

    private void attempt(Delivery delivery, int attempt) {
        byte[] body;
        try {
            body = delivery.body.get();
        } catch (RuntimeException e) {
            log.error("Post dropped, its body could not be built subject={}", delivery.subject, e);
            end(delivery, () -> listener.dropped(delivery.subject, NO_ANSWER, attempt));
            return;
        }
        int status;
        try {
            status = send(body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            end(delivery, () -> listener.abandoned(delivery.subject));
            return;
        } catch (RuntimeException e) {
            // A bad header or the like: a bug. Only the type is logged, as its message may quote the request.
            log.error("Post dropped, request refused by the HTTP client subject={} error={}", delivery.subject,
                    e.getClass().getName());
            end(delivery, () -> listener.dropped(delivery.subject, NO_ANSWER, attempt));
            return;
        }
        if (status >= 200 && status < 300) {
            end(delivery, () -> listener.delivered(delivery.subject, attempt));
            return;
        }
        listener.attemptFailed(delivery.subject, status);
        boolean transientFailure = status == NO_ANSWER || Backoff.isTransientStatus(status);
        if (!transientFailure || attempt >= maxAttempts) {
            end(delivery, () -> listener.dropped(delivery.subject, status, attempt));
            return;
        }
        Duration delay = backoff.delay(attempt);
        if (attempt == 1) {
            listener.retrying(delivery.subject, status, delay);
        }
        try {
            executor.schedule(() -> attempt(delivery, attempt + 1), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            end(delivery, () -> listener.abandoned(delivery.subject));
        }
    }

    private int send(byte[] body) throws InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return NO_ANSWER; // its message may name the endpoint, a secret: not logged
        }
    }

    /** Reports how a body ended, unless someone else (a racing close) already has. */
    private void end(Delivery delivery, Runnable report) {
        if (pending.remove(delivery)) {
            report.run();
        }
    }

    @Override
    public void close() {
        Threads.shutdown(executor, CLOSE_GRACE);
        for (Delivery delivery : pending) {
            end(delivery, () -> listener.abandoned(delivery.subject));
        }
    }

    /** One posted body; identity, not value, so the same subject posted twice is two deliveries. */
    private static final class Delivery {
        final String subject;
        final Supplier<byte[]> body;

        Delivery(String subject, Supplier<byte[]> body) {
            this.subject = subject;
            this.body = body;
        }
    }
}
