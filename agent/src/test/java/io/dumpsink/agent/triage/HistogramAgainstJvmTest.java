package io.dumpsink.agent.triage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dumpsink.agent.testing.Jdks;
import io.dumpsink.core.manifest.HeapSummary;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reader against the JVM's own count: a child JVM builds known objects ({@link KnownObjects}), then {@code jcmd}
 * takes a live heap dump and {@code GC.class_histogram} of it at the same quiet moment (both run a full GC first
 * and count live objects only). Every class the JVM lists must have exactly its instance count in the reader's
 * histogram, and the reader must list no class the JVM does not. Byte figures are computed from the dump (see
 * {@link HprofHistogram}); the test prints how far they are from the JVM's for the classes above 1 % of the heap,
 * and bounds the difference for those.
 */
class HistogramAgainstJvmTest {
    private static final Path TEMURIN_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
    private static final Pattern HISTOGRAM_LINE = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

    @TempDir
    Path dir;

    @Test
    void jdk17EveryClassCountEqualsGcClassHistogram() throws Exception {
        Optional<Path> jdk17 = Jdks.javaHome(17);
        assumeTrue(jdk17.isPresent(), "no JDK 17 found under /usr/lib/jvm: this comparison cannot run here");
        compareWithJvm(jdk17.get(), false);
    }

    /**
     * JDK 25, two documented exceptions. Filler arrays (dead space the GC formats as objects), which the JVM counts
     * as {@code jdk.internal.vm.FillerElement[]}, are {@code int[]} in the dump: checked exactly ({@code int[]} in
     * the dump = {@code int[]} + {@code FillerElement[]} in the JVM's count). {@code java.lang.Class}: the dump has
     * one per class it describes; with the default CDS archive the JVM also counts the archived mirrors of classes
     * not loaded yet (about 1,200 more); without CDS the dump has 2 more; checked as at most the JVM's count + 2.
     */
    @Test
    void temurin25EveryClassCountEqualsGcClassHistogramButFillersAndMirrors() throws Exception {
        assumeTrue(Files.isExecutable(TEMURIN_25.resolve("bin/jcmd")),
                "Temurin 25 not installed at " + TEMURIN_25 + ": the JDK 25 comparison is skipped");
        compareWithJvm(TEMURIN_25, true);
    }

    @Test
    void temurin25WithoutCdsEveryClassCountEqualsGcClassHistogramButFillersAndMirrors() throws Exception {
        assumeTrue(Files.isExecutable(TEMURIN_25.resolve("bin/jcmd")),
                "Temurin 25 not installed at " + TEMURIN_25 + ": the JDK 25 comparison is skipped");
        compareWithJvm(TEMURIN_25, true, "-Xshare:off");
    }

