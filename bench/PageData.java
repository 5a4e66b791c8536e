import io.dumpsink.core.layout.KeyLayout;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.manifest.ManifestCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Random;

/**
 * Test data for bench/pages.sh: N dumps with real manifests written straight into the embedded store's folder
 * (S3Proxy's filesystem backend keeps an object at DATA_DIR/BUCKET/KEY), which takes seconds where uploading
 * 100,000 dumps through S3 would take long. Spread like a busy cluster: 20 nodes, 30 namespaces, 600 pods, 30
 * days; each manifest file is dated at its upload time, which the listing reports.
 *   java -cp presigner/target/dumpsink-presigner.jar bench/PageData.java DATA_DIR BUCKET COUNT
 */
public final class PageData {
    public static void main(String[] args) throws Exception {
        Path bucket = Path.of(args[0]).resolve(args[1]);
        int count = Integer.parseInt(args[2]);
        Random random = new Random(42);
        Instant end = Instant.parse("2026-11-28T12:00:00Z");
        long span = 30L * 24 * 3600;
        byte[] stored = new byte[64]; // the content is never read by the pages; sizes come from the manifests
        for (int i = 0; i < count; i++) {
            String node = "node-" + random.nextInt(20);
            int ns = random.nextInt(30);
            String namespace = "team-" + ns;
            String pod = "svc-" + ns + "-" + random.nextInt(20) + "-7d9f8";
            Instant uploaded = end.minusSeconds((long) (random.nextDouble() * span));
            Instant modified = uploaded.minusSeconds(5 + random.nextInt(60));
            String fileName = "java_pid" + (1 + random.nextInt(99_999)) + ".hprof";
            String key = KeyLayout.dumpKey("prod", node, namespace, pod, modified, fileName, true, 1);
            long original = (64L << 20) + random.nextInt(1 << 30);
            Manifest m = new Manifest(1, key, args[1], "prod", node, namespace, pod, fileName,
                    "/var/dumps/" + namespace + "/" + pod + "/" + fileName, "(dev=1,ino=" + i + ")", original,
                    String.format("%064x", random.nextLong()), original / 6, "zstd", 16 << 20,
                    (int) (original / (64 << 20)) + 1, modified, modified.plusSeconds(2), uploaded, "bench",
                    "hprof", Boolean.TRUE);
            Path object = bucket.resolve(key);
            Files.createDirectories(object.getParent());
            Files.write(object, stored);
            Path manifest = bucket.resolve(key + KeyLayout.MANIFEST_SUFFIX);
            Files.write(manifest, ManifestCodec.toJson(m));
            Files.setLastModifiedTime(manifest, FileTime.from(uploaded));
            if ((i + 1) % 10_000 == 0) {
                System.err.printf("[page data] %d/%d dumps written%n", i + 1, count);
            }
        }
    }
}
