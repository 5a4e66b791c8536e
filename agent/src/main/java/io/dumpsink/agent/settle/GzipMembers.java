package io.dumpsink.agent.settle;

import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads single gzip members (RFC 1952) out of a byte array, checking each trailer's CRC32 and size, and stops once a
 * fixed amount of inflate work has been spent, whatever the bytes.
 *
 * <p>{@link java.util.zip.GZIPInputStream} is not used: after a member it silently ignores bytes that do not form a
 * complete gzip header (checked on JDK 17), so it cannot tell whether a stream ends exactly at the end of a file.
 * Working member by member with {@link Inflater} also tells where each member ends.
 *
 * <p>Not thread-safe; one instance serves one check and must be closed to free the inflater's native memory.
 */
final class GzipMembers implements AutoCloseable {
    /** A 10-byte header, an empty deflate block (2 bytes) and an 8-byte trailer. */
    static final int MIN_MEMBER_LENGTH = 20;

    private static final int HEADER_LENGTH = 10;
    private static final int TRAILER_LENGTH = 8;
    /** Longest FNAME or FCOMMENT accepted (the spec sets none); HotSpot's comment is 24 bytes. */
    private static final int MAX_HEADER_STRING = 4096;
    private static final int FLAG_HCRC = 0x02;
    private static final int FLAG_EXTRA = 0x04;
    private static final int FLAG_NAME = 0x08;
    private static final int FLAG_COMMENT = 0x10;
    private static final int FLAGS_RESERVED = 0xE0;
    private static final int LAST_BYTES = 9;
    private static final int HEADER_TRUNCATED = -1;
    private static final int HEADER_CORRUPT = -2;
    private static final byte[] NONE = new byte[0];

    enum Outcome {
        /** A whole member, its trailer's CRC32 and size match what it inflated to. */
        OK,
        /** The bytes ran out before the member's end. */
        TRUNCATED,
        /** Not a valid member. */
        CORRUPT,
        /** The work bound was reached; nothing more will be inflated by this instance. */
        OVER_BUDGET
    }

    /** A member read at some start: where it ends (if OK) and its last (up to 9) decompressed bytes. */
    record Member(Outcome outcome, int end, byte[] last) {
    }

    /** The first decompressed bytes of a member, and how reading them ended (OK when they were all there). */
    record Prefix(Outcome outcome, byte[] bytes) {
    }

    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private final byte[] out = new byte[64 * 1024];
    private long workLeft;

    /** @param maxWork bytes this instance may inflate, input consumed plus output produced, over all calls */
    GzipMembers(long maxWork) {
        this.workLeft = maxWork;
    }

    /** The gzip magic, deflate as the method and no reserved flag: worth trying as a member start. */
    static boolean looksLikeMemberStart(byte[] bytes, int start) {
        return start >= 0 && bytes.length - start >= 4
                && bytes[start] == 0x1f && bytes[start + 1] == (byte) 0x8b && bytes[start + 2] == 8
                && (bytes[start + 3] & FLAGS_RESERVED) == 0;
    }

    /** Reads the member that starts at {@code start}, using no byte at or after {@code limit}. */
    Member member(byte[] bytes, int start, int limit) {
        if (workLeft < 0) {
            return new Member(Outcome.OVER_BUDGET, -1, NONE);
        }
        int data = skipHeader(bytes, start, limit);
        if (data < 0) {
            return new Member(headerOutcome(data), -1, NONE);
        }
        inflater.reset();
        inflater.setInput(bytes, data, limit - data);
        crc.reset();
        byte[] last = new byte[LAST_BYTES];
        int lastLength = 0;
        long consumed = 0;
        try {
            while (!inflater.finished()) {
                int produced = inflater.inflate(out);
                long read = inflater.getBytesRead();
                workLeft -= produced + (read - consumed);
                consumed = read;
                crc.update(out, 0, produced);
                lastLength = keepLast(out, produced, last, lastLength);
                if (workLeft < 0) {
                    return new Member(Outcome.OVER_BUDGET, -1, NONE);
                }
                if (produced == 0 && !inflater.finished()) {
                    // With room in the output, zlib stops short only for lack of input, a dictionary or an error.
                    return new Member(inflater.needsInput() ? Outcome.TRUNCATED : Outcome.CORRUPT, -1, NONE);
                }
            }
        } catch (DataFormatException e) {
            return new Member(Outcome.CORRUPT, -1, NONE);
        }
        int trailer = data + (int) inflater.getBytesRead();
        if (limit - trailer < TRAILER_LENGTH) {
            return new Member(Outcome.TRUNCATED, -1, NONE);
        }
        if (u4le(bytes, trailer) != crc.getValue()
                || u4le(bytes, trailer + 4) != (inflater.getBytesWritten() & 0xFFFF_FFFFL)) {
            return new Member(Outcome.CORRUPT, -1, NONE);
        }
        return new Member(Outcome.OK, trailer + TRAILER_LENGTH, Arrays.copyOf(last, lastLength));
    }

