package io.dumpsink.agent.config;

import com.github.luben.zstd.Zstd;
import io.dumpsink.core.config.ConfigReader;
import java.util.List;

/**
 * How a dump is compressed and cut into multipart parts, and the buffer budget those sizes must fit: together they
 * bound the memory an upload uses. The compression-thread count is resolved here, from the budget.
 *
 * <p>Sizing, per upload ({@link #bufferBytesPerUpload(int)}): {@code compression-threads + 2} chunk slots of a chunk
 * and its zstd frame, plus {@code parts-in-flight + 1} part buffers of a part and one frame of slack. With zstd's
 * frame bound just over a chunk that is about {@code (threads + 2) x 2 x chunk-size + (parts-in-flight + 1) x
 * (part-size + chunk-size)}: 35 MiB with the defaults and two threads. It must fit {@link BufferBudget#perUpload()}:
 * <ul>
 *   <li>{@code compression-threads = 0} (the default) resolves to as many threads as fit, at most one per
 *       processor, at least one;
 *   <li>an explicit {@code compression-threads} that does not fit is lowered to what fits, with one warning naming
 *       the key: a thread count only changes speed, and one config file serves nodes of every size;
 *   <li>sizes that do not fit even with one thread are a startup error naming the key to change and the largest
 *       value that fits: part and chunk sizes shape what is stored, so they are never changed silently.
 * </ul>
 */
