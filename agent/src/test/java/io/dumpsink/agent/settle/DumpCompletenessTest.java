package io.dumpsink.agent.settle;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dumpsink.agent.settle.DumpCompleteness.Result;
import io.dumpsink.agent.settle.DumpCompleteness.State;
import io.dumpsink.agent.testing.CountingChannel;
import io.dumpsink.agent.testing.Dumps;
import io.dumpsink.agent.testing.Jdks;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.LongUnaryOperator;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.Inflater;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real heap dumps from the JDKs on this machine (found by {@link Jdks}), whole and cut short, and hostile files that
 * must be answered quickly, within the documented read bounds and without an exception.
 */
class DumpCompletenessTest {
    private static final String HEAP = "32m";
    private static final byte[] HEAP_DUMP_END = {0x2C, 0, 0, 0, 0, 0, 0, 0, 0};
    private static final byte[] HPROF_MAGIC = "JAVA PROFILE 1.0.2\0".getBytes(ISO_8859_1);
    /** Far above what a check takes (milliseconds); catches a loop over the whole file, not a slow machine. */
    private static final Duration FAST = Duration.ofSeconds(5);
    private static final int MIB = 1024 * 1024;

    @TempDir
    static Path dumpDir;
    @TempDir
    Path tmp;

    private static Path jdk17Hprof;
    private static Path jdk17Gzip;
    private static Path jdk22Hprof;
    private static Path jdk22Gzip;

    @BeforeAll
    static void makeRealDumps() throws Exception {
        Optional<Path> jdk17 = Jdks.javaHome(17);
        if (jdk17.isPresent()) {
            jdk17Hprof = Dumps.realHeapDump(jdk17.get(), dumpDir.resolve("jdk17"), HEAP, List.of());
            jdk17Gzip = Dumps.realHeapDump(jdk17.get(), dumpDir.resolve("jdk17-gzip"), HEAP,
                    List.of("-XX:HeapDumpGzipLevel=1"));
        }
        Optional<Path> jdk22 = Jdks.javaHomeAtLeast(22);
        if (jdk22.isPresent()) {
            jdk22Hprof = Dumps.realHeapDump(jdk22.get(), dumpDir.resolve("jdk22"), HEAP, List.of());
            jdk22Gzip = Dumps.realHeapDump(jdk22.get(), dumpDir.resolve("jdk22-gzip"), HEAP,
                    List.of("-XX:HeapDumpGzipLevel=1"));
        }
    }

    @ParameterizedTest
    @CsvSource({
            "java_pid123.hprof, HPROF",
            "app.HPROF, HPROF",
            "java_pid123.hprof.gz, HPROF_GZIP",
            "java_pid123.hprof.p0, OTHER",
            "java_pid123.hprof.gz.tmp, OTHER",
            "core.1234, OTHER",
            "core, OTHER",
            "minidump.dmp, OTHER",
            "hs_err_pid123.log, OTHER",
            "logs.gz, OTHER",
    })
    void fileNameDecidesTheFormat(String fileName, DumpFormat expected) {
        assertThat(DumpFormat.ofFileName(fileName)).isEqualTo(expected);
        assertThat(DumpFormat.ofFileName(fileName).alreadyCompressed()).isEqualTo(expected == DumpFormat.HPROF_GZIP);
    }

    @Test
    void otherFilesAreNotCheckedAndNotRead() throws IOException {
        Path core = write("core.1234", randomBytes(64 * 1024));

        Checked checked = check(core);

        assertThat(checked.result().state()).isEqualTo(State.NOT_CHECKED);
        assertThat(checked.bytesRead()).isZero();
    }

    @Test
    void jdk17HprofIsComplete() throws IOException {
        Path dump = require(jdk17Hprof, "JDK 17");
        // The facts the check relies on, seen on the real file.
        assertThat(firstBytes(dump, HPROF_MAGIC.length)).isEqualTo(HPROF_MAGIC);
        assertThat(lastBytes(dump, HEAP_DUMP_END.length)).isEqualTo(HEAP_DUMP_END);

        Checked checked = check(dump);

        assertThat(checked.result().state()).as(checked.result().reason()).isEqualTo(State.COMPLETE);
        assertThat(checked.bytesRead()).isLessThanOrEqualTo(DumpCompleteness.HPROF_MAX_BYTES_READ);
    }

