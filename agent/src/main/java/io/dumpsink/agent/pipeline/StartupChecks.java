package io.dumpsink.agent.pipeline;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.agent.config.PipelineSettings;
import io.dumpsink.agent.config.WatchSettings;
import io.dumpsink.core.config.S3Settings;
import io.dumpsink.core.lifecycle.StartupException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Fails startup, with a message naming the setting to fix, when the agent could not do its job: watch dir
 * missing, state dir not writable, S3 endpoint unreachable, credentials refused, bucket missing (created instead
 * when {@code s3.create-bucket} is on), then puts the bucket lifecycle rule in place. Better a crash-looping pod with a clear log than an agent that looks
 * healthy and ships nothing.
 */
@Singleton
public final class StartupChecks {
    private static final Logger log = LoggerFactory.getLogger(StartupChecks.class);
    private static final Duration S3_CHECK_TIMEOUT = Duration.ofSeconds(10);
    private final S3Client s3;
    private final S3Settings s3Settings;
    private final WatchSettings watch;
    private final PipelineSettings pipeline;
    private final BucketLifecycle lifecycle;

    @Inject
    StartupChecks(S3Client s3, S3Settings s3Settings, WatchSettings watch, PipelineSettings pipeline,
            BucketLifecycle lifecycle) {
        this.s3 = s3;
        this.s3Settings = s3Settings;
        this.watch = watch;
        this.pipeline = pipeline;
        this.lifecycle = lifecycle;
    }

    public void run() {
        checkWatchDir();
        checkStateDir();
        checkBucket();
        lifecycle.apply();
    }

    private void checkWatchDir() {
        Path dir = watch.watchDir();
        if (Files.isSymbolicLink(dir)) {
            throw new StartupException("dumpsink.agent.watch-dir: " + dir + " is a symlink; point it at the real"
                    + " folder");
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new StartupException("dumpsink.agent.watch-dir: " + dir + " does not exist or is not a folder;"
                    + " create it (the Helm chart mounts it with hostPath type DirectoryOrCreate)");
        }
    }

    private void checkStateDir() {
        Path dir = pipeline.stateDir();
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-check", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new StartupException("dumpsink.agent.state-dir: " + dir + " is not writable: " + e
                    + "; mount a writable folder there");
        }
    }

    private void checkBucket() {
        String bucket = s3Settings.bucket();
        String where = s3Settings.describeEndpoint();
        try {
            s3.headBucket(b -> b.bucket(bucket).overrideConfiguration(o -> o.apiCallTimeout(S3_CHECK_TIMEOUT)));
            log.info("Bucket reachable bucket={} endpoint={}", bucket, where);
        } catch (NoSuchBucketException e) {
            createOrFail(bucket, where);
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                createOrFail(bucket, where);
            } else if (e.statusCode() == 403 || e.statusCode() == 401) {
                throw new StartupException("dumpsink.s3.access-key / dumpsink.s3.secret-key: access to bucket '"
                        + bucket + "' at " + where + " was refused (HTTP " + e.statusCode() + "); check the"
                        + " credentials and the bucket policy");
            } else if (e.statusCode() == 301 || e.statusCode() == 400) {
                throw new StartupException("dumpsink.s3.region / dumpsink.s3.endpoint: " + where + " rejected the"
                        + " request for bucket '" + bucket + "' (HTTP " + e.statusCode() + "); is the region right?");
            } else {
                throw new StartupException("dumpsink.s3.endpoint: " + where + " answered HTTP " + e.statusCode()
                        + " for bucket '" + bucket + "': " + e.awsErrorDetails().errorMessage());
            }
        } catch (SdkClientException e) {
            if (untrustedCertificate(e)) {
                throw new StartupException("dumpsink.s3.ca-file: the TLS certificate of " + where + " is not"
                        + " trusted (" + rootMessage(e) + "); set dumpsink.s3.ca-file to a PEM file with the"
                        + " store's CA certificate");
            }
            throw new StartupException("dumpsink.s3.endpoint: cannot reach " + where + ": " + rootMessage(e));
        }
    }

    private void createOrFail(String bucket, String where) {
        if (!s3Settings.createBucket()) {
            throw new StartupException("dumpsink.s3.bucket: bucket '" + bucket + "' does not exist at " + where
                    + "; create it, or set dumpsink.s3.create-bucket = true");
        }
        s3.createBucket(b -> b.bucket(bucket));
        log.info("Bucket created bucket={} endpoint={}", bucket, where);
    }

    private static boolean untrustedCertificate(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLHandshakeException
                    || t instanceof java.security.cert.CertPathValidatorException
                    || t instanceof java.security.cert.CertificateException) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root == e ? e.getMessage() : e.getMessage() + " (" + root + ")";
    }
}
