package io.dumpsink.core.s3;

import io.dumpsink.core.config.S3Settings;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The startup check both programs make before they serve: can this process reach its bucket with its credentials?
 * A failure comes back as one line that names its real cause and the key to fix (no credentials, unknown host,
 * connection refused, untrusted certificate, access denied, no such bucket, ...), never the SDK's exception chain,
 * which for missing credentials alone runs to about 1,500 characters. A missing bucket is created instead when
 * {@code s3.create-bucket} is on.
 */
public final class BucketCheck {
    private static final Logger log = LoggerFactory.getLogger(BucketCheck.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String KEYS = "dumpsink.s3.access-key / dumpsink.s3.secret-key";

    private BucketCheck() {
    }

    /** Empty when the bucket answers (or was just created); otherwise the one-line problem. */
    public static Optional<String> check(S3Client s3, S3Settings settings) {
        String bucket = settings.bucket();
        try {
            s3.headBucket(b -> b.bucket(bucket).overrideConfiguration(o -> o.apiCallTimeout(TIMEOUT)));
            log.info("Bucket reachable bucket={} endpoint={}", bucket, settings.describeEndpoint());
            return Optional.empty();
        } catch (NoSuchBucketException e) {
            return createOrExplain(s3, settings);
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return createOrExplain(s3, settings);
            }
            return Optional.of(describe(e, settings));
        } catch (SdkClientException e) {
            return Optional.of(describe(e, settings));
        }
    }

    private static Optional<String> createOrExplain(S3Client s3, S3Settings settings) {
        String bucket = settings.bucket();
        if (!settings.createBucket()) {
            return Optional.of("dumpsink.s3.bucket: no such bucket '" + bucket + "' at " + settings.describeEndpoint()
                    + "; create it, or set dumpsink.s3.create-bucket = true");
        }
        try {
            s3.createBucket(b -> b.bucket(bucket));
            log.info("Bucket created bucket={} endpoint={}", bucket, settings.describeEndpoint());
            return Optional.empty();
        } catch (BucketAlreadyOwnedByYouException e) {
            // The agent and the presigner start together and may both create it: the other one was first.
            log.info("Bucket reachable bucket={} endpoint={} createdBy=another process", bucket,
                    settings.describeEndpoint());
            return Optional.empty();
        } catch (S3Exception | SdkClientException e) {
            return Optional.of(describe(e, settings));
        }
    }

    /** The one-line cause of a failed S3 call, naming the key to fix. */
    public static String describe(Exception e, S3Settings settings) {
        String where = settings.describeEndpoint();
        String bucket = settings.bucket();
        if (e instanceof S3Exception s3) {
            int status = s3.statusCode();
            String code = s3.awsErrorDetails() == null ? null : s3.awsErrorDetails().errorCode();
            String answer = "HTTP " + status + (code == null || code.isBlank() ? "" : " " + code);
            if (status == 401 || status == 403) {
                return KEYS + ": access denied to bucket '" + bucket + "' at " + where + " (" + answer
                        + "); check the keys and the bucket policy";
            }
            if (status == 301 || status == 400) {
                return "dumpsink.s3.region / dumpsink.s3.endpoint: " + where + " rejected the request for bucket '"
                        + bucket + "' (" + answer + "); is the region right?";
            }
            return "dumpsink.s3.endpoint: " + where + " answered " + answer + " for bucket '" + bucket + "'";
        }
        if (noCredentials(e)) {
            return KEYS + ": no credentials found; both are empty and the AWS default chain found none (looked in"
                    + " -Daws.accessKeyId, AWS_ACCESS_KEY_ID, AWS_WEB_IDENTITY_TOKEN_FILE, EKS pod identity,"
                    + " ~/.aws, container and instance metadata); set both keys or give the pod a role";
        }
        String hostPort = hostPort(settings);
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException unknown) {
                return "dumpsink.s3.endpoint: unknown host '" + hostOf(unknown, settings)
                        + "' (DNS cannot resolve it); check the host name in " + where;
            }
            if (t instanceof ConnectException && !(t instanceof NoRouteToHostException)
                    && String.valueOf(t.getMessage()).contains("refused")) {
                return "dumpsink.s3.endpoint: connection refused by " + hostPort
                        + "; is the store running, and is the port right?";
            }
            if (t instanceof NoRouteToHostException) {
                return "dumpsink.s3.endpoint: no route to " + hostPort + "; check the address and the network";
            }
            if (t instanceof SocketTimeoutException || t.getClass().getSimpleName().equals("ConnectTimeoutException")) {
                return "dumpsink.s3.endpoint: no answer from " + hostPort
                        + " in time; check the address, the port and firewalls";
            }
            if (t instanceof CertPathValidatorException || t instanceof CertificateException
                    || (t instanceof SSLHandshakeException && String.valueOf(t.getMessage()).contains("PKIX"))) {
                return "dumpsink.s3.ca-file: the TLS certificate of " + where + " is not trusted"
                        + settings.caFile().map(f -> " by " + f + " nor the system CAs").orElse(" by the system CAs")
                        + "; set dumpsink.s3.ca-file to a PEM file with the store's CA certificate";
            }
            if (t instanceof SSLPeerUnverifiedException) {
                return "dumpsink.s3.endpoint: the TLS certificate of " + where + " does not name " + hostPort
                        + "; use the host name the certificate was issued for";
            }
            if (t instanceof SSLException ssl) {
                return "dumpsink.s3.endpoint: TLS with " + hostPort + " failed (" + oneLine(ssl.getMessage())
                        + "); is it an https:// endpoint?";
            }
        }
        return "dumpsink.s3.endpoint: cannot reach " + where + ": " + oneLine(rootMessage(e));
    }

    /**
     * The SDK reports an empty default chain as a plain {@link SdkClientException} whose message starts with
     * "Unable to load credentials" and then lists every provider's failure; the message is all there is to tell it
     * from other client errors.
     */
    private static boolean noCredentials(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SdkClientException && String.valueOf(t.getMessage()).startsWith("Unable to load credentials")) {
                return true;
            }
        }
        return false;
    }

    private static String hostOf(UnknownHostException e, S3Settings settings) {
        String message = e.getMessage();
        if (message != null && !message.isBlank()) {
            int colon = message.indexOf(':');
            return (colon > 0 ? message.substring(0, colon) : message).trim();
        }
        return settings.endpoint().map(URI::getHost).orElse("s3." + settings.region() + ".amazonaws.com");
    }

    private static String hostPort(S3Settings settings) {
        return settings.endpoint().map(uri -> uri.getHost() + ":" + (uri.getPort() >= 0 ? uri.getPort()
                : "https".equals(uri.getScheme()) ? 443 : 80)).orElse("s3." + settings.region() + ".amazonaws.com:443");
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root + ")";
    }

    /** Keeps a message on one line and short: the cause must read as one log line. */
    private static String oneLine(String message) {
        String flat = String.valueOf(message).replaceAll("\\s+", " ").trim();
        return flat.length() > 200 ? flat.substring(0, 200) + "..." : flat;
    }
}
