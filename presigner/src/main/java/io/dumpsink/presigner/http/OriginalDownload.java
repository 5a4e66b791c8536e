package io.dumpsink.presigner.http;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.presigner.index.DumpStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * {@code GET /download/<key>}: the original file (a {@code .hprof} a heap analyser opens), decompressed while it
 * streams from S3 to the browser; objects stored without compression pass through. Memory stays at two buffers
 * and the zstd window whatever the dump's size.
 *
 * <p>The response has the manifest's original size as Content-Length, and its SHA-256 is computed on the way. The
 * last buffer is held back until the end: if the bytes do not add up to the manifest's size and SHA-256, it is
 * never sent and the connection is closed, so the browser reports a failed download instead of keeping a file that
 * looks whole but is not the dump.
 */
public final class OriginalDownload {
    private static final Logger log = LoggerFactory.getLogger(OriginalDownload.class);
    private static final int BUFFER = 256 * 1024;
    /**
     * A download holds an API thread for its whole length ({@code server.threads}, 8 by default): at most one per
     * core stream at once, so the API and the agents' upload events are still answered.
     */
    public static final int MAX_CONCURRENT = Math.max(1, Runtime.getRuntime().availableProcessors());
    private final DumpStore store;
    private final Semaphore streams = new Semaphore(MAX_CONCURRENT);

    OriginalDownload(DumpStore store) {
        this.store = store;
    }

    static boolean isZstd(Manifest m) {
        return "zstd".equals(m.compression());
    }

    /** The name the original file had on the node (its last path segment), e.g. {@code java_pid1.hprof}. */
    static String originalName(Manifest m) {
        String name = m.fileName() == null ? "" : m.fileName();
        name = name.substring(name.lastIndexOf('/') + 1);
        if (name.isEmpty()) {
            String key = io.dumpsink.core.layout.KeyLayout.fileName(m.key());
            name = isZstd(m) && key.endsWith(".zst") ? key.substring(0, key.length() - 4) : key;
        }
        return name;
    }

    /** {@code attachment} with an ASCII fallback name and the exact name in RFC 5987 form. */
    static String contentDisposition(String name) {
        StringBuilder ascii = new StringBuilder(name.length());
        name.codePoints().forEach(cp -> ascii.append(cp >= 0x20 && cp < 0x7f && cp != '"' && cp != '\\'
                && cp != ';' ? (char) cp : '_'));
        String encoded = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
        return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
    }

    void handle(Exchange exchange, Manifest m) throws IOException {
        exchange.setResponseHeader("Content-Disposition", contentDisposition(originalName(m)));
        exchange.setResponseHeader("X-Content-Type-Options", "nosniff");
        exchange.setResponseHeader("Cache-Control", "no-store");
        long length = m.originalSize();
        if ("HEAD".equals(exchange.method())) {
            exchange.setResponseHeader("Content-Length", Long.toString(length));
            exchange.stream(200, "application/octet-stream", out -> { });
            return;
        }
        if (!streams.tryAcquire()) {
            exchange.setResponseHeader("Retry-After", "30");
            throw new HttpError(503, MAX_CONCURRENT + " downloads of original files are in progress; try again in a "
                    + "minute, or take the stored .zst link (served by object storage)");
        }
        try {
            stream(exchange, m, length);
        } finally {
            streams.release();
        }
    }

    private void stream(Exchange exchange, Manifest m, long length) throws IOException {
        ResponseInputStream<GetObjectResponse> object;
        try {
            object = store.open(m.key());
        } catch (NoSuchKeyException e) {
            throw new HttpError(404, "the stored object of this dump is gone (expired?)");
        }
        long started = System.nanoTime();
        try (object; InputStream in = isZstd(m) ? new ZstdInputStreamNoFinalizer(object) : object) {
            // A fixed length: a body cut short is a failed download to every client, never a whole-looking file.
            exchange.setResponseHeader("Content-Length", Long.toString(length));
            exchange.stream(200, "application/octet-stream", out -> {
                long total = copyVerified(in, out, m, length);
                log.info("Original downloaded key={} bytes={} ms={}", m.key(), total,
                        (System.nanoTime() - started) / 1_000_000);
            });
        }
    }

    /**
     * Copies the decompressed object to {@code out}, holding the last buffer back until the size and SHA-256 are
     * known to match the manifest; otherwise throws, and the exchange cuts the connection with the body unfinished.
     */
    private static long copyVerified(InputStream in, OutputStream out, Manifest m, long length) throws IOException {
        try {
            MessageDigest sha = sha256();
            byte[] current = new byte[BUFFER];
            byte[] held = new byte[BUFFER];
            int heldLength = 0;
            long total = 0;
            int n;
            while ((n = in.readNBytes(current, 0, BUFFER)) > 0) {
                total += n;
                if (total > length) {
                    throw aborted(m, "the object decompresses to more than the manifest's " + length + " bytes");
                }
                sha.update(current, 0, n);
                if (heldLength > 0) {
                    out.write(held, 0, heldLength);
                }
                byte[] swap = held;
                held = current;
                current = swap;
                heldLength = n;
            }
            String actual = HexFormat.of().formatHex(sha.digest());
            if (total != length) {
                throw aborted(m, "the object decompresses to " + total + " bytes, the manifest says " + length);
            }
            if (!actual.equalsIgnoreCase(String.valueOf(m.sha256()))) {
                throw aborted(m, "sha256 " + actual + " does not match the manifest's " + m.sha256());
            }
            if (heldLength > 0) {
                out.write(held, 0, heldLength);
            }
            return total;
        } catch (SdkException | com.github.luben.zstd.ZstdIOException e) {
            throw aborted(m, "reading the stored object failed: " + e);
        }
    }

    /** The failure that makes the exchange close the connection with the body unfinished. */
    private static IOException aborted(Manifest m, String reason) {
        log.error("Original download aborted, the client gets a failed download key={} reason=\"{}\"", m.key(), reason);
        return new IOException("download of " + m.key() + " aborted: " + reason);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
