package io.dumpsink.presigner.browse;

import com.github.luben.zstd.Zstd;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.manifest.ManifestCodec;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Real heap dumps stored as the agent stores them: a JVM run out of memory with {@code -Xmx16m} writes the
 * {@code .hprof}; it is compressed in independent 1 MiB zstd frames (the agent's format) and put with its manifest.
 */
final class TestingDumps {
    private static byte[] heapDump;

    private TestingDumps() {
    }

    /** One real heap dump per test JVM (about 16 MB, a second or two to make). */
    static synchronized byte[] heapDump(Path dir) throws Exception {
        if (heapDump == null) {
            Files.createDirectories(dir);
            Process java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx16m", "-XX:+HeapDumpOnOutOfMemoryError", "-XX:HeapDumpPath=" + dir.toAbsolutePath() + "/",
                    "-cp", System.getProperty("java.class.path"), OutOfMemory.class.getName())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("java.log").toFile()).start();
            if (!java.waitFor(60, TimeUnit.SECONDS)) {
                java.destroyForcibly();
                throw new IllegalStateException("the OOM program did not finish in 60 s");
            }
            try (Stream<Path> files = Files.list(dir)) {
                Path hprof = files.filter(f -> f.toString().endsWith(".hprof")).findFirst()
                        .orElseThrow(() -> new IllegalStateException("no heap dump in " + dir));
                heapDump = Files.readAllBytes(hprof);
            }
        }
        return heapDump;
    }

    static byte[] zstdFrames(byte[] original) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(original.length / 4);
        int chunk = 1 << 20;
        for (int offset = 0; offset < original.length; offset += chunk) {
            byte[] part = java.util.Arrays.copyOfRange(original, offset, Math.min(original.length, offset + chunk));
            out.writeBytes(Zstd.compress(part, 1));
        }
        return out.toByteArray();
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** Puts the dump object and its manifest; {@code sha256} null means the true one. */
    static Manifest put(S3Client s3, String key, String namespace, String pod, String fileName, byte[] original,
            boolean zstd, String sha256, Instant uploadedAt) throws Exception {
        byte[] stored = zstd ? zstdFrames(original) : original;
        s3.putObject(b -> b.bucket("dumps").key(key), RequestBody.fromBytes(stored));
        Manifest manifest = new Manifest(1, key, "dumps", "prod", "node-a", namespace, pod, fileName,
                "/var/dumps/" + namespace + "/" + pod + "/" + fileName, "(dev=1,ino=2)", original.length,
                sha256 != null ? sha256 : sha256(original), stored.length, zstd ? "zstd" : "none", 1 << 20, 1,
                uploadedAt.minusSeconds(10), uploadedAt.minusSeconds(5), uploadedAt, "test",
                zstd ? "hprof" : "hprof.gz", zstd ? Boolean.TRUE : null);
        s3.putObject(b -> b.bucket("dumps").key(key + ".json"), RequestBody.fromBytes(ManifestCodec.toJson(manifest)));
        return manifest;
    }
}
