package io.dumpsink.presigner.browse;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.dumpsink.core.config.ConfigLoader;
import io.dumpsink.core.config.S3Settings;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.s3.S3Clients;
import io.dumpsink.embedded.EmbeddedS3;
import io.dumpsink.presigner.PresignerApp;
import io.dumpsink.presigner.TestingReadiness;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A presigner on a free port over S3Proxy holding real heap dumps stored as the agent stores them: two zstd heap
 * dumps in different namespaces an hour apart, a gzip heap dump stored as it is, and one whose manifest's
 * SHA-256 is wrong.
 */
final class BrowseFixture implements AutoCloseable {
    static final String TOKEN = "token-0123456789abcdef";
    static final Instant T0 = Instant.parse("2026-11-28T08:15:40Z");
    static final String OLD_KEY = "prod/node-a/shop/api-1/2026-11-28/081530Z-java_pid1.hprof.zst";
    static final String NEW_KEY = "prod/node-a/billing/worker-7/2026-11-28/091530Z-java_pid7.hprof.zst";
    static final String GZ_KEY = "prod/node-a/shop/api-2/2026-11-28/070000Z-java_pid9.hprof.gz";
    static final String BAD_KEY = "prod/node-a/shop/api-3/2026-11-28/060000Z-java_pid3.hprof.zst";

    final EmbeddedS3 s3;
    final S3Client client;
    final Path s3Dir;
    final byte[] heapDump;
    final byte[] gzipped;
    PresignerApp presigner;
    URI base;
    final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    BrowseFixture(Path tmp) throws Exception {
        s3Dir = tmp.resolve("s3");
        s3 = EmbeddedS3.start(s3Dir, 0);
        client = S3Clients.create(new S3Settings(Optional.of(s3.endpoint()), "us-east-1", "dumps", true,
                EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY, S3Settings.RequestChecksums.AUTO, false,
                Optional.empty()), 4);
        client.createBucket(b -> b.bucket("dumps"));
        heapDump = TestingDumps.heapDump(tmp.resolve("heap"));
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(heapDump, 0, Math.min(heapDump.length, 2 << 20));
        }
        gzipped = gz.toByteArray();
        put(OLD_KEY, "shop", "api-1", "java_pid1.hprof", heapDump, true, null, T0);
        put(NEW_KEY, "billing", "worker-7", "java_pid7.hprof", heapDump, true, null, T0.plusSeconds(3600));
        put(GZ_KEY, "shop", "api-2", "java_pid9.hprof.gz", gzipped, false, null, T0.minusSeconds(4000));
        put(BAD_KEY, "shop", "api-3", "java_pid3.hprof", heapDump, true, "00".repeat(32), T0.minusSeconds(8000));
    }

    /**
     * Puts a dump and dates its manifest file at {@code uploadedAt}: the store lists the file's time, and a test
     * must not wait a second per dump for the store's clock to order them.
     */
    Manifest put(String key, String namespace, String pod, String fileName, byte[] original, boolean zstd,
            String sha256, Instant uploadedAt) throws Exception {
        Manifest m = TestingDumps.put(client, key, namespace, pod, fileName, original, zstd, sha256, uploadedAt);
        Files.setLastModifiedTime(s3Dir.resolve("dumps").resolve(key + ".json"), FileTime.from(uploadedAt));
        return m;
    }

    void start() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Map<String, Object> c = new HashMap<>();
        c.put("dumpsink.s3.endpoint", s3.endpoint().toString());
        c.put("dumpsink.s3.path-style", true);
        c.put("dumpsink.s3.access-key", EmbeddedS3.ACCESS_KEY);
        c.put("dumpsink.s3.secret-key", EmbeddedS3.SECRET_KEY);
        c.put("dumpsink.presigner.port", port);
        c.put("dumpsink.presigner.management-port", 0);
        c.put("dumpsink.presigner.public-url", "http://127.0.0.1:" + port);
        c.put("dumpsink.presigner.tokens", List.of(TOKEN));
        c.put("dumpsink.presigner.link-secret", "s".repeat(40));
        presigner = PresignerApp.create(ConfigLoader.load(ConfigFactory.parseMap(c), Map.of()));
        presigner.start();
        base = URI.create("http://127.0.0.1:" + presigner.port());
        TestingReadiness.awaitReady(presigner.port());
    }

    static String basic() {
        return "Basic " + Base64.getEncoder().encodeToString(("oncall:" + TOKEN).getBytes(StandardCharsets.UTF_8));
    }

    HttpResponse<String> get(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).header("Authorization", basic())
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<byte[]> getBytes(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).header("Authorization", basic())
                .build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Override
    public void close() throws Exception {
        if (presigner != null) {
            presigner.stop();
        }
        client.close();
        s3.close();
    }
}