    enum HprofCut {
        HEADER_ONLY(size -> 31, "too short"),
        HEADER_AND_EIGHT_BYTES(size -> 39, "too short"),
        HEADER_AND_NINE_BYTES(size -> 40, "no HEAP DUMP END record at the end"),
        HALF(size -> size / 2, "no HEAP DUMP END record at the end"),
        WITHOUT_END_RECORD(size -> size - 9, "no HEAP DUMP END record at the end"),
        LAST_BYTE_MISSING(size -> size - 1, "no HEAP DUMP END record at the end");

        final LongUnaryOperator length;
        final String reason;

        HprofCut(LongUnaryOperator length, String reason) {
            this.length = length;
            this.reason = reason;
        }
    }

    @ParameterizedTest
    @EnumSource(HprofCut.class)
    void truncatedJdk17HprofIsIncomplete(HprofCut cut) throws IOException {
        Path dump = require(jdk17Hprof, "JDK 17");
        Path truncated = cut(dump, cut.length.applyAsLong(Files.size(dump)));

        Checked checked = check(truncated);

        assertThat(checked.result().state()).as(checked.result().reason()).isEqualTo(State.INCOMPLETE);
        assertThat(checked.result().reason()).contains(cut.reason);
        assertThat(checked.bytesRead()).isLessThanOrEqualTo(DumpCompleteness.HPROF_MAX_BYTES_READ);
    }

    @Test
    void hprofWithAnImpossibleIdentifierSizeIsNotAnHprof() throws IOException {
        Path dump = require(jdk17Hprof, "JDK 17");
        byte[] bytes = Files.readAllBytes(dump);
        bytes[22] = 5; // u4 identifier size at offset 19: 4 or 8 only

        Checked checked = check(write("bad-id-size.hprof", bytes));

        assertThat(checked.result()).isEqualTo(new Result(State.INCOMPLETE, "not an HPROF header"));
    }

    @Test
    void hprof101HasNoEndRecordSoIsNotChecked() throws IOException {
        // JDK 8 writes "JAVA PROFILE 1.0.1" and no END record for heaps under 2 GB; no JDK 8 here, so a real
        // dump is relabelled.
        Path dump = require(jdk17Hprof, "JDK 17");
        byte[] bytes = Files.readAllBytes(dump);
        bytes[17] = '1';

        Checked checked = check(write("jdk8-style.hprof", bytes));

        assertThat(checked.result().state()).isEqualTo(State.NOT_CHECKED);
        assertThat(checked.result().reason()).contains("1.0.1");
    }

    @Test
    void jdk17GzipIsComplete() throws IOException {
        Path dump = require(jdk17Gzip, "JDK 17");
        assertHotSpotGzipLayout(dump);

        Checked checked = check(dump);

        assertThat(checked.result().state()).as(checked.result().reason()).isEqualTo(State.COMPLETE);
        assertThat(checked.bytesRead()).isLessThanOrEqualTo(DumpCompleteness.GZIP_MAX_BYTES_READ);
    }

    enum GzipCut {
        GZIP_HEADER_ONLY("too short for a gzip member"),
        GZIP_HEADER_AND_A_FEW_BYTES("truncated before the end of the HPROF header"),
        FIRST_KIB("gzip stream truncated"),
        HALF("gzip stream truncated"),
        AT_LAST_MEMBER_START("no HEAP DUMP END record at the end of the decompressed stream"),
        INSIDE_LAST_MEMBER_HEADER("gzip stream truncated"),
        WITHOUT_TRAILER("gzip stream truncated"),
        LAST_BYTE_MISSING("gzip stream truncated");

        final String reason;

        GzipCut(String reason) {
            this.reason = reason;
        }

        long length(Path dump) throws IOException {
            long size = Files.size(dump);
            List<GzipMember> members = gzipMembers(dump);
            long lastMember = members.get(members.size() - 1).offset();
            return switch (this) {
                case GZIP_HEADER_ONLY -> 10;
                case GZIP_HEADER_AND_A_FEW_BYTES -> members.get(0).headerLength() + 31;
                case FIRST_KIB -> 1024;
                case HALF -> size / 2;
                case AT_LAST_MEMBER_START -> lastMember;
                case INSIDE_LAST_MEMBER_HEADER -> lastMember + 5;
                case WITHOUT_TRAILER -> size - 8;
                case LAST_BYTE_MISSING -> size - 1;
            };
        }
    }

