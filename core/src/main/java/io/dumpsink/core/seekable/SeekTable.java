package io.dumpsink.core.seekable;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Optional;

/**
 * The frames of a zstd object as its seek table lists them, in the zstd seekable format (facebook/zstd,
 * {@code contrib/seekable_format/zstd_seekable_compression_format.md}, version 0.1.0): a skippable frame at the very
 * end of the object, so {@code zstd -d} skips it, and any reader finds every frame's offset from the last bytes
 * alone. Layout, little-endian: skippable magic {@code 0x184D2A5E}, frame size (4), one entry per frame (compressed
 * size 4, decompressed size 4; no checksum: the manifest's SHA-256 covers the whole dump), then the footer: number of
 * frames (4), descriptor (1, all bits 0), seekable magic {@code 0x8F92EAB1}.
 *
 * <p>Immutable once built. Sizes are held in two int arrays, so a 64 GiB dump in 1 MiB frames costs 512 KiB.
 */
public final class SeekTable {
    public static final int SKIPPABLE_MAGIC = 0x184D2A5E;
    public static final int SEEKABLE_MAGIC = 0x8F92EAB1;
    /** Number of frames, descriptor, seekable magic. */
    public static final int FOOTER_SIZE = 9;
    /** Skippable magic and frame size. */
    public static final int HEADER_SIZE = 8;
    private static final int ENTRY_SIZE = 8;
    private static final int CHECKSUM_FLAG = 0x80;
    private static final int RESERVED_BITS = 0x7C;
    /** The format's own limit on the number of frames. */
    public static final int MAX_FRAMES = 0x8000000;

    private final int[] compressed;
    private final int[] decompressed;
    private final long[] compressedOffsets;
    private final long[] decompressedOffsets;

    private SeekTable(int[] compressed, int[] decompressed) {
        this.compressed = compressed;
        this.decompressed = decompressed;
        this.compressedOffsets = new long[compressed.length + 1];
        this.decompressedOffsets = new long[compressed.length + 1];
        for (int i = 0; i < compressed.length; i++) {
            compressedOffsets[i + 1] = compressedOffsets[i] + Integer.toUnsignedLong(compressed[i]);
            decompressedOffsets[i + 1] = decompressedOffsets[i] + Integer.toUnsignedLong(decompressed[i]);
        }
    }

    public int frames() {
        return compressed.length;
    }

    public long compressedSize(int frame) {
        return Integer.toUnsignedLong(compressed[frame]);
    }

    public long decompressedSize(int frame) {
        return Integer.toUnsignedLong(decompressed[frame]);
    }

    /** Where frame {@code frame} starts in the object; {@code frames()} gives the end of the last frame. */
    public long compressedOffset(int frame) {
        return compressedOffsets[frame];
    }

    /** Where frame {@code frame}'s content starts in the original; {@code frames()} gives the original's size. */
    public long decompressedOffset(int frame) {
        return decompressedOffsets[frame];
    }

    /** The bytes of the whole skippable frame. */
    public int encodedSize() {
        return encodedSize(frames());
    }

    public static int encodedSize(int frames) {
        return HEADER_SIZE + frames * ENTRY_SIZE + FOOTER_SIZE;
    }

    /** The skippable frame, ready to be appended to the object. */
    public ByteBuffer encode() {
        ByteBuffer out = ByteBuffer.allocate(encodedSize()).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(SKIPPABLE_MAGIC);
        out.putInt(encodedSize() - HEADER_SIZE);
        for (int i = 0; i < compressed.length; i++) {
            out.putInt(compressed[i]);
            out.putInt(decompressed[i]);
        }
        out.putInt(compressed.length);
        out.put((byte) 0);
        out.putInt(SEEKABLE_MAGIC);
        return out.flip();
    }

    /**
     * How many bytes at the end of an object hold its seek table, read from the last {@link #FOOTER_SIZE} bytes;
     * empty when they are not a seek table footer (an object stored before tables existed).
     */
    public static Optional<Integer> tableSizeFromFooter(ByteBuffer footer) {
        ByteBuffer in = footer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (in.remaining() < FOOTER_SIZE) {
            return Optional.empty();
        }
        in.position(in.limit() - FOOTER_SIZE);
        long frames = Integer.toUnsignedLong(in.getInt());
        int descriptor = in.get() & 0xFF;
        if (in.getInt() != SEEKABLE_MAGIC || (descriptor & RESERVED_BITS) != 0 || frames > MAX_FRAMES) {
            return Optional.empty();
        }
        int entrySize = ENTRY_SIZE + ((descriptor & CHECKSUM_FLAG) != 0 ? 4 : 0);
        return Optional.of(HEADER_SIZE + (int) frames * entrySize + FOOTER_SIZE);
    }

    /**
     * Parses a whole seek table frame (the object's last {@link #tableSizeFromFooter} bytes).
     *
     * @throws IllegalArgumentException when the bytes are not a well-formed seek table
     */
    public static SeekTable parse(ByteBuffer table) {
        ByteBuffer in = table.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int size = in.remaining();
        Optional<Integer> expected = tableSizeFromFooter(in);
        if (expected.isEmpty() || expected.get() != size) {
            throw new IllegalArgumentException("not a zstd seek table: footer missing or size mismatch");
        }
        int start = in.position();
        if (in.getInt(start) != SKIPPABLE_MAGIC || in.getInt(start + 4) != size - HEADER_SIZE) {
            throw new IllegalArgumentException("not a zstd seek table: bad skippable frame header");
        }
        int frames = in.getInt(start + size - FOOTER_SIZE);
        boolean checksums = (in.get(start + size - 5) & CHECKSUM_FLAG) != 0;
        int entrySize = ENTRY_SIZE + (checksums ? 4 : 0);
        int[] compressed = new int[frames];
        int[] decompressed = new int[frames];
        for (int i = 0; i < frames; i++) {
            int at = start + HEADER_SIZE + i * entrySize;
            compressed[i] = in.getInt(at);
            decompressed[i] = in.getInt(at + 4);
        }
        return new SeekTable(compressed, decompressed);
    }

    /** Collects frame sizes in object order. Not thread-safe. */
    public static final class Builder {
        private int[] compressed = new int[64];
        private int[] decompressed = new int[64];
        private int count;

        public Builder add(long compressedSize, long decompressedSize) {
            if (compressedSize < 0 || compressedSize > 0xFFFFFFFFL || decompressedSize < 0
                    || decompressedSize > 0xFFFFFFFFL) {
                throw new IllegalArgumentException("a frame's sizes must fit in 32 bits: " + compressedSize
                        + "/" + decompressedSize);
            }
            if (count == MAX_FRAMES) {
                throw new IllegalStateException("the seekable format allows at most " + MAX_FRAMES + " frames");
            }
            if (count == compressed.length) {
                compressed = Arrays.copyOf(compressed, count * 2);
                decompressed = Arrays.copyOf(decompressed, count * 2);
            }
            compressed[count] = (int) compressedSize;
            decompressed[count] = (int) decompressedSize;
            count++;
            return this;
        }

        public int frames() {
            return count;
        }

        public SeekTable build() {
            return new SeekTable(Arrays.copyOf(compressed, count), Arrays.copyOf(decompressed, count));
        }
    }
}
