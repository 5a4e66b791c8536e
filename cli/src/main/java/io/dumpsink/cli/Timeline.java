package io.dumpsink.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Where a command's wall time goes, for profiling ({@code DUMPSINK_TIMINGS=1}): each {@link #mark} prints one
 * {@code timing phase=NAME ms=T} line on stderr, T counted from the JVM's start (the process's start time as the
 * OS records it, so the JVM's own start-up is in the first mark). Off by default, and then free.
 */
final class Timeline {
    static final String ENV = "DUMPSINK_TIMINGS";

    private final PrintStream err;
    private final long startMillis;

    private Timeline(PrintStream err, long startMillis) {
        this.err = err;
        this.startMillis = startMillis;
    }

    /** A timeline printing to {@code err} when the environment asks for one, else one that does nothing. */
    static Timeline of(Map<String, String> environment, PrintStream err) {
        if (!"1".equals(environment.get(ENV))) {
            return new Timeline(null, 0);
        }
        long start = ProcessHandle.current().info().startInstant().map(Instant::toEpochMilli)
                .orElse(System.currentTimeMillis());
        return new Timeline(err, start);
    }

    /**
     * Prints the CPU-seconds (user + system) each thread of this process has used so far, from
     * {@code /proc/self/task/TID/stat}: {@code timing threads=AT thread=NAME cpu=S}. Compiler and GC threads included.
     */
    void threads(String at) {
        if (err == null) {
            return;
        }
        try (Stream<Path> list = Files.list(Path.of("/proc/self/task"))) {
            Map<String, Double> byName = new TreeMap<>(); // by name (the OS keeps 15 characters of it)
            double hz = 100.0; // USER_HZ, the unit of /proc's times: 100 on every Linux architecture we run on
            for (Path task : (Iterable<Path>) list::iterator) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    // fields[0] is the state (field 3): utime and stime are fields 14 and 15
                    double cpu = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / hz;
                    byName.merge(name, cpu, Double::sum);
                } catch (IOException | RuntimeException gone) {
                    // the thread ended while being read
                }
            }
            double all = 0;
            for (var e : byName.entrySet()) {
                all += e.getValue();
                err.println(String.format(Locale.ROOT, "timing threads=%s thread=%s cpu=%.2f", at,
                        e.getKey().replace(' ', '_'), e.getValue()));
            }
            err.println(String.format(Locale.ROOT, "timing threads=%s thread=ALL cpu=%.2f", at, all));
        } catch (IOException | RuntimeException e) {
            err.println("timing threads=" + at + " unavailable: " + e);
        }
    }

    void mark(String phase) {
        if (err != null) {
            err.println(String.format(Locale.ROOT, "timing phase=%s ms=%d", phase,
                    System.currentTimeMillis() - startMillis));
        }
    }
}
