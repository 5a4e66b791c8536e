package io.dumpsink.agent.triage;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes small HPROF files as HotSpot lays them out (8-byte identifiers): for seeds of the fuzz test and for tests
 * of single records. Each method appends one record.
 */
final class HprofWriter {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final DataOutputStream out = new DataOutputStream(bytes);
    private final ByteArrayOutputStream heap = new ByteArrayOutputStream();
    private final DataOutputStream heapOut = new DataOutputStream(heap);

    HprofWriter(long timestamp) {
        io(() -> {
            out.write("JAVA PROFILE 1.0.2".getBytes(StandardCharsets.US_ASCII));
            out.write(0);
            out.writeInt(8);
            out.writeLong(timestamp);
        });
    }

    HprofWriter utf8(long id, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return record(0x01, 8 + b.length, () -> {
            out.writeLong(id);
            out.write(b);
        });
    }

    HprofWriter loadClass(int serial, long classId, long nameId) {
        return record(0x02, 24, () -> {
            out.writeInt(serial);
            out.writeLong(classId);
            out.writeInt(0);
            out.writeLong(nameId);
        });
    }

    /** CLASS DUMP with no constants and no statics; {@code fieldTypes}: HPROF basic types (2 = reference). */
    HprofWriter classDump(long classId, long superId, int... fieldTypes) {
        return sub(() -> {
            heapOut.write(0x20);
            heapOut.writeLong(classId);
            heapOut.writeInt(0);
            heapOut.writeLong(superId);
            for (int i = 0; i < 5; i++) {
                heapOut.writeLong(0);
            }
            heapOut.writeInt(0);
            heapOut.writeShort(0);
            heapOut.writeShort(0);
            heapOut.writeShort(fieldTypes.length);
            for (int i = 0; i < fieldTypes.length; i++) {
                heapOut.writeLong(1000 + i);
                heapOut.write(fieldTypes[i]);
            }
        });
    }

    HprofWriter instance(long id, long classId, int dataBytes) {
        return sub(() -> {
            heapOut.write(0x21);
            heapOut.writeLong(id);
            heapOut.writeInt(0);
            heapOut.writeLong(classId);
            heapOut.writeInt(dataBytes);
            heapOut.write(new byte[dataBytes]);
        });
    }

    HprofWriter objectArray(long id, long arrayClassId, int length) {
        return sub(() -> {
            heapOut.write(0x22);
            heapOut.writeLong(id);
            heapOut.writeInt(0);
            heapOut.writeInt(length);
            heapOut.writeLong(arrayClassId);
            heapOut.write(new byte[length * 8]);
        });
    }

    HprofWriter primitiveArray(long id, int type, int length, int elementSize) {
        return sub(() -> {
            heapOut.write(0x23);
            heapOut.writeLong(id);
            heapOut.writeInt(0);
            heapOut.writeInt(length);
            heapOut.write(type);
            heapOut.write(new byte[length * elementSize]);
        });
    }

    HprofWriter root(long id) {
        return sub(() -> {
            heapOut.write(0xFF);
            heapOut.writeLong(id);
        });
    }

    /** Ends the heap records gathered so far as one HEAP DUMP SEGMENT. */
    HprofWriter segment() {
        byte[] body = heap.toByteArray();
        heap.reset();
        return record(0x1C, body.length, () -> out.write(body));
    }

    HprofWriter end() {
        return record(0x2C, 0, () -> { });
    }

    byte[] bytes() {
        return bytes.toByteArray();
    }

    private HprofWriter record(int tag, int length, IoAction body) {
        io(() -> {
            out.write(tag);
            out.writeInt(0);
            out.writeInt(length);
            body.run();
        });
        return this;
    }

    private HprofWriter sub(IoAction action) {
        io(action);
        return this;
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static void io(IoAction action) {
        try {
            action.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A complete small heap: two classes, instances, an object array and primitive arrays. */
    static byte[] sample() {
        return new HprofWriter(1_764_000_000_000L)
                .utf8(1, "java/lang/Object").utf8(2, "com/shop/Order").utf8(3, "[Lcom/shop/Order;")
                .utf8(4, "value").utf8(5, "(Ljava/lang/String;)V")
                .loadClass(1, 100, 1).loadClass(2, 200, 2).loadClass(3, 300, 3)
                .root(1000)
                .classDump(100, 0).classDump(200, 100, 2, 10, 11)
                .instance(1000, 200, 20).instance(1001, 200, 20).instance(1002, 100, 0)
                .segment()
                .objectArray(2000, 300, 3).primitiveArray(3000, 10, 5, 4).primitiveArray(3001, 8, 17, 1)
                .segment()
                .end()
                .bytes();
    }
}