    /**
     * Inflates the first {@code wanted} bytes of the member at the start of {@code bytes}, using no byte at or after
     * {@code limit}. Does not look at the trailer.
     */
    Prefix prefix(byte[] bytes, int limit, int wanted) {
        int data = skipHeader(bytes, 0, limit);
        if (data < 0) {
            return new Prefix(headerOutcome(data), NONE);
        }
        inflater.reset();
        inflater.setInput(bytes, data, limit - data);
        byte[] prefix = new byte[wanted];
        int got = 0;
        try {
            while (got < wanted && !inflater.finished()) {
                int produced = inflater.inflate(prefix, got, wanted - got);
                got += produced;
                if (produced == 0 && !inflater.finished()) {
                    Outcome outcome = inflater.needsInput() ? Outcome.TRUNCATED : Outcome.CORRUPT;
                    return new Prefix(outcome, Arrays.copyOf(prefix, got));
                }
            }
        } catch (DataFormatException e) {
            return new Prefix(Outcome.CORRUPT, Arrays.copyOf(prefix, got));
        } finally {
            workLeft -= got + inflater.getBytesRead();
        }
        return new Prefix(Outcome.OK, Arrays.copyOf(prefix, got));
    }

    @Override
    public void close() {
        inflater.end();
    }

    /** The offset of the deflate data after the header at {@code start}, or a negative HEADER_ code. */
    private int skipHeader(byte[] bytes, int start, int limit) {
        if (limit - start < HEADER_LENGTH) {
            return HEADER_TRUNCATED;
        }
        if (!looksLikeMemberStart(bytes, start)) {
            return HEADER_CORRUPT;
        }
        int flags = bytes[start + 3] & 0xFF;
        int position = start + HEADER_LENGTH;
        if ((flags & FLAG_EXTRA) != 0) {
            if (limit - position < 2) {
                return HEADER_TRUNCATED;
            }
            int extraLength = u2le(bytes, position);
            position += 2;
            if (limit - position < extraLength) {
                return HEADER_TRUNCATED;
            }
            position += extraLength;
        }
        if ((flags & FLAG_NAME) != 0) {
            position = skipZeroTerminated(bytes, position, limit);
        }
        if (position >= 0 && (flags & FLAG_COMMENT) != 0) {
            position = skipZeroTerminated(bytes, position, limit);
        }
        if (position >= 0 && (flags & FLAG_HCRC) != 0) {
            if (limit - position < 2) {
                return HEADER_TRUNCATED;
            }
            crc.reset();
            crc.update(bytes, start, position - start);
            if ((crc.getValue() & 0xFFFF) != u2le(bytes, position)) {
                return HEADER_CORRUPT;
            }
            position += 2;
        }
        return position;
    }

    private static int skipZeroTerminated(byte[] bytes, int position, int limit) {
        int end = (int) Math.min(limit, (long) position + MAX_HEADER_STRING);
        for (int i = position; i < end; i++) {
            if (bytes[i] == 0) {
                return i + 1;
            }
        }
        return end == limit ? HEADER_TRUNCATED : HEADER_CORRUPT;
    }

    private static Outcome headerOutcome(int code) {
        return code == HEADER_TRUNCATED ? Outcome.TRUNCATED : Outcome.CORRUPT;
    }

    /** Keeps the last {@code last.length} bytes seen, given the previous ones and {@code count} new bytes. */
    private static int keepLast(byte[] chunk, int count, byte[] last, int lastLength) {
        if (count >= last.length) {
            System.arraycopy(chunk, count - last.length, last, 0, last.length);
            return last.length;
        }
        int kept = Math.min(lastLength, last.length - count);
        System.arraycopy(last, lastLength - kept, last, 0, kept);
        System.arraycopy(chunk, 0, last, kept, count);
        return kept + count;
    }

    private static int u2le(byte[] bytes, int at) {
        return (bytes[at] & 0xFF) | (bytes[at + 1] & 0xFF) << 8;
    }

    private static long u4le(byte[] bytes, int at) {
        return (u2le(bytes, at) | (long) u2le(bytes, at + 2) << 16);
    }
}
