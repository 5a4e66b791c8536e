package io.dumpsink.core.seekable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class SeekTableTest {
    @Test
    void encodesTheSeekableFormatByteForByte() {
        ByteBuffer encoded = new SeekTable.Builder().add(100, 1024).add(7, 3).build().encode()
                .order(ByteOrder.LITTLE_ENDIAN);
        assertThat(encoded.remaining()).isEqualTo(8 + 2 * 8 + 9);
        assertThat(encoded.getInt(0)).isEqualTo(0x184D2A5E);
        assertThat(encoded.getInt(4)).isEqualTo(2 * 8 + 9);
        assertThat(encoded.getInt(8)).isEqualTo(100);
        assertThat(encoded.getInt(12)).isEqualTo(1024);
        assertThat(encoded.getInt(16)).isEqualTo(7);
        assertThat(encoded.getInt(20)).isEqualTo(3);
        assertThat(encoded.getInt(24)).isEqualTo(2);
        assertThat(encoded.get(28)).isEqualTo((byte) 0);
        assertThat(encoded.getInt(29)).isEqualTo(0x8F92EAB1);
    }

    @Test
    void parsesWhatItEncodesWithOffsets() {
        SeekTable table = SeekTable.parse(new SeekTable.Builder().add(100, 1024).add(7, 3).build().encode());
        assertThat(table.frames()).isEqualTo(2);
        assertThat(table.compressedOffset(1)).isEqualTo(100);
        assertThat(table.compressedOffset(2)).isEqualTo(107);
        assertThat(table.decompressedOffset(2)).isEqualTo(1027);
        assertThat(SeekTable.tableSizeFromFooter(table.encode())).contains(table.encodedSize());
    }

    @Test
    void bytesWithoutTheSeekableMagicAreNoTable() {
        assertThat(SeekTable.tableSizeFromFooter(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9})))
                .isEmpty();
        assertThatThrownBy(() -> SeekTable.parse(ByteBuffer.wrap(new byte[20])))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
