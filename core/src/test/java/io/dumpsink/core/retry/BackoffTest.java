package io.dumpsink.core.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

class BackoffTest {
    private static S3Exception s3(int status, String code) {
        return (S3Exception) S3Exception.builder().statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).build()).build();
    }

    @Test
    void retriesWhatGoesAwayAndNotWhatNeedsAFix() {
        assertThat(Backoff.isTransient(new IOException("reset"))).isTrue();
        assertThat(Backoff.isTransient(SdkClientException.create("refused"))).isTrue();
        assertThat(Backoff.isTransient(s3(503, "SlowDown"))).isTrue();
        assertThat(Backoff.isTransient(s3(500, "InternalError"))).isTrue();
        assertThat(Backoff.isTransient(s3(200, "InternalError"))).as("error inside a 200 answer").isTrue();
        assertThat(Backoff.isTransient(s3(429, "TooManyRequests"))).isTrue();
        assertThat(Backoff.isTransient(s3(403, "AccessDenied"))).isFalse();
        assertThat(Backoff.isTransient(s3(404, "NoSuchUpload"))).isFalse();
        assertThat(Backoff.isTransient(new IllegalStateException("bug"))).isFalse();
    }

    @Test
    void aHeadAnswerWithoutAnErrorCodeIsJudgedByItsStatus() {
        assertThat(Backoff.isTransient(s3(403, null))).as("HEAD refused: no body, no code").isFalse();
        assertThat(Backoff.isTransient(s3(503, null))).isTrue();
    }

    @Test
    void retriesServerErrorsTimeoutsAndThrottlingButNoOtherHttpAnswer() {
        assertThat(IntStream.of(500, 502, 503, 504, 408, 429))
                .allMatch(Backoff::isTransientStatus);
        assertThat(IntStream.of(200, 204, 301, 400, 401, 403, 404, 410, 413))
                .noneMatch(Backoff::isTransientStatus);
    }

    @Test
    void fullJitterStaysUnderTheCappedExponential() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2));
        for (int attempt = 1; attempt <= 20; attempt++) {
            long ceiling = Math.min(2_000, 100L << Math.min(attempt - 1, 30));
            for (int i = 0; i < 50; i++) {
                assertThat(backoff.delay(attempt).toMillis()).isBetween(0L, ceiling);
            }
        }
    }
}
