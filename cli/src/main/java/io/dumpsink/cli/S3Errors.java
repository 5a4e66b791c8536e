package io.dumpsink.cli;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Turns what the S3 client throws into one line a person can act on, with its exit code: the credentials refused,
 * the bucket or the dump missing, the endpoint out of reach. The SDK's own messages (with request ids and retry
 * counts) stay out of the way; {@code DUMPSINK_LOG_LEVEL=DEBUG} shows them.
 */
final class S3Errors {
    private S3Errors() {
    }

    /**
     * @param store  what was talked to, for the message ({@code s3://bucket at endpoint})
     * @param what   what the request was about: a key, or the listing's prefix
     */
    static CliException translate(SdkException e, Store.Target store, String what) {
        if (e instanceof AwsServiceException aws) {
            String code = aws.awsErrorDetails() == null ? null : aws.awsErrorDetails().errorCode();
            int status = aws.statusCode();
            if ("NoSuchBucket".equals(code)) {
                return CliException.notFound("no such bucket '" + store.bucket() + "' at " + store.endpoint());
            }
            if ("InvalidAccessKeyId".equals(code) || "SignatureDoesNotMatch".equals(code)
                    || "InvalidToken".equals(code) || "ExpiredToken".equals(code)) {
                return CliException.notFound("access denied: " + store.endpoint() + " refused the credentials ("
                        + code + "); check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or"
                        + " dumpsink.s3.access-key in --config");
            }
            if (status == 403 || "AccessDenied".equals(code)) {
                return CliException.notFound("access denied to s3://" + store.bucket() + "/" + what + " at "
                        + store.endpoint() + (code == null ? "" : " (" + code + ")"));
            }
            if (status == 404 || "NoSuchKey".equals(code)) {
                return CliException.notFound("no such dump: s3://" + store.bucket() + "/" + what);
            }
            return new CliException(ExitCodes.USAGE, store.endpoint() + " answered " + status
                    + (code == null ? "" : " " + code) + " for s3://" + store.bucket() + "/" + what, e);
        }
        if (e instanceof SdkClientException && e.getMessage() != null
                && e.getMessage().contains("Unable to load credentials")) {
            return CliException.notFound("no credentials: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or"
                    + " AWS_PROFILE, or pass --config with dumpsink.s3.access-key and secret-key");
        }
        return CliException.usage("cannot reach " + store.endpoint() + ": " + rootMessage(e));
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
