package io.dumpsink.embedded;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;

/**
 * A real S3 server (S3Proxy with its filesystem backend) on a local folder, for tests and the local run. It speaks
 * SigV4, multipart uploads and presigned GETs like the stores dumpsink meets in production, over real HTTP.
 *
 * <p>Stopping and starting again on the same folder and port keeps the data: tests use that to simulate an outage.
 */
public final class EmbeddedS3 implements AutoCloseable {
    public static final String ACCESS_KEY = "dumpsink-local";
    public static final String SECRET_KEY = "dumpsink-local-secret";
    public static final String REGION = "us-east-1";

    private final Path dataDir;
    private final Path keyStore;
    private final String keyStorePassword;
    private volatile S3Proxy proxy;
    private volatile int port;
    private volatile String secretKey = SECRET_KEY;

    private EmbeddedS3(Path dataDir, int port, Path keyStore, String keyStorePassword) {
        this.dataDir = dataDir;
        this.port = port;
        this.keyStore = keyStore;
        this.keyStorePassword = keyStorePassword;
    }

    /** Starts on {@code port} (0 picks a free one) with its buckets stored under {@code dataDir}. */
    public static EmbeddedS3 start(Path dataDir, int port) throws Exception {
        EmbeddedS3 s3 = new EmbeddedS3(dataDir, port, null, null);
        s3.start();
        return s3;
    }

    /** Serves HTTPS only, with the key and certificate in {@code keyStore} (PKCS12), on a free port. */
    public static EmbeddedS3 startTls(Path dataDir, Path keyStore, String password) throws Exception {
        EmbeddedS3 s3 = new EmbeddedS3(dataDir, 0, keyStore, password);
        s3.start();
        return s3;
    }

    /** Starts (again) on the same folder and, after the first start, the same port. */
    public synchronized void start() throws Exception {
        if (proxy != null) {
            return;
        }
        Files.createDirectories(dataDir);
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", dataDir.toAbsolutePath().toString());
        S3Proxy.Builder builder = S3Proxy.builder().blobStore(BlobStores.create("filesystem", properties));
        if (keyStore == null) {
            builder.endpoint(URI.create("http://127.0.0.1:" + port));
        } else {
            builder.secureEndpoint(URI.create("https://127.0.0.1:" + port))
                    .keyStore(keyStore.toAbsolutePath().toString(), keyStorePassword);
        }
        S3Proxy candidate = builder
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, secretKey)
                // AWS SDK 2.58 sends x-amz-mp-object-size on CompleteMultipartUpload; S3Proxy would answer 501.
                .ignoreUnknownHeaders(true)
                // Seconds, not the default minutes: a test that stops the server should not wait on idle sockets.
                .stopTimeout(1_000)
                .build();
        candidate.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!"STARTED".equals(candidate.getState())) {
            if (System.nanoTime() > deadline) {
                candidate.stop();
                throw new IllegalStateException("S3Proxy did not start within 30 s, state=" + candidate.getState());
            }
            Thread.sleep(10);
        }
        port = keyStore == null ? candidate.getPort() : candidate.getSecurePort();
        proxy = candidate;
    }

    /** Stops serving; the data stays in the folder for a later {@link #start()}. */
    public synchronized void stop() throws Exception {
        S3Proxy running = proxy;
        proxy = null;
        if (running != null) {
            try {
                running.stop();
            } catch (java.util.concurrent.TimeoutException e) {
                // Jetty stopped everything, but requests still in flight outlived the graceful stop timeout:
                // exactly what an outage does to them.
            }
        }
    }

    /**
     * Restarts on the same port and folder with another secret key: clients signing with the old one get 403
     * (SignatureDoesNotMatch) from then on, the way revoked or rotated credentials look to them.
     */
    public synchronized void changeSecret(String newSecretKey) throws Exception {
        stop();
        secretKey = newSecretKey;
        start();
    }

    public URI endpoint() {
        return URI.create((keyStore == null ? "http" : "https") + "://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