    @ParameterizedTest
    @EnumSource(GzipCut.class)
    void truncatedJdk17GzipIsIncomplete(GzipCut cut) throws IOException {
        Path dump = require(jdk17Gzip, "JDK 17");
        Path truncated = cut(dump, cut.length(dump));

        Checked checked = check(truncated);

        assertThat(checked.result().state()).as(checked.result().reason()).isEqualTo(State.INCOMPLETE);
        assertThat(checked.result().reason()).contains(cut.reason);
        assertThat(checked.bytesRead()).isLessThanOrEqualTo(DumpCompleteness.GZIP_MAX_BYTES_READ);
    }

    @Test
    void jdk22OrNewerHprofIsComplete() throws IOException {
        Path dump = require(jdk22Hprof, "JDK 22 or newer");
        assertThat(firstBytes(dump, HPROF_MAGIC.length)).isEqualTo(HPROF_MAGIC);
        assertThat(lastBytes(dump, HEAP_DUMP_END.length)).isEqualTo(HEAP_DUMP_END);

        assertThat(check(dump).result().state()).isEqualTo(State.COMPLETE);
        assertThat(check(cut(dump, Files.size(dump) / 2)).result().state()).isEqualTo(State.INCOMPLETE);
        assertThat(check(cut(dump, Files.size(dump) - 1)).result().state()).isEqualTo(State.INCOMPLETE);
    }

    @Test
    void jdk22OrNewerGzipIsComplete() throws IOException {
        Path dump = require(jdk22Gzip, "JDK 22 or newer");
        assertHotSpotGzipLayout(dump);

        Checked checked = check(dump);

        assertThat(checked.result().state()).as(checked.result().reason()).isEqualTo(State.COMPLETE);
        assertThat(checked.bytesRead()).isLessThanOrEqualTo(DumpCompleteness.GZIP_MAX_BYTES_READ);
        List<GzipMember> members = gzipMembers(dump);
        long lastMember = members.get(members.size() - 1).offset();
        for (long length : new long[] {lastMember, Files.size(dump) / 2, Files.size(dump) - 1}) {
            Result cut = check(cut(dump, length)).result();
            assertThat(cut.state()).as("cut at %d: %s", length, cut.reason()).isEqualTo(State.INCOMPLETE);
        }
    }