    private void compareWithJvm(Path javaHome, boolean cdsExceptions, String... jvmOptions) throws Exception {
        List<String> command = new ArrayList<>(List.of(javaHome.resolve("bin/java").toString(), "-Xmx64m",
                "-XX:+UseSerialGC"));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), KnownObjects.class.getName()));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("ready");
            String pid = Long.toString(child.pid());
            Path jcmd = javaHome.resolve("bin/jcmd");
            // The first attach starts the JVM's attach listener: done before, so its objects exist in both counts.
            run(jcmd.toString(), pid, "VM.version");
            Path dump = dir.resolve("known.hprof");
            run(jcmd.toString(), pid, "GC.heap_dump", dump.toString());
            String histogramText = run(jcmd.toString(), pid, "GC.class_histogram");

            Map<String, long[]> jvm = parseJvmHistogram(histogramText);
            HprofHistogram.Result result = read(dump, 1_000_003);
            HeapSummary summary = result.summary();
            assertThat(summary.status()).as(summary.reason() == null ? "" : summary.reason()).isEqualTo("ok");
            Map<String, HeapSummary.ClassCount> ours = new LinkedHashMap<>();
            for (HeapSummary.ClassCount c : result.classes()) {
                ours.put(c.name(), c);
            }

            if (cdsExceptions) {
                long fillers = Optional.ofNullable(jvm.remove("jdk.internal.vm.FillerElement[]")).map(v -> v[0])
                        .orElse(0L);
                jvm.get("int[]")[0] += fillers;
                long[] mirrors = jvm.get("java.lang.Class");
                long jvmMirrors = mirrors[0];
                assertThat(ours.get("java.lang.Class").instances()).isLessThanOrEqualTo(mirrors[0] + 2);
                mirrors[0] = ours.get("java.lang.Class").instances();
                System.out.println("JDK 25 " + List.of(jvmOptions) + ": " + fillers + " filler arrays counted as"
                        + " int[]; java.lang.Class: jvm=" + jvmMirrors + " dump=" + mirrors[0]);
            }
            Map<String, String> countMismatches = new TreeMap<>();
            for (Map.Entry<String, long[]> e : jvm.entrySet()) {
                HeapSummary.ClassCount c = ours.get(e.getKey());
                long count = c == null ? 0 : c.instances();
                if (count != e.getValue()[0]) {
                    countMismatches.put(e.getKey(), "jvm=" + e.getValue()[0] + " dump=" + count);
                }
            }
            for (HeapSummary.ClassCount c : result.classes()) {
                if (!jvm.containsKey(c.name())) {
                    countMismatches.put(c.name(), "jvm=0 dump=" + c.instances());
                }
            }
            assertThat(countMismatches).as("classes whose instance count differs from GC.class_histogram").isEmpty();
            assertThat(ours.get(KnownObjects.Marker.class.getName()).instances()).isEqualTo(KnownObjects.MARKERS);
            assertThat(ours.get("int[]").instances()).isGreaterThanOrEqualTo(KnownObjects.INT_ARRAYS);
            assertThat(ours.get(KnownObjects.Marker.class.getName() + "[]").instances()).isEqualTo(1);

            long jvmTotal = jvm.values().stream().mapToLong(v -> v[1]).sum();
            StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
                    "%nByte figures on %s, classes above 1%% of the JVM's %d bytes:%n%-60s %12s %12s %8s%n",
                    javaHome.getFileName(), jvmTotal, "class", "jvm bytes", "dump bytes", "diff"));
            List<String> farOff = new ArrayList<>();
            for (Map.Entry<String, long[]> e : jvm.entrySet()) {
                long jvmBytes = e.getValue()[1];
                if (jvmBytes * 100 < jvmTotal) {
                    continue;
                }
                long dumpBytes = ours.get(e.getKey()).bytes();
                double diff = 100.0 * (dumpBytes - jvmBytes) / jvmBytes;
                table.append(String.format(Locale.ROOT, "%-60s %12d %12d %+7.2f%%%n", e.getKey(), jvmBytes, dumpBytes,
                        diff));
                // java.lang.Class: its injected fields are not in the dump, nor (JDK 25 with CDS) every mirror
                if (Math.abs(diff) > 5 && !e.getKey().equals("java.lang.Class")) {
                    farOff.add(e.getKey() + " " + diff + "%");
                }
            }
            table.append(String.format(Locale.ROOT, "%-60s %12d %12d %+7.2f%%%n", "(total)", jvmTotal,
                    summary.bytes(), 100.0 * (summary.bytes() - jvmTotal) / jvmTotal));
            System.out.println(table);
            assertThat(farOff).as("classes above 1%% of the heap whose bytes are more than 5%% off" + table)
                    .isEmpty();
            assertThat(summary.identifierSize()).isEqualTo(8);
            assertThat(summary.hprofVersion()).isEqualTo("JAVA PROFILE 1.0.2");
            assertThat(summary.dumpedAt()).isNotNull();

            // The same bytes in other chunkings give the same histogram: chunk edges fall everywhere.
            assertThat(read(dump, 4096).classes()).isEqualTo(result.classes());
            assertThat(read(dump, 37).classes()).isEqualTo(result.classes());
        } finally {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Feeds the file to a reader in chunks of {@code chunkSize}, as the upload does. */
    static HprofHistogram.Result read(Path dump, int chunkSize) throws IOException {
        HprofHistogram reader = new HprofHistogram();
        ByteBuffer buffer = ByteBuffer.allocateDirect(chunkSize);
        try (FileChannel channel = FileChannel.open(dump)) {
            while (true) {
                buffer.clear();
                int read = channel.read(buffer);
                if (read < 0) {
                    break;
                }
                reader.feed(buffer.flip());
            }
        }
        return reader.result(HeapSummary.TOP_CLASSES);
    }

    /** {@code GC.class_histogram} lines as name → {instances, bytes}, names written as the reader writes them. */
    static Map<String, long[]> parseJvmHistogram(String text) {
        Map<String, long[]> classes = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = HISTOGRAM_LINE.matcher(line);
            if (m.find()) {
                long[] counts = {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
                classes.merge(javaName(m.group(3)), counts, (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
            }
        }
        return classes;
    }

    /** {@code [I} → {@code int[]}, {@code [Ljava.lang.String;} → {@code java.lang.String[]}. */
    private static String javaName(String jvmName) {
        return HprofHistogram.javaName(jvmName.replace('.', '/').replace("/0x", "+0x"));
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        return output;
    }
}
