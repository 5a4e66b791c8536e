package io.dumpsink.core.retry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * Exponential backoff with full jitter (a random delay between zero and {@code initial * 2^attempt}, capped), the
 * schedule that keeps many agents from retrying against a recovering store in lock-step. Also decides which
 * failures are worth retrying at all.
 */
public record Backoff(Duration initial, Duration max) {
    private static final java.util.Set<String> TRANSIENT_ERROR_CODES = java.util.Set.of("InternalError",
            "SlowDown", "ServiceUnavailable", "RequestTimeout", "RequestTimeTooSkewed");

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
     * True for failures that go away by themselves: I/O errors, timeouts, HTTP 5xx, 408 and 429, S3 error codes
     * that mean "try again" whatever the status (InternalError in a 200 answer). False for other
     * 4xx (bad request, access denied, no such bucket): retrying those only repeats the same answer until someone
     * changes the configuration.
     */
    public static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            // A HEAD answer has no body, so no error code: null, which Set.of(...).contains refuses with an NPE.
            if (t instanceof AwsServiceException aws && aws.awsErrorDetails() != null
                    && aws.awsErrorDetails().errorCode() != null
                    && TRANSIENT_ERROR_CODES.contains(aws.awsErrorDetails().errorCode())) {
                // S3 can answer CompleteMultipartUpload with 200 and an error in the body: the code decides.
                return true;
            }
            if (t instanceof SdkServiceException service) {
                return isTransientStatus(service.statusCode()) || service.isThrottlingException();
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

    /**
     * True for HTTP answers that go away by themselves: 5xx, 408 (request timeout) and 429 (too many requests).
     * False for every other status, other 4xx above all: the same request gets the same answer until someone
     * changes the configuration (a token, a URL).
     */
    public static boolean isTransientStatus(int status) {
        return status >= 500 || status == 408 || status == 429;
    }
}
