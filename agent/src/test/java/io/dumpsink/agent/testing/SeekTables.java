package io.dumpsink.agent.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.Zstd;
import io.dumpsink.core.seekable.SeekTable;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;

/** Checks a stored object's zstd seek table against the original, frame by frame. */
public final class SeekTables {
    private SeekTables() {
    }

    /** The object's seek table, if its last bytes are one. */
    public static Optional<SeekTable> of(byte[] object) {
        ByteBuffer all = ByteBuffer.wrap(object);
        return SeekTable.tableSizeFromFooter(all).map(size ->
                SeekTable.parse(ByteBuffer.wrap(object, object.length - size, size)));
    }

    /**
     * Asserts that the object ends with a seek table whose every frame, decompressed on its own from the offset
     * the table gives, is the matching slice of the original, and that the frames end where the table starts.
     */
    public static void assertDescribes(byte[] object, byte[] original) {
        SeekTable table = of(object).orElseThrow(() -> new AssertionError("the object has no seek table"));
        assertThat(table.compressedOffset(table.frames())).as("frames end where the table starts")
                .isEqualTo(object.length - table.encodedSize());
        assertThat(table.decompressedOffset(table.frames())).as("the frames hold the whole original")
                .isEqualTo(original.length);
        for (int i = 0; i < table.frames(); i++) {
            int from = (int) table.compressedOffset(i);
            byte[] frame = Arrays.copyOfRange(object, from, from + (int) table.compressedSize(i));
            byte[] content = Zstd.decompress(frame, (int) table.decompressedSize(i));
            int at = (int) table.decompressedOffset(i);
            assertThat(content).as("frame %d", i)
                    .isEqualTo(Arrays.copyOfRange(original, at, at + (int) table.decompressedSize(i)));
        }
    }
}