public record UploadSettings(Compression compression, int compressionLevel, int compressionThreads, int chunkSize,
        int partSize, int partsInFlight, BufferBudget buffers) {

    /** S3's minimum size for every part but the last. */
    public static final int MIN_PART_SIZE = 5 * 1024 * 1024;
    private static final int MIN_CHUNK_SIZE = 64 * 1024;
    private static final int MAX_BUFFER = 1 << 30;
    private static final long MIB = 1024 * 1024;
    private static final String THREADS = "dumpsink.agent.compression-threads";
    private static final String CHUNK_SIZE = "dumpsink.agent.chunk-size";
    private static final String PART_SIZE = "dumpsink.agent.part-size";
    private static final String PARTS_IN_FLIGHT = "dumpsink.agent.parts-in-flight";
    private static final String MAX_CONCURRENT_DUMPS = "dumpsink.agent.max-concurrent-dumps";

    public enum Compression {
        ZSTD, NONE
    }

    public static UploadSettings from(ConfigReader r, JvmResources jvm, int maxConcurrentDumps) {
        int requestedThreads = r.intInRange(THREADS, 0, 256);
        UploadSettings settings = new UploadSettings(
                r.enumValue("dumpsink.agent.compression", Compression.class),
                r.intInRange("dumpsink.agent.compression-level", -7, 19),
                1,
                (int) Math.min(MAX_BUFFER, r.bytesAtLeast(CHUNK_SIZE, MIN_CHUNK_SIZE)),
                (int) Math.min(MAX_BUFFER, r.bytesAtLeast(PART_SIZE, MIN_PART_SIZE)),
                r.intInRange(PARTS_IN_FLIGHT, 1, 64),
                new BufferBudget(jvm.maxDirectMemory(), jvm.processors(), maxConcurrentDumps));
        return settings.withThreads(settings.resolveThreads(r, requestedThreads));
    }

    public boolean compressed() {
        return compression == Compression.ZSTD;
    }

    /**
     * The most direct memory one upload holds with {@code threads} compression threads. Sized for zstd (a frame
     * buffer per chunk slot); an upload without compression needs less.
     */
    public long bufferBytesPerUpload(int threads) {
        return bufferBytes(threads, chunkSize, partSize, partsInFlight);
    }

    /** The resolved budget in one line of {@code key=value}, for the startup log. */
    public String describeBuffers() {
        return "maxDirectMemory=" + BufferBudget.bytes(buffers.maxDirectMemory())
                + " budget=" + BufferBudget.bytes(buffers.total()) + " (" + BufferBudget.PERCENT_OF_DIRECT_MEMORY
                + "%)" + " maxConcurrentDumps=" + buffers.maxConcurrentDumps()
                + " perUpload=" + BufferBudget.bytes(buffers.perUpload())
                + " neededPerUpload=" + BufferBudget.bytes(bufferBytesPerUpload(compressionThreads))
                + " compressionThreads=" + compressionThreads + " processors=" + buffers.processors()
                + " chunkSize=" + BufferBudget.bytes(chunkSize) + " partSize=" + BufferBudget.bytes(partSize)
                + " partsInFlight=" + partsInFlight;
    }

    private UploadSettings withThreads(int threads) {
        return new UploadSettings(compression, compressionLevel, threads, chunkSize, partSize, partsInFlight,
                buffers);
    }

    private static long bufferBytes(int threads, long chunk, long part, long inFlight) {
        long frame = Zstd.compressBound(chunk);
        return (threads + 2L) * (chunk + frame) + (inFlight + 1) * (part + frame);
    }

    private int resolveThreads(ConfigReader r, int requested) {
        long perUpload = buffers.perUpload();
        long perThread = chunkSize + Zstd.compressBound(chunkSize);
        long fitting = Math.min(256, (perUpload - bufferBytesPerUpload(0)) / perThread);
        if (perUpload < bufferBytesPerUpload(1)) {
            String key = culprit(r);
            r.problem(key, "one upload needs " + BufferBudget.bytes(bufferBytesPerUpload(1)) + " of buffers even with"
                    + " one compression thread (3 chunk slots of chunk-size plus its zstd frame, and parts-in-flight"
                    + " + 1 part buffers of part-size plus one frame), more than the "
                    + BufferBudget.bytes(perUpload) + " it may use (" + buffers.explain() + "); "
                    + suggestion(key) + "give the JVM more direct memory (-XX:MaxDirectMemorySize)");
            return 1;
        }
        if (requested == 0) {
            return (int) Math.min(buffers.processors(), fitting);
        }
        if (requested > fitting) {
            r.warning(THREADS, requested + " threads do not fit the upload buffer budget: using " + fitting
                    + " (each thread needs " + BufferBudget.bytes(perThread) + " for a chunk and its frame; one upload"
                    + " may use " + BufferBudget.bytes(perUpload) + ", " + buffers.explain() + "); set 0 to size it"
                    + " automatically, or give the JVM more direct memory (-XX:MaxDirectMemorySize)");
            return (int) fitting;
        }
        return requested;
    }

    /** The size setting to name when the buffers do not fit: the first one the user set, else the biggest term. */
    private static String culprit(ConfigReader r) {
        for (String key : List.of(PART_SIZE, PARTS_IN_FLIGHT, CHUNK_SIZE, MAX_CONCURRENT_DUMPS)) {
            if (r.isSet(key)) {
                return key;
            }
        }
        return PART_SIZE;
    }

    /** "set KEY to at most X, or " when some value of {@code key} fits with the others as they are; else "". */
    private String suggestion(String key) {
        long perUpload = buffers.perUpload();
        long frame = Zstd.compressBound(chunkSize);
        long slots = 3 * (chunkSize + frame);
        String fits = switch (key) {
            case PART_SIZE -> {
                long mib = ((perUpload - slots) / (partsInFlight + 1) - frame) / MIB;
                yield mib * MIB >= MIN_PART_SIZE ? mib + "MiB" : null;
            }
            case PARTS_IN_FLIGHT -> {
                long count = (perUpload - slots) / (partSize + frame) - 1;
                yield count >= 1 ? Long.toString(count) : null;
            }
            case CHUNK_SIZE -> {
                long chunk = Long.highestOneBit(chunkSize);
                while (chunk >= MIN_CHUNK_SIZE && bufferBytes(1, chunk, partSize, partsInFlight) > perUpload) {
                    chunk /= 2;
                }
                yield chunk < MIN_CHUNK_SIZE ? null : chunk >= MIB ? chunk / MIB + "MiB" : chunk / 1024 + "KiB";
            }
            case MAX_CONCURRENT_DUMPS -> {
                long count = buffers.total() / bufferBytesPerUpload(1);
                yield count >= 1 ? Long.toString(count) : null;
            }
            default -> null;
        };
        return fits == null ? "" : "set " + key + " to at most " + fits + ", or ";
    }
}