    @Test
    void gzipWhoseLastMemberIsLargerThanTheWindowIsReportedIncomplete() throws IOException {
        // A whole dump compressed as one stored member by another tool: complete, but beyond a cheap check.
        Path dump = require(jdk17Hprof, "JDK 17");
        Path gzip = tmp.resolve("one-member.hprof.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gzip)) {
            {
                def.setLevel(Deflater.NO_COMPRESSION);
            }
        }) {
            Files.copy(dump, out);
        }
        assertThat(Files.size(gzip)).isGreaterThan(DumpCompleteness.GZIP_TAIL_WINDOW);
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gzip))) {
            assertThat(lastBytes(in, HEAP_DUMP_END.length)).isEqualTo(HEAP_DUMP_END);
        }

        Checked checked = check(gzip);

        assertThat(checked.result().state()).isEqualTo(State.INCOMPLETE);
        assertThat(checked.result().reason()).contains("larger than that window");
        assertThat(checked.bytesRead()).isLessThanOrEqualTo(DumpCompleteness.GZIP_MAX_BYTES_READ);
    }

    @ParameterizedTest
    @ValueSource(strings = {"empty.hprof", "empty.hprof.gz"})
    void emptyFileIsIncomplete(String name) throws IOException {
        Checked checked = check(write(name, new byte[0]));

        assertThat(checked.result().state()).isEqualTo(State.INCOMPLETE);
        assertThat(checked.bytesRead()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"random.hprof", "random.hprof.gz"})
    void randomBytesAreIncomplete(String name) throws IOException {
        Checked checked = check(write(name, randomBytes(8 * MIB)));

        assertThat(checked.result().state()).as(checked.result().reason()).isEqualTo(State.INCOMPLETE);
        assertThat(checked.bytesRead()).isLessThanOrEqualTo(maxBytesRead(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"magic.hprof", "magic.hprof.gz"})
    void tenMegabytesOfGzipMagicAreIncompleteAndReadWithinBounds(String name) throws IOException {
        byte[] bytes = new byte[10_000_002];
        for (int i = 0; i < bytes.length; i += 3) {
            bytes[i] = 0x1f;
            bytes[i + 1] = (byte) 0x8b;
            bytes[i + 2] = 0x08;
        }

        Checked checked = check(write(name, bytes));

        assertThat(checked.result().state()).as(checked.result().reason()).isEqualTo(State.INCOMPLETE);
        assertThat(checked.bytesRead()).isLessThanOrEqualTo(maxBytesRead(name));
    }

    enum HostileTail {
        RANDOM_BYTES("no complete gzip member ends at the end of the file"),
        GZIP_MAGIC_REPEATED("gave up after " + DumpCompleteness.GZIP_MAX_CANDIDATES + " positions");

        final String reason;

        HostileTail(String reason) {
            this.reason = reason;
        }

        byte[] bytes(int length) {
            if (this == RANDOM_BYTES) {
                return randomBytes(length);
            }
            byte[] bytes = new byte[length];
            for (int i = 0; i + 2 < length; i += 3) {
                bytes[i] = 0x1f;
                bytes[i + 1] = (byte) 0x8b;
                bytes[i + 2] = 0x08;
            }
            return bytes;
        }
    }

    /** A real first member (so the HPROF header is found) followed by 10 MB that only the tail check sees. */
    @ParameterizedTest
    @EnumSource(HostileTail.class)
    void realGzipStartWithHostileTailIsIncompleteAndReadWithinBounds(HostileTail tail) throws IOException {
        Path dump = require(jdk17Gzip, "JDK 17");
        GzipMember first = gzipMembers(dump).get(0);
        Path hostile = cut(dump, first.length());
        Files.write(hostile, tail.bytes(10_000_000), StandardOpenOption.APPEND);

        Checked checked = check(hostile);

        assertThat(checked.result().state()).isEqualTo(State.INCOMPLETE);
        assertThat(checked.result().reason()).contains(tail.reason);
        assertThat(checked.bytesRead()).isLessThanOrEqualTo(DumpCompleteness.GZIP_MAX_BYTES_READ);
    }

    @Test
    void gzipBombIsIncompleteAfterBoundedWork() throws IOException {
        // One member: a valid HPROF header, 256 MiB of zeros (about 256 KiB compressed) and a real END record.
        // Structurally complete, but inflating it all is what a check must never do.
        Path bomb = tmp.resolve("bomb.hprof.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(bomb), 64 * 1024)) {
            out.write(HPROF_MAGIC);
            out.write(new byte[] {0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0});
            byte[] zeros = new byte[MIB];
            for (int i = 0; i < 256; i++) {
                out.write(zeros);
            }
            out.write(HEAP_DUMP_END);
        }

        Checked checked = check(bomb);

        assertThat(checked.result().state()).isEqualTo(State.INCOMPLETE);
        assertThat(checked.result().reason()).startsWith("gave up after inflating");
        assertThat(checked.bytesRead()).isLessThanOrEqualTo(DumpCompleteness.GZIP_MAX_BYTES_READ);
    }

    // ---- helpers

    private record Checked(Result result, long bytesRead) {
    }

    /**
     * Checks a file through a counting channel left at an arbitrary position (a third of the way), as the check must
     * not depend on it, and fails if the check is not fast.
     */
    private static Checked check(Path file) throws IOException {
        try (CountingChannel channel = new CountingChannel(FileChannel.open(file, StandardOpenOption.READ))) {
            channel.position(channel.size() / 3);
            long start = System.nanoTime();
            Result result = DumpCompleteness.check(DumpFormat.ofFileName(file.getFileName().toString()), channel);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).as("time to check %s (%s)", file.getFileName(), result).isLessThan(FAST);
            return new Checked(result, channel.bytesRead());
        }
    }

    private static long maxBytesRead(String name) {
        return DumpFormat.ofFileName(name) == DumpFormat.HPROF_GZIP
                ? DumpCompleteness.GZIP_MAX_BYTES_READ
                : DumpCompleteness.HPROF_MAX_BYTES_READ;
    }

    private static Path require(Path dump, String jdk) {
        assumeTrue(dump != null, () -> "no " + jdk + " on this machine, so no real dump from it; JDKs found: "
                + Jdks.installed());
        return dump;
    }

    /** A copy of the first {@code length} bytes of {@code dump}, with the same file name suffix. */
    private Path cut(Path dump, long length) throws IOException {
        Path copy = tmp.resolve("cut-" + length + "-" + dump.getFileName());
        try (FileChannel in = FileChannel.open(dump, StandardOpenOption.READ);
                FileChannel out = FileChannel.open(copy, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long copied = 0;
            while (copied < length) {
                copied += in.transferTo(copied, length - copied, out);
            }
        }
        return copy;
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(tmp.resolve(name), bytes);
    }

    private static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        new Random(42).nextBytes(bytes);
        return bytes;
    }

    private static byte[] firstBytes(Path file, int count) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(count);
        }
    }

    private static byte[] lastBytes(Path file, int count) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(Files.size(file) - count);
            return in.readAllBytes();
        }
    }

    private static byte[] lastBytes(InputStream in, int count) throws IOException {
        byte[] window = new byte[64 * 1024 + count];
        int kept = 0;
        for (int read; (read = in.read(window, kept, window.length - kept)) != -1; ) {
            kept += read;
            if (kept == window.length) {
                System.arraycopy(window, kept - count, window, 0, count);
                kept = count;
            }
        }
        return Arrays.copyOfRange(window, Math.max(0, kept - count), kept);
    }

    /**
     * Checks, on a real {@code -XX:HeapDumpGzipLevel} dump, the layout {@link DumpCompleteness} relies on: several
     * independent gzip members, the first one's comment naming a 1 MiB block size, no member inflating to more than
     * that or taking more than half the tail window compressed, and a decompressed stream that is an HPROF ending
     * with the HEAP DUMP END record.
     */
    private static void assertHotSpotGzipLayout(Path dump) throws IOException {
        List<GzipMember> members = gzipMembers(dump);
        assertThat(members).hasSizeGreaterThan(1);
        assertThat(members.get(0).comment()).isEqualTo("HPROF BLOCKSIZE=1048576");
        assertThat(members).allSatisfy(member -> {
            assertThat(member.inflatedLength()).isLessThanOrEqualTo(MIB);
            assertThat(member.length()).isLessThan(DumpCompleteness.GZIP_TAIL_WINDOW / 2);
        });
        try (InputStream in = new GZIPInputStream(Files.newInputStream(dump))) {
            assertThat(in.readNBytes(HPROF_MAGIC.length)).isEqualTo(HPROF_MAGIC);
            assertThat(lastBytes(in, HEAP_DUMP_END.length)).isEqualTo(HEAP_DUMP_END);
        }
    }

    private record GzipMember(long offset, int headerLength, long length, String comment, long inflatedLength) {
    }

    /** The members of a complete gzip file, as HotSpot writes them (FCOMMENT is the only header flag it uses). */
    private static List<GzipMember> gzipMembers(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        List<GzipMember> members = new ArrayList<>();
        Inflater inflater = new Inflater(true);
        byte[] out = new byte[64 * 1024];
        try {
            int offset = 0;
            while (offset < bytes.length) {
                assertThat(Arrays.copyOfRange(bytes, offset, offset + 3)).containsExactly(0x1f, 0x8b, 0x08);
                int flags = bytes[offset + 3];
                assertThat(flags & ~0x10).as("gzip header flags other than FCOMMENT").isZero();
                int data = offset + 10;
                String comment = null;
                if (flags != 0) {
                    int end = data;
                    while (bytes[end] != 0) {
                        end++;
                    }
                    comment = new String(bytes, data, end - data, ISO_8859_1);
                    data = end + 1;
                }
                inflater.reset();
                inflater.setInput(bytes, data, bytes.length - data);
                long inflated = 0;
                while (!inflater.finished()) {
                    int produced = inflater.inflate(out);
                    assertThat(produced > 0 || inflater.finished() || !inflater.needsInput())
                            .as("member at %d is truncated", offset).isTrue();
                    inflated += produced;
                }
                int end = data + (int) inflater.getBytesRead() + 8;
                members.add(new GzipMember(offset, data - offset, end - offset, comment, inflated));
                offset = end;
            }
        } catch (DataFormatException e) {
            throw new AssertionError("not a valid gzip file: " + file, e);
        } finally {
            inflater.end();
        }
        return members;
    }
}
