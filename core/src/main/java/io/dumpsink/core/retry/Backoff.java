package io.dumpsink.core.retry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * Exponential backoff with full jitter (a random delay between zero and {@code initial * 2^attempt}, capped), the
 * schedule that keeps many agents from retrying against a recovering store in lock-step. Also decides which
 * failures are worth retrying at all.
 */
public record Backoff(Duration initial, Duration max) {

    public Backoff {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 < initial <= max, got " + initial + ", " + max);
        }
    }

    /** The delay before retry number {@code attempt} (1 for the first retry). */
    public Duration delay(int attempt) {
        int shift = Math.min(Math.max(attempt - 1, 0), 30);
        long ceiling = Math.min(max.toMillis(), initial.toMillis() << shift);
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(0, ceiling + 1));
    }

    /**
     * True for failures that go away by themselves: I/O errors, timeouts, HTTP 5xx, 408 and 429. False for other
     * 4xx (bad request, access denied, no such bucket): retrying those only repeats the same answer until someone
     * changes the configuration.
     */
    public static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SdkServiceException service) {
                int status = service.statusCode();
                return status >= 500 || status == 408 || status == 429 || service.isThrottlingException();
            }
            if (t instanceof IOException || t instanceof UncheckedIOException) {
                return true;
            }
            if (t instanceof SdkClientException) {
                return true; // connection refused, timeouts, a reset mid-part
            }
        }
        return false;
    }
}
