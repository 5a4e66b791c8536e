package io.dumpsink.agent.settle;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Tells from a heap dump's structure whether the JVM has finished writing it, reading only its start and its end,
 * never the whole file.
 *
 * <p>What a finished HotSpot dump looks like (checked on JDK 17 and JDK 25 dumps): it starts with the 31-byte
 * header {@code "JAVA PROFILE 1.0.2\0"}, a u4 identifier size (4 or 8) and a u8 timestamp, and it ends with the
 * 9-byte HEAP DUMP END record (tag {@code 0x2C}, a u4 time, a u4 length 0). HotSpot writes that record last, after
 * merging the {@code X.hprof.pN} segments of a JDK 22+ parallel dump (and not at all if the merge fails), so a dump
 * without it is not finished. With {@code -XX:HeapDumpGzipLevel=N} the file is a concatenation of independent gzip
 * members, each holding at most 1 MiB of dump (the first one's comment says {@code HPROF BLOCKSIZE=1048576}; JDK 25
 * puts the END record in a member of its own), and the decompressed stream ends with the same record.
 *
 * <p>Bounds, whatever the bytes (a pod writes these files: they are treated as hostile):
 * <ul>
 *   <li>{@code .hprof}: reads at most {@value #HPROF_MAX_BYTES_READ} bytes (the header and the last 9 bytes).
 *   <li>{@code .hprof.gz}: reads at most {@value #GZIP_HEAD_BYTES} bytes at the start (to find the HPROF header
 *       inside the first member) and the last {@value #GZIP_TAIL_WINDOW} bytes ({@link #GZIP_MAX_BYTES_READ} in
 *       all); allocates no more than those two buffers and a 64 KiB inflate buffer; tries at most
 *       {@value #GZIP_MAX_CANDIDATES} gzip header candidates and inflates at most {@value #GZIP_MAX_INFLATE_WORK}
 *       bytes (input consumed plus output produced, over all candidates) before giving up with INCOMPLETE.
 * </ul>
 *
 * <p>Limits of a cheap check: a gzip file whose last member does not fit the tail window, or inflates to more than
 * the work bound (a whole file compressed as one member by {@code gzip}, say), is reported INCOMPLETE with a reason
 * saying so; HotSpot's members are 1 MiB of dump each, well inside both bounds. HPROF 1.0.1 (JDK 8 and older, for
 * heaps under 2 GB) has no END record at all, so such a dump is NOT_CHECKED. A file cut at a point where its last
 * 9 bytes happen to look like an END record would pass: the check is necessary, not sufficient, and is meant to be
 * combined with the file having been quiet for a while.
 */
public final class DumpCompleteness {
    /** Most bytes read from an {@code .hprof}: its header and its HEAP DUMP END record. */
    static final int HPROF_MAX_BYTES_READ = Hprof.HEADER_LENGTH + Hprof.END_RECORD_LENGTH;
    /** Bytes read at the start of an {@code .hprof.gz} to find the HPROF header inside its first member. */
    static final int GZIP_HEAD_BYTES = 16 * 1024;
    /**
     * Bytes read at the end of an {@code .hprof.gz}: its last member must start within them. HotSpot compresses 1 MiB
     * blocks, which take at most a little more than 1 MiB compressed, so 4 MiB leaves room for a last member and the
     * one before it.
     */
    static final int GZIP_TAIL_WINDOW = 4 * 1024 * 1024;
    /** Most bytes read from an {@code .hprof.gz}. */
    static final long GZIP_MAX_BYTES_READ = (long) GZIP_HEAD_BYTES + GZIP_TAIL_WINDOW;
    /** Most bytes inflated (consumed plus produced) for one {@code .hprof.gz}, whatever the number of tries. */
    static final long GZIP_MAX_INFLATE_WORK = 32L * 1024 * 1024;
    /** Most positions in the tail window tried as the start of a gzip member. */
    static final int GZIP_MAX_CANDIDATES = 256;

    private static final String SHRANK = "the file shrank while being read";

    public enum State {
        /** The structure says the JVM has finished writing the file. */
        COMPLETE,
        /** The file is truncated, still being written, not what its name says, or beyond the check's bounds. */
        INCOMPLETE,
        /** The format has no completeness marker this class knows how to check. */
        NOT_CHECKED
    }

    /** The answer, with a short human reason for logs. */
    public record Result(State state, String reason) {
        public Result {
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(reason, "reason");
        }

        static Result complete(String reason) {
            return new Result(State.COMPLETE, reason);
        }

        static Result incomplete(String reason) {
            return new Result(State.INCOMPLETE, reason);
        }

        static Result notChecked(String reason) {
            return new Result(State.NOT_CHECKED, reason);
        }
    }

    private DumpCompleteness() {
    }

    /**
     * Checks the file behind {@code channel}. The channel may be positioned anywhere: reads use absolute positions
     * and leave the position wherever the last one ended. The caller owns the channel and closes it.
     *
     * @throws IOException only when reading fails; malformed content is an INCOMPLETE answer, never an exception
     */
    public static Result check(DumpFormat format, SeekableByteChannel channel) throws IOException {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(channel, "channel");
        return switch (format) {
            case HPROF -> checkHprof(channel);
            case HPROF_GZIP -> checkGzip(channel);
            case OTHER -> Result.notChecked("not an HPROF file name");
        };
    }

    private static Result checkHprof(SeekableByteChannel channel) throws IOException {
        long size = channel.size();
        if (size < HPROF_MAX_BYTES_READ) {
            return Result.incomplete("too short for an HPROF header and a HEAP DUMP END record (" + size + " bytes)");
        }
        byte[] header = new byte[Hprof.HEADER_LENGTH];
        if (!readFully(channel, 0, header, header.length)) {
            return Result.incomplete(SHRANK);
        }
        Hprof.Version version = Hprof.version(header, header.length);
        if (version == Hprof.Version.NONE) {
            return Result.incomplete("not an HPROF header");
        }
        if (version == Hprof.Version.V1_0_1) {
            return Result.notChecked(Hprof.V1_0_1_REASON);
        }
        byte[] tail = new byte[Hprof.END_RECORD_LENGTH];
        if (!readFully(channel, size - tail.length, tail, tail.length)) {
            return Result.incomplete(SHRANK);
        }
        return Hprof.isEndRecord(tail)
                ? Result.complete("HEAP DUMP END record at the end")
                : Result.incomplete("no HEAP DUMP END record at the end");
    }

    private static Result checkGzip(SeekableByteChannel channel) throws IOException {
        long size = channel.size();
        if (size < GzipMembers.MIN_MEMBER_LENGTH) {
            return Result.incomplete("too short for a gzip member (" + size + " bytes)");
        }
        byte[] head = new byte[(int) Math.min(size, GZIP_HEAD_BYTES)];
        if (!readFully(channel, 0, head, head.length)) {
            return Result.incomplete(SHRANK);
        }
        try (GzipMembers members = new GzipMembers(GZIP_MAX_INFLATE_WORK)) {
            GzipMembers.Prefix prefix = members.prefix(head, head.length, Hprof.HEADER_LENGTH);
            if (prefix.outcome() == GzipMembers.Outcome.CORRUPT) {
                return Result.incomplete("not a gzip stream, or corrupt at its start");
            }
            if (prefix.bytes().length < Hprof.HEADER_LENGTH) {
                if (prefix.outcome() != GzipMembers.Outcome.TRUNCATED) {
                    return Result.incomplete("first gzip member too short to hold an HPROF header");
                }
                return Result.incomplete(head.length == size
                        ? "gzip stream truncated before the end of the HPROF header"
                        : "no HPROF header within the first " + head.length + " bytes of the gzip stream");
            }
            Hprof.Version version = Hprof.version(prefix.bytes(), prefix.bytes().length);
            if (version == Hprof.Version.NONE) {
                return Result.incomplete("no HPROF header at the start of the gzip stream");
            }
            byte[] window = new byte[(int) Math.min(size, GZIP_TAIL_WINDOW)];
            if (!readFully(channel, size - window.length, window, window.length)) {
                return Result.incomplete(SHRANK);
            }
            return checkGzipTail(members, window, window.length < size, version);
        }
    }

    /**
     * Finds the chain of gzip members that ends exactly at the end of {@code window} and holds at least the last 9
     * decompressed bytes, trying member starts from the end backwards. HotSpot's last member (or, on JDK 25, the
     * two last ones) is found first; positions inside compressed data that merely look like a gzip header fail to
     * inflate, or fail the CRC32 and size checks of the trailer.
     *
     * <p>The first member that inflates cleanly but does not end where the chain must continue decides the answer:
     * what follows it is not a complete member, so the stream was cut (or corrupted) there.
     */
    private static Result checkGzipTail(GzipMembers members, byte[] window, boolean fileLongerThanWindow,
            Hprof.Version version) {
        int chainStart = window.length;
        byte[] last = new byte[Hprof.END_RECORD_LENGTH];
        int lastLength = 0;
        boolean sawTruncated = false;
        int candidates = 0;
        // Starts too close to the end to hold a whole member are tried too: they tell "truncated" from "corrupt".
        for (int start = window.length - 4; start >= 0; start--) {
            if (!GzipMembers.looksLikeMemberStart(window, start)) {
                continue;
            }
            if (++candidates > GZIP_MAX_CANDIDATES) {
                return Result.incomplete("gave up after " + GZIP_MAX_CANDIDATES
                        + " positions that look like a gzip member start near the end");
            }
            GzipMembers.Member member = members.member(window, start, window.length);
            if (member.outcome() == GzipMembers.Outcome.OVER_BUDGET) {
                return Result.incomplete("gave up after inflating " + GZIP_MAX_INFLATE_WORK
                        + " bytes near the end: the last gzip member is far larger than HotSpot's 1 MiB blocks");
            }
            if (member.outcome() != GzipMembers.Outcome.OK) {
                sawTruncated |= member.outcome() == GzipMembers.Outcome.TRUNCATED;
                continue;
            }
            if (member.end() > chainStart) {
                continue; // overlaps a member already in the chain: one of them only looked like a member
            }
            if (member.end() < chainStart) {
                return Result.incomplete(sawTruncated
                        ? "gzip stream truncated: its last member is cut off"
                        : "gzip stream corrupt after its last complete member");
            }
            lastLength = prepend(member.last(), last, lastLength);
            chainStart = start;
            if (lastLength == last.length) {
                return decide(last, version);
            }
        }
        if (lastLength > 0) {
            return Result.incomplete(fileLongerThanWindow
                    ? "the gzip members in the last " + window.length + " bytes hold fewer than "
                            + Hprof.END_RECORD_LENGTH + " decompressed bytes"
                    : "decompressed stream too short to end with a HEAP DUMP END record");
        }
        if (fileLongerThanWindow) {
            return Result.incomplete("no complete gzip member ends at the end of the file within its last "
                    + window.length + " bytes: truncated, corrupt, or its last member is larger than that window"
                    + " (HotSpot writes 1 MiB blocks)");
        }
        return Result.incomplete(sawTruncated ? "gzip stream truncated" : "corrupt gzip stream");
    }

    private static Result decide(byte[] last, Hprof.Version version) {
        if (version == Hprof.Version.V1_0_1) {
            return Result.notChecked(Hprof.V1_0_1_REASON + "; the gzip stream itself is intact");
        }
        return Hprof.isEndRecord(last)
                ? Result.complete("gzip stream intact and ends with a HEAP DUMP END record")
                : Result.incomplete("no HEAP DUMP END record at the end of the decompressed stream");
    }

    /** Puts {@code before} in front of the first {@code length} bytes of {@code last}, keeping the last 9. */
    private static int prepend(byte[] before, byte[] last, int length) {
        byte[] joined = Arrays.copyOf(before, before.length + length);
        System.arraycopy(last, 0, joined, before.length, length);
        int kept = Math.min(last.length, joined.length);
        System.arraycopy(joined, joined.length - kept, last, 0, kept);
        return kept;
    }

    /** Reads {@code length} bytes at {@code position}; false if the file ends first. */
    private static boolean readFully(SeekableByteChannel channel, long position, byte[] into, int length)
            throws IOException {
        channel.position(position);
        ByteBuffer buffer = ByteBuffer.wrap(into, 0, length);
        while (buffer.hasRemaining()) {
            // A file channel returns 0 only for a full buffer; treating 0 like the end keeps the loop bounded.
            if (channel.read(buffer) <= 0) {
                return false;
            }
        }
        return true;
    }

    /** The two pieces of the HPROF format this check relies on. */
    private static final class Hprof {
        static final int HEADER_LENGTH = 31;
        static final int END_RECORD_LENGTH = 9;
        static final String V1_0_1_REASON =
                "HPROF 1.0.1 (JDK 8 and older, heaps under 2 GB) has no HEAP DUMP END record to check";
        private static final byte[] MAGIC_PREFIX = "JAVA PROFILE 1.0.".getBytes(StandardCharsets.US_ASCII);
        private static final int TAG_HEAP_DUMP_END = 0x2C;

        enum Version { V1_0_1, V1_0_2, NONE }

        /** {@code "JAVA PROFILE 1.0.x\0"}, then a u4 identifier size of 4 or 8, then a u8 timestamp (any). */
        static Version version(byte[] bytes, int length) {
            if (length < HEADER_LENGTH
                    || !Arrays.equals(bytes, 0, MAGIC_PREFIX.length, MAGIC_PREFIX, 0, MAGIC_PREFIX.length)
                    || bytes[MAGIC_PREFIX.length + 1] != 0) {
                return Version.NONE;
            }
            int idSize = ByteBuffer.wrap(bytes, MAGIC_PREFIX.length + 2, 4).getInt();
            if (idSize != 4 && idSize != 8) {
                return Version.NONE;
            }
            return switch (bytes[MAGIC_PREFIX.length]) {
                case '1' -> Version.V1_0_1;
                case '2' -> Version.V1_0_2;
                default -> Version.NONE;
            };
        }

        /** Tag 0x2C, a u4 time (any: HotSpot writes 0), a u4 length of 0. */
        static boolean isEndRecord(byte[] last9) {
            return last9[0] == TAG_HEAP_DUMP_END
                    && last9[5] == 0 && last9[6] == 0 && last9[7] == 0 && last9[8] == 0;
        }
    }
}
