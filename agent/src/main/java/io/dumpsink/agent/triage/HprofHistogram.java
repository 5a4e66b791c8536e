package io.dumpsink.agent.triage;

import io.dumpsink.core.manifest.HeapHistogram;
import io.dumpsink.core.manifest.HeapSummary;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Reads an HPROF heap dump as a stream of chunks, in file order, in one pass, and counts per class the objects and
 * their shallow bytes: the class histogram that answers "what filled the heap?" while the dump is uploaded.
 *
 * <p>The bytes come from a pod, so the reader treats them as hostile. {@link #feed} and {@link #result} never throw;
 * anything that does not parse stops the reader for good and the result says why ({@code malformed: ...}). Memory
 * is bounded whatever the input, about 20 MiB at worst (a real 1.3 GB dump took 2.5 MiB): at most
 * {@value #MAX_CLASSES} classes whose names take at most {@value #MAX_CLASS_NAME_CHARS} characters in all (objects
 * of classes beyond that, or of classes the dump never named, count as {@value #UNKNOWN_CLASS}); at most
 * {@value #MAX_NAMES} strings that may be class names, in at most {@value #MAX_NAME_BYTES} bytes, of which at most
 * {@value #MAX_PLAIN_NAMES} in {@value #MAX_PLAIN_NAME_BYTES} bytes without a package (HotSpot writes every symbol:
 * field and method names look like classes in the unnamed package; all are dropped once the heap records start); and one carry buffer of at most {@value #MAX_CARRY} bytes for a record that
 * spans two chunks (a larger class record is malformed). Every call
 * consumes its chunk or stops the reader, so it always terminates, and the work per byte is constant: the bodies of
 * instances and arrays are skipped, not read.
 *
 * <p>Records read: the header (format string, identifier size, timestamp), UTF8 (class names only), LOAD CLASS
 * (class object id to name), HEAP DUMP and HEAP DUMP SEGMENT with their sub-records (GC roots skipped, CLASS DUMP
 * for field layouts, INSTANCE DUMP, OBJECT ARRAY DUMP, PRIMITIVE ARRAY DUMP) and HEAP DUMP END. Everything else is
 * skipped by its length. Not thread-safe: one reader per dump, fed one chunk at a time (by
 * successive threads of the upload's lane, which orders them).
 *
 * <p>Shallow bytes are computed, since a dump records field values, not object layouts. For a 64-bit JVM (8-byte
 * identifiers): a 12-byte object header (compressed class pointers), references of 4 bytes (compressed oops) unless
 * the heap so counted exceeds 32 GiB, then 8; an instance is its header plus its class's and superclasses' instance
 * fields, an array a 16-byte header plus its elements; everything rounded up to 8 bytes. Each class also counts
 * one {@code java.lang.Class} object (its fields plus its static fields). A 32-bit JVM's dump (4-byte identifiers)
 * gets 8-byte headers and 12-byte array headers.
 */
public final class HprofHistogram {
    static final int MAX_CLASSES = 1 << 16;
    static final int MAX_CLASS_NAME_CHARS = 2 << 20;
    static final int MAX_NAMES = 1 << 17;
    static final int MAX_PLAIN_NAMES = 1 << 16;
    static final int MAX_NAME_BYTES = 4 << 20;
    static final int MAX_PLAIN_NAME_BYTES = 1 << 20;
    static final int MAX_CARRY = 1 << 20;
    /** Class names longer than this are never stored (a JVM's are far shorter). */
    private static final int MAX_NAME_LENGTH = 1024;
    private static final int LARGEST = 10;
    static final String UNKNOWN_CLASS = "<unknown class>";
    private static final long COMPRESSED_OOPS_LIMIT = 32L << 30;
    private static final byte[] MAGIC = "JAVA PROFILE ".getBytes(StandardCharsets.US_ASCII);

    private static final int TAG_UTF8 = 0x01;
    private static final int TAG_LOAD_CLASS = 0x02;
    private static final int TAG_HEAP_DUMP = 0x0C;
    private static final int TAG_HEAP_DUMP_SEGMENT = 0x1C;
    private static final int TAG_HEAP_DUMP_END = 0x2C;

    /** Primitive array element types by HPROF basic type (4 boolean ... 11 long); names as people write them. */
    private static final String[] PRIMITIVE_NAMES = {null, null, null, null, "boolean[]", "char[]", "float[]",
            "double[]", "byte[]", "short[]", "int[]", "long[]"};
    private static final int[] PRIMITIVE_SIZES = {0, 0, 0, 0, 1, 2, 4, 8, 1, 2, 4, 8};

    private enum State { HEADER, RECORD, UTF8, LOAD_CLASS, HEAP, DONE }

    private State state = State.HEADER;
    private String failure;
    private boolean sawHeapDumpEnd;
    private boolean sawHeapDump;
    private long offset;

    // header facts
    private String version;
    private int idSize;
    private long timestamp;

    // the record being read
    private long recordLength;
    private long segmentRemaining;
    private long skip;
    private byte[] carry = new byte[256];
    private int carryLength;

    // class names: UTF8 id -> bytes in the arena; dropped when the heap starts
    private LongIntMap nameIds = new LongIntMap(1024, MAX_NAMES);
    private byte[] nameArena = new byte[16 << 10];
    private int[] nameStarts = new int[1024];
    private int nameArenaLength;
    private int nameCount;
    private int plainNames;
    private int plainNameBytes;
    private long classNameChars;

    // classes: class object id -> index
    private final LongIntMap classIds = new LongIntMap(1024, MAX_CLASSES);
    private int classCount;
    private String[] classNames = new String[256];
    private long[] superIds = new long[256];
    private int[] ownRefFields = new int[256];
    private int[] ownPrimBytes = new int[256];
    private boolean[] layoutKnown = new boolean[256];
    private long[] instances = new long[256];
    private long[] instanceDataBytes = new long[256];
    private long[] arrays = new long[256];
    private long[] arrayElements = new long[256];
    /** Object arrays' bytes with 4-byte references, each array rounded up on its own. */
    private long[] narrowArrayBytes = new long[256];
    private long lastClassId;
    private int lastClassIndex = -1;

    private final long[] primitiveArrays = new long[12];
    /** Primitive arrays' bytes by type, each array rounded up on its own. */
    private final long[] primitiveArrayBytes = new long[12];
    private long unknownInstances;
    private long unknownInstanceData;
    private long unknownArrays;
    private long unknownArrayElements;
    private long classDumps;
    private long staticRefFields;
    private long staticPrimBytes;

    // largest objects: kind (0 instance, 1 object array, 2 primitive array), class index or type, raw length
    private final long[] largeRaw = new long[LARGEST];
    private final int[] largeKind = new int[LARGEST];
    private final int[] largeType = new int[LARGEST];
    private final long[] largeCount = new long[LARGEST];
    private int largeSize;
    private long largeMin;

    /** Reads the chunk's bytes from its position to its limit; the chunk itself is not changed. Never throws. */
    public void feed(ByteBuffer chunk) {
        if (state == State.DONE) {
            return;
        }
        try {
            feedUnguarded(chunk);
        } catch (Throwable e) { // hostile input must never fail the upload; the reason says what happened
            fail("reader error: " + e);
        }
    }

    /**
     * The summary, with {@code topClasses} cut to {@code top}, and the full histogram (null when the summary is
     * missing). Call once, after the last chunk. Never throws.
     */
    public Result result(int top) {
        try {
            return resultUnguarded(top);
        } catch (Throwable e) {
            return new Result(HeapSummary.missing("reader error: " + e), null);
        }
    }

    /** What the reader found: the manifest's summary and, when it is ok, every class. */
    public record Result(HeapSummary summary, List<HeapSummary.ClassCount> classes) {
        public HeapHistogram histogram(String key) {
            return classes == null ? null : new HeapHistogram(HeapHistogram.CURRENT_VERSION, key, summary, classes);
        }
    }

    /** {@link #feed} without its safety net, for the fuzz test: whatever this throws is a bug. */
    void feedUnguarded(ByteBuffer chunk) {
        if (state == State.DONE) {
            return;
        }
        ByteBuffer in = chunk.duplicate().order(ByteOrder.BIG_ENDIAN);
        while (state != State.DONE) {
            if (skip > 0) {
                int n = (int) Math.min(skip, in.remaining());
                in.position(in.position() + n);
                skip -= n;
                offset += n;
                if (skip > 0) {
                    return;
                }
            }
            if (carryLength > 0) {
                // An element began in an earlier chunk: add bytes until it parses, then give back what it left.
                int take = Math.min(in.remaining(), Math.max(64, carryLength));
                take = Math.min(take, MAX_CARRY - carryLength);
                if (take == 0) {
                    if (in.hasRemaining()) {
                        fail("a record longer than " + MAX_CARRY + " bytes at offset " + offset);
                    }
                    return;
                }
                ensureCarry(carryLength + take);
                in.get(carry, carryLength, take);
                int before = carryLength;
                carryLength += take;
                int used = step(ByteBuffer.wrap(carry, 0, carryLength), 0, carryLength);
                if (used < 0) {
                    continue;
                }
                if (used <= before) { // with only `before` bytes it did not parse: cannot happen
                    fail("reader error: carry at offset " + offset);
                    return;
                }
                in.position(in.position() - (carryLength - used));
                offset += used;
                carryLength = 0;
                continue;
            }
            int p = in.position();
            int limit = in.limit();
            while (p < limit && state != State.DONE) {
                int used = state == State.HEAP && segmentRemaining > 0 ? heapRecord(in, p, limit - p)
                        : step(in, p, limit);
                if (used < 0) {
                    break;
                }
                p += used;
                offset += used;
                if (skip > 0) { // the body of an object or record: skipped here, the hot path
                    int room = limit - p;
                    if (skip > room) {
                        skip -= room;
                        offset += room;
                        p = limit;
                        break;
                    }
                    p += (int) skip;
                    offset += skip;
                    skip = 0;
                }
            }
            in.position(p);
            if (skip > 0) {
                return;
            }
            if (state == State.DONE || !in.hasRemaining()) {
                return;
            }
            int rest = in.remaining();
            if (rest > MAX_CARRY) {
                fail("a record longer than " + MAX_CARRY + " bytes at offset " + offset);
                return;
            }
            ensureCarry(rest);
            in.get(carry, 0, rest);
            carryLength = rest;
            return;
        }
    }

    /**
     * Reads one element at {@code p}: returns the bytes it took (its body, if any, is left to {@link #skip}), or -1
     * when it needs bytes beyond {@code limit}. May change state without taking any (an empty heap segment).
     */
    private int step(ByteBuffer b, int p, int limit) {
        int available = limit - p;
        switch (state) {
            case HEADER:
                return header(b, p, available);
            case RECORD: {
                if (available < 9) {
                    return -1;
                }
                int tag = b.get(p) & 0xff;
                long length = b.getInt(p + 5) & 0xffffffffL;
                switch (tag) {
                    case TAG_UTF8 -> {
                        if (length < idSize) {
                            return fail("UTF8 record shorter than an identifier at offset " + offset);
                        }
                        if (length - idSize <= MAX_NAME_LENGTH && !sawHeapDump) {
                            recordLength = length;
                            state = State.UTF8;
                        } else {
                            skip = length;
                        }
                    }
                    case TAG_LOAD_CLASS -> {
                        if (length != 8 + 2L * idSize) {
                            return fail("LOAD CLASS record of " + length + " bytes at offset " + offset);
                        }
                        state = State.LOAD_CLASS;
                    }
                    case TAG_HEAP_DUMP, TAG_HEAP_DUMP_SEGMENT -> {
                        if (!sawHeapDump) {
                            sawHeapDump = true;
                            dropNames();
                        }
                        segmentRemaining = length;
                        state = State.HEAP;
                    }
                    case TAG_HEAP_DUMP_END -> {
                        sawHeapDumpEnd = true;
                        skip = length;
                    }
                    default -> skip = length;
                }
                return 9;
            }
            case UTF8: {
                if (available < recordLength) {
                    return -1;
                }
                name(readId(b, p), b, p + idSize,
                        (int) (recordLength - idSize));
                state = State.RECORD;
                return (int) recordLength;
            }
            case LOAD_CLASS: {
                int needed = 8 + 2 * idSize;
                if (available < needed) {
                    return -1;
                }
                long classId = readId(b, p + 4);
                long nameId = readId(b, p + 8 + idSize);
                loadClass(classId, nameId);
                state = State.RECORD;
                return needed;
            }
            case HEAP:
                if (segmentRemaining == 0) {
                    state = State.RECORD;
                    return 0;
                }
                return heapRecord(b, p, available);
            default:
                return -1;
        }
    }

    private int header(ByteBuffer b, int p, int available) {
        int check = Math.min(available, MAGIC.length);
        for (int i = 0; i < check; i++) {
            if (b.get(p + i) != MAGIC[i]) {
                return fail("not-hprof");
            }
        }
        int end = -1;
        for (int i = 0; i < Math.min(available, 64); i++) {
            if (b.get(p + i) == 0) {
                end = i;
                break;
            }
        }
        if (end < 0) {
            return available >= 64 ? fail("not-hprof") : -1;
        }
        if (available < end + 13) {
            return -1;
        }
        byte[] text = new byte[end];
        b.get(p, text);
        version = new String(text, StandardCharsets.US_ASCII);
        idSize = b.getInt(p + end + 1);
        if (idSize != 4 && idSize != 8) {
            return fail("malformed: identifier size " + idSize);
        }
        timestamp = b.getLong(p + end + 5);
        state = State.RECORD;
        return end + 13;
    }

    private int heapRecord(ByteBuffer b, int p, int available) {
        int tag = b.get(p) & 0xff;
        int id = idSize;
        int head;
        long body = 0;
        switch (tag) {
            case 0x21 -> { // INSTANCE DUMP: id, u4 stack serial, class id, u4 length, fields
                head = 1 + 2 * id + 8;
                if (available < head) {
                    return -1;
                }
                body = b.getInt(p + head - 4) & 0xffffffffL;
                instance(readId(b, p + 1 + id + 4), body);
            }
            case 0x22 -> { // OBJECT ARRAY DUMP: id, u4 stack serial, u4 count, array class id, elements
                head = 1 + 2 * id + 8;
                if (available < head) {
                    return -1;
                }
                long count = b.getInt(p + 1 + id + 4) & 0xffffffffL;
                body = count * id;
                objectArray(readId(b, p + 1 + id + 8), count);
            }
            case 0x23 -> { // PRIMITIVE ARRAY DUMP: id, u4 stack serial, u4 count, u1 type, elements
                head = 1 + id + 9;
                if (available < head) {
                    return -1;
                }
                long count = b.getInt(p + 1 + id + 4) & 0xffffffffL;
                int type = b.get(p + head - 1) & 0xff;
                if (type < 4 || type > 11) {
                    return fail("malformed: primitive array of type " + type + " at offset " + offset);
                }
                body = count * PRIMITIVE_SIZES[type];
                primitiveArray(type, count);
            }
            case 0x20 -> {
                head = classDump(b, p, available);
                if (head <= 0) {
                    return head;
                }
            }
            case 0xFF, 0x05, 0x07 -> head = 1 + id; // ROOT UNKNOWN, STICKY CLASS, MONITOR USED
            case 0x01 -> head = 1 + 2 * id; // ROOT JNI GLOBAL
            case 0x02, 0x03, 0x08 -> head = 1 + id + 8; // ROOT JNI LOCAL, JAVA FRAME, THREAD OBJECT
            case 0x04, 0x06 -> head = 1 + id + 4; // ROOT NATIVE STACK, THREAD BLOCK
            default -> {
                return fail("malformed: heap record 0x" + Integer.toHexString(tag) + " at offset " + offset);
            }
        }
        if (tag < 0x20 || tag == 0xFF) {
            if (available < head) {
                return -1;
            }
        }
        if (head + body > segmentRemaining) {
            return fail("malformed: heap record 0x" + Integer.toHexString(tag) + " overruns its segment at offset "
                    + offset);
        }
        segmentRemaining -= head + body;
        skip = body;
        return head;
    }

    /** CLASS DUMP: the class's superclass and instance field layout, its static fields. Returns its length or -1. */
    private int classDump(ByteBuffer b, int p, int available) {
        int id = idSize;
        int q = p + 1 + 7 * id + 8; // class, stack serial, super, loader, signers, domain, 2 reserved, instance size
        int limit = p + available;
        if (q + 2 > limit) {
            return -1;
        }
        long classId = readId(b, p + 1);
        long superId = readId(b, p + 1 + id + 4);
        int constants = b.getShort(q) & 0xffff;
        q += 2;
        for (int i = 0; i < constants; i++) {
            if (q + 3 > limit) {
                return -1;
            }
            int size = valueSize(b.get(q + 2) & 0xff);
            if (size < 0) {
                return fail("malformed: constant of unknown type at offset " + offset);
            }
            q += 3 + size;
        }
        if (q + 2 > limit) {
            return -1;
        }
        int statics = b.getShort(q) & 0xffff;
        q += 2;
        long refs = 0;
        long prims = 0;
        for (int i = 0; i < statics; i++) {
            if (q + id + 1 > limit) {
                return -1;
            }
            int type = b.get(q + id) & 0xff;
            int size = valueSize(type);
            if (size < 0) {
                return fail("malformed: static field of unknown type at offset " + offset);
            }
            if (type == 2) {
                refs++;
            } else {
                prims += size;
            }
            q += id + 1 + size;
        }
        if (q + 2 > limit) {
            return -1;
        }
        int fields = b.getShort(q) & 0xffff;
        q += 2;
        if (q + (long) fields * (id + 1) > limit) {
            return -1;
        }
        int ownRefs = 0;
        int ownPrims = 0;
        for (int i = 0; i < fields; i++) {
            int type = b.get(q + id) & 0xff;
            int size = valueSize(type);
            if (size < 0) {
                return fail("malformed: instance field of unknown type at offset " + offset);
            }
            if (type == 2) {
                ownRefs++;
            } else {
                ownPrims += size;
            }
            q += id + 1;
        }
        if (q - p > segmentRemaining) {
            return fail("malformed: class record overruns its segment at offset " + offset);
        }
        int index = classIndex(classId, true);
        if (index >= 0) {
            superIds[index] = superId;
            ownRefFields[index] = ownRefs;
            ownPrimBytes[index] = ownPrims;
            layoutKnown[index] = true;
        }
        classDumps++;
        staticRefFields += refs;
        staticPrimBytes += prims;
        return q - p;
    }

    private int valueSize(int type) {
        if (type == 2) {
            return idSize;
        }
        return type >= 4 && type <= 11 ? PRIMITIVE_SIZES[type] : -1;
    }

    private long readId(ByteBuffer b, int p) {
        return idSize == 8 ? b.getLong(p) : b.getInt(p) & 0xffffffffL;
    }

    private void instance(long classId, long dataBytes) {
        int index = classIndex(classId, false);
        if (index < 0) {
            unknownInstances++;
            unknownInstanceData += dataBytes;
        } else {
            instances[index]++;
            instanceDataBytes[index] += dataBytes;
        }
        if (dataBytes > largeMin || largeSize < LARGEST) {
            large(0, index, dataBytes, dataBytes);
        }
    }

    private void objectArray(long arrayClassId, long count) {
        int index = classIndex(arrayClassId, false);
        if (index < 0) {
            unknownArrays++;
            unknownArrayElements += count;
        } else {
            arrays[index]++;
            arrayElements[index] += count;
            narrowArrayBytes[index] += align(arrayHeader() + count * 4);
        }
        long raw = count * 4;
        if (raw > largeMin || largeSize < LARGEST) {
            large(1, index, raw, count);
        }
    }

    private void primitiveArray(int type, long count) {
        primitiveArrays[type]++;
        primitiveArrayBytes[type] += align(arrayHeader() + count * PRIMITIVE_SIZES[type]);
        long raw = count * PRIMITIVE_SIZES[type];
        if (raw > largeMin || largeSize < LARGEST) {
            large(2, type, raw, count);
        }
    }

    /** Keeps the {@value #LARGEST} largest objects seen, by their size without header (what decides the order). */
    private void large(int kind, int type, long raw, long count) {
        int slot;
        if (largeSize < LARGEST) {
            slot = largeSize++;
        } else {
            slot = 0;
            for (int i = 1; i < LARGEST; i++) {
                if (largeRaw[i] < largeRaw[slot]) {
                    slot = i;
                }
            }
        }
        largeRaw[slot] = raw;
        largeKind[slot] = kind;
        largeType[slot] = type;
        largeCount[slot] = count;
        if (largeSize == LARGEST) {
            long min = Long.MAX_VALUE;
            for (int i = 0; i < LARGEST; i++) {
                min = Math.min(min, largeRaw[i]);
            }
            largeMin = min;
        }
    }

    /** The index of a class by its object id; with {@code create}, a new (unnamed) one when there is room; or -1. */
    private int classIndex(long classId, boolean create) {
        if (classId == lastClassId && lastClassIndex >= 0) {
            return lastClassIndex;
        }
        int index = classIds.get(classId);
        if (index < 0 && create) {
            index = newClass(classId, null);
        }
        if (index >= 0) {
            lastClassId = classId;
            lastClassIndex = index;
        }
        return index;
    }

    private int newClass(long classId, String name) {
        if (classCount >= MAX_CLASSES || !classIds.put(classId, classCount)) {
            return -1;
        }
        if (classCount == classNames.length) {
            int size = Math.min(MAX_CLASSES, classNames.length * 2);
            classNames = Arrays.copyOf(classNames, size);
            superIds = Arrays.copyOf(superIds, size);
            ownRefFields = Arrays.copyOf(ownRefFields, size);
            ownPrimBytes = Arrays.copyOf(ownPrimBytes, size);
            layoutKnown = Arrays.copyOf(layoutKnown, size);
            instances = Arrays.copyOf(instances, size);
            instanceDataBytes = Arrays.copyOf(instanceDataBytes, size);
            arrays = Arrays.copyOf(arrays, size);
            arrayElements = Arrays.copyOf(arrayElements, size);
            narrowArrayBytes = Arrays.copyOf(narrowArrayBytes, size);
        }
        classNames[classCount] = name;
        return classCount++;
    }

    private void loadClass(long classId, long nameId) {
        String name = nameOf(nameId);
        if (name != null) {
            classNameChars += name.length();
            if (classNameChars > MAX_CLASS_NAME_CHARS) { // one long name loaded under many ids, say
                name = null;
            }
        }
        int index = classIds.get(classId);
        if (index >= 0) {
            classNames[index] = name;
        } else {
            newClass(classId, name);
        }
    }

    /** Keeps a UTF8 string that may be a class name (not a signature or a method name), within the bounds. */
    private void name(long nameId, ByteBuffer b, int p, int length) {
        if (nameIds == null || nameCount >= MAX_NAMES || nameArenaLength + length > MAX_NAME_BYTES) {
            return;
        }
        boolean qualified = length > 0 && b.get(p) == '[';
        for (int i = 0; i < length; i++) {
            byte c = b.get(p + i);
            if (c == '(' || c == '<' || c == ' ' || (c == ';' && b.get(p) != '[')) {
                return;
            }
            qualified |= c == '/';
        }
        // Field and method names look like classes in the unnamed package: they get a budget of their own, so they
        // cannot crowd out the names in packages.
        if (!qualified && (plainNames >= MAX_PLAIN_NAMES || plainNameBytes + length > MAX_PLAIN_NAME_BYTES)) {
            return;
        }
        if (nameArenaLength + length > nameArena.length) {
            nameArena = Arrays.copyOf(nameArena, Math.min(MAX_NAME_BYTES,
                    Math.max(nameArena.length * 2, nameArenaLength + length)));
        }
        if (nameCount + 1 >= nameStarts.length) {
            nameStarts = Arrays.copyOf(nameStarts, Math.min(MAX_NAMES + 1, nameStarts.length * 2));
        }
        if (!nameIds.put(nameId, nameCount)) {
            return;
        }
        if (!qualified) {
            plainNames++;
            plainNameBytes += length;
        }
        b.get(p, nameArena, nameArenaLength, length);
        nameStarts[nameCount] = nameArenaLength;
        nameArenaLength += length;
        nameStarts[++nameCount] = nameArenaLength;
    }

    private String nameOf(long nameId) {
        int index = nameIds == null ? -1 : nameIds.get(nameId);
        if (index < 0 || index >= nameCount) {
            return null;
        }
        int start = nameStarts[index];
        return javaName(new String(nameArena, start, nameStarts[index + 1] - start, StandardCharsets.UTF_8));
    }

    /** Names are needed only until the heap starts (HotSpot writes every LOAD CLASS before it). */
    private void dropNames() {
        nameIds = null;
        nameArena = null;
        nameStarts = null;
    }

    /**
     * A JVM-internal class name as people write it: {@code java/lang/String} is {@code java.lang.String},
     * {@code [I} is {@code int[]}, {@code [[Lcom/shop/Order;} is {@code com.shop.Order[][]}, a hidden class
     * {@code Foo$$Lambda+0x01} is {@code Foo$$Lambda/0x01} (what {@link Class#getName()} says).
     */
    static String javaName(String internal) {
        int dims = 0;
        while (dims < internal.length() && internal.charAt(dims) == '[') {
            dims++;
        }
        String element;
        if (dims == 0) {
            element = internal.replace('/', '.').replace('+', '/');
        } else {
            String rest = internal.substring(dims);
            element = switch (rest) {
                case "Z" -> "boolean";
                case "C" -> "char";
                case "F" -> "float";
                case "D" -> "double";
                case "B" -> "byte";
                case "S" -> "short";
                case "I" -> "int";
                case "J" -> "long";
                default -> rest.startsWith("L") && rest.endsWith(";")
                        ? rest.substring(1, rest.length() - 1).replace('/', '.').replace('+', '/')
                        : rest;
            };
        }
        return element + "[]".repeat(dims);
    }

    /** Bytes held for the record that spans chunks, and its buffer's size: both at most {@value #MAX_CARRY}. */
    int carryCapacity() {
        return carry.length;
    }

    private void ensureCarry(int size) {
        if (carry.length < size) {
            carry = Arrays.copyOf(carry, Math.min(MAX_CARRY, Math.max(size, carry.length * 2)));
        }
    }

    private int fail(String reason) {
        if (failure == null) {
            failure = reason;
        }
        state = State.DONE;
        carryLength = 0;
        skip = 0;
        dropNames();
        return -1;
    }

    /** {@link #result} without its safety net, for the fuzz test. */
    Result resultUnguarded(int top) {
        if (failure != null) {
            return new Result(HeapSummary.missing(failure), null);
        }
        if (version == null) {
            return new Result(HeapSummary.missing(offset == 0 && carryLength == 0 ? "empty" : "not-hprof"), null);
        }
        if (state != State.RECORD || skip > 0 || carryLength > 0 || !sawHeapDumpEnd) {
            return new Result(HeapSummary.missing("truncated"), null);
        }
        boolean wide = idSize == 8;
        int header = wide ? 12 : 8;
        int arrayHeader = wide ? 16 : 12;
        long compressed = totalBytes(header, arrayHeader, 4);
        int referenceSize = wide && compressed > COMPRESSED_OOPS_LIMIT ? 8 : 4;

        List<HeapSummary.ClassCount> classes = new ArrayList<>();
        int classIndex = -1;
        for (int i = 0; i < classCount; i++) {
            if ("java.lang.Class".equals(classNames[i])) {
                classIndex = i;
            }
        }
        for (int i = 0; i < classCount; i++) {
            long count = instances[i] + arrays[i] + (i == classIndex ? classDumps : 0);
            if (count == 0) {
                continue;
            }
            long bytes = instanceBytes(i, header, referenceSize) + arrayBytes(i, arrayHeader, referenceSize)
                    + (i == classIndex ? mirrorBytes(i, header, referenceSize) : 0);
            classes.add(new HeapSummary.ClassCount(nameOrId(i), count, bytes));
        }
        if (classIndex < 0 && classDumps > 0) {
            classes.add(new HeapSummary.ClassCount("java.lang.Class", classDumps,
                    mirrorBytes(-1, header, referenceSize)));
        }
        for (int type = 4; type < 12; type++) {
            if (primitiveArrays[type] > 0) {
                classes.add(new HeapSummary.ClassCount(PRIMITIVE_NAMES[type], primitiveArrays[type],
                        primitiveBytes(type)));
            }
        }
        if (unknownInstances + unknownArrays > 0) {
            classes.add(new HeapSummary.ClassCount(UNKNOWN_CLASS, unknownInstances + unknownArrays,
                    align(header * unknownInstances + unknownInstanceData)
                            + arrayHeader * unknownArrays + unknownArrayElements * referenceSize));
        }
        classes.sort(Comparator.comparingLong(HeapSummary.ClassCount::bytes).reversed()
                .thenComparing(HeapSummary.ClassCount::name));
        long objects = 0;
        long bytes = 0;
        for (HeapSummary.ClassCount c : classes) {
            objects += c.instances();
            bytes += c.bytes();
        }
        HeapSummary summary = new HeapSummary(HeapSummary.OK, null, version, idSize, dumpedAt(), referenceSize,
                objects, bytes, classes.size(), List.copyOf(classes.subList(0, Math.min(top, classes.size()))),
                largest(header, arrayHeader, referenceSize));
        return new Result(summary, classes);
    }

    private String nameOrId(int index) {
        return classNames[index] != null ? classNames[index] : UNKNOWN_CLASS;
    }

    private Instant dumpedAt() {
        // Milliseconds since 1970; a hostile header may say anything, so only plausible times are kept.
        return timestamp > 0 && timestamp < 32503680000000L ? Instant.ofEpochMilli(timestamp) : null;
    }

    private long totalBytes(int header, int arrayHeader, int referenceSize) {
        long total = 0;
        for (int i = 0; i < classCount; i++) {
            total += instanceBytes(i, header, referenceSize) + arrayBytes(i, arrayHeader, referenceSize);
        }
        for (int type = 4; type < 12; type++) {
            total += primitiveBytes(type);
        }
        return total;
    }

    /** Per instance: header + fields of the class and its superclasses; from the records' length when unknown. */
    private long instanceBytes(int index, int header, int referenceSize) {
        long count = instances[index];
        if (count == 0) {
            return 0;
        }
        long fields = fieldBytes(index, referenceSize);
        if (fields < 0) {
            return align(header + instanceDataBytes[index] / count) * count;
        }
        return align(header + fields) * count;
    }

    /** The instance fields' bytes along the superclass chain, or -1 when a class in it has no CLASS DUMP. */
    private long fieldBytes(int index, int referenceSize) {
        long bytes = 0;
        int current = index;
        for (int depth = 0; depth < 256; depth++) { // a hostile dump may make the chain a cycle
            if (current < 0 || !layoutKnown[current]) {
                return -1;
            }
            bytes += ownPrimBytes[current] + (long) ownRefFields[current] * referenceSize;
            long superId = superIds[current];
            if (superId == 0) {
                return bytes;
            }
            current = classIds.get(superId);
        }
        return -1;
    }

    private long arrayBytes(int index, int arrayHeader, int referenceSize) {
        long count = arrays[index];
        if (count == 0) {
            return 0;
        }
        // 8-byte references after a 16-byte header need no padding
        return referenceSize == 4 ? narrowArrayBytes[index] : count * arrayHeader + arrayElements[index] * 8;
    }

    private long primitiveBytes(int type) {
        return primitiveArrayBytes[type];
    }

    private int arrayHeader() {
        return idSize == 8 ? 16 : 12;
    }

    private long mirrorBytes(int classIndex, int header, int referenceSize) {
        long fields = classIndex >= 0 ? Math.max(0, fieldBytes(classIndex, referenceSize)) : 0;
        return align(header + fields) * classDumps + staticPrimBytes + staticRefFields * referenceSize;
    }

    private List<HeapSummary.LargeObject> largest(int header, int arrayHeader, int referenceSize) {
        Integer[] order = new Integer[largeSize];
        for (int i = 0; i < largeSize; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingLong((Integer i) -> largeRaw[i]).reversed());
        List<HeapSummary.LargeObject> out = new ArrayList<>();
        for (int i : order) {
            int type = largeType[i];
            long count = largeCount[i];
            switch (largeKind[i]) {
                case 0 -> {
                    long fields = type >= 0 ? fieldBytes(type, referenceSize) : -1;
                    out.add(new HeapSummary.LargeObject(type >= 0 ? nameOrId(type) : UNKNOWN_CLASS,
                            align(header + (fields >= 0 ? fields : count))));
                }
                case 1 -> out.add(new HeapSummary.LargeObject(type >= 0 ? nameOrId(type) : UNKNOWN_CLASS,
                        align(arrayHeader + count * referenceSize)));
                default -> out.add(new HeapSummary.LargeObject(PRIMITIVE_NAMES[type],
                        align(arrayHeader + count * PRIMITIVE_SIZES[type])));
            }
        }
        return out;
    }

    private static long align(long bytes) {
        return (bytes + 7) & ~7L;
    }
}
