import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * What each step of shipping a dump costs on one core, in-process, the way the agent does it: the file read in
 * chunks into a direct buffer, then SHA-256, MD5 or zstd at a level over each chunk (one frame per chunk).
 * CPU-seconds of the measuring thread (read included in each row, and also shown alone), stored bytes for zstd.
 * Best of 3 rounds. Used for bench/PROFILE.md; not part of run.sh.
 *
 *   mvn -B -DskipTests package
 *   java -cp agent/target/dumpsink-agent.jar bench/Components.java FILE [read,sha256,md5,zstd1,zstd-1,...] [CHUNK]
 */
public class Components {
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        String[] modes = (args.length > 1 ? args[1] : "read,sha256,md5,zstd3,zstd2,zstd1,zstd-1,zstd-2,zstd-3")
                .split(",");
        int chunk = args.length > 2 ? Integer.parseInt(args[2]) : 1 << 20;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        ByteBuffer in = ByteBuffer.allocateDirect(chunk);
        ByteBuffer out = ByteBuffer.allocateDirect((int) Zstd.compressBound(chunk));
        System.out.printf(Locale.ROOT, "%s, chunks of %d bytes, best of 3 rounds%n", file, chunk);
        for (String mode : modes) {
            double best = Double.MAX_VALUE;
            double bestRead = 0;
            long stored = 0;
            for (int round = 0; round < 3; round++) {
                MessageDigest digest = mode.equals("sha256") ? MessageDigest.getInstance("SHA-256")
                        : mode.equals("md5") ? MessageDigest.getInstance("MD5") : null;
                ZstdCompressCtx zstd = mode.startsWith("zstd") ? new ZstdCompressCtx()
                        .setLevel(Integer.parseInt(mode.substring(4))).setContentSize(true).setChecksum(false) : null;
                long start = threads.getCurrentThreadCpuTime();
                long reading = 0;
                stored = 0;
                try (FileChannel channel = FileChannel.open(file)) {
                    while (true) {
                        in.clear();
                        long before = threads.getCurrentThreadCpuTime();
                        while (in.hasRemaining() && channel.read(in) >= 0) {
                            // fill the chunk
                        }
                        reading += threads.getCurrentThreadCpuTime() - before;
                        in.flip();
                        if (!in.hasRemaining()) {
                            break;
                        }
                        if (digest != null) {
                            digest.update(in.duplicate());
                        } else if (zstd != null) {
                            stored += zstd.compressDirectByteBuffer(out, 0, out.capacity(), in, 0, in.remaining());
                        }
                    }
                }
                if (zstd != null) {
                    zstd.close();
                }
                double seconds = (threads.getCurrentThreadCpuTime() - start) / 1e9;
                if (seconds < best) {
                    best = seconds;
                    bestRead = reading / 1e9;
                }
            }
            System.out.printf(Locale.ROOT, "%-8s %6.2f CPU-s (read %.2f, the step alone %.2f)%s%n", mode, best,
                    bestRead, best - bestRead, mode.startsWith("zstd") ? ", stored " + stored + " bytes" : "");
        }
    }
}
