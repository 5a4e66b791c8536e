package io.dumpsink.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dumpsink.agent.testing.Dumps;
import io.dumpsink.embedded.EmbeddedS3;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Issue 16's attacks on the watch stage, as processes: the agent jar (as root, like the DaemonSet) against S3Proxy,
 * and a hostile pod ({@link PodAttacker}, as uid 1000) working on its own folder, while another pod's dump must ship
 * meanwhile. Needs root (to run the attacker as another user); reported as skipped, by name, otherwise. The figures
 * each test measures are printed on one line starting with {@code measured:}.
 */
class HostilePodWatchTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    static final int MAX_WATCHED_DIRS = 200;

    @TempDir
    Path tmp;
    EmbeddedS3 s3;
    S3Client client;
    Path watch;
    Path hostile;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to run the attacker as uid 1000");
        s3 = EmbeddedS3.start(tmp.resolve("s3"), 0);
        client = S3Client.builder().endpointOverride(s3.endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY)))
                .build();
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        watch = Files.createDirectories(tmp.resolve("watch"));
        Files.createDirectories(watch.resolve("shop/good-1"));
        hostile = Files.createDirectories(watch.resolve("shop/hostile-1"));
        Files.setAttribute(hostile, "unix:uid", 1000); // the pod's own folder, as its app user
    }

    @AfterEach
    void tearDown() throws Exception {
        if (client != null) {
            client.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    Path writeConfig() throws IOException {
        Path config = tmp.resolve("agent.conf");
        Files.writeString(config, """
                dumpsink {
                  cluster = e2e
                  node = node-a
                  s3 { endpoint = "%s", bucket = dumps, path-style = true, access-key = "%s", secret-key = "%s",
                       create-bucket = true }
                  agent {
                    watch-dir = "%s", state-dir = "%s", settle-time = 1s, http-port = 0, rescan-interval = 5s
                    max-watched-dirs = %d, max-watched-dirs-per-pod = 50
                  }
                }
                """.formatted(s3.endpoint(), EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY, watch,
                tmp.resolve("state"), MAX_WATCHED_DIRS));
        return config;
    }

    /** The hostile pod's program, as uid 1000, its output in {@code attacker.log}. */
    Process attacker(String... arguments) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=1000", "--regid=1000",
                "--clear-groups", java, "-Xmx32m", "-XX:-UsePerfData", "-cp",
                Path.of("target", "test-classes").toAbsolutePath().toString(), PodAttacker.class.getName()));
        command.addAll(List.of(arguments));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("attacker.log").toFile()).start();
    }

    boolean stored(String fileName) {
        return client.listObjectsV2Paginator(b -> b.bucket("dumps")).contents().stream().map(S3Object::key)
                .anyMatch(k -> k.endsWith("Z-" + fileName + ".zst.json"));
    }

    /** Writes a dump into the good pod's folder and returns how long it took until its manifest was in S3. */
    Duration shipGoodDump(String name) throws Exception {
        long written = System.nanoTime();
        Files.writeString(watch.resolve("shop/good-1").resolve(name), "the good pod's dump");
        Dumps.await("the good pod's dump " + name, WAIT, () -> stored(name));
        return Duration.ofNanos(System.nanoTime() - written);
    }

    double metric(int port, String name) throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return body.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(
                l.substring(name.length() + 1).trim())).findFirst().orElseThrow(() -> new AssertionError(
                "no " + name + " in /metrics"));
    }

    /** inotify watches the process holds, as the kernel counts them ({@code /proc/<pid>/fdinfo}). */
    static long inotifyWatches(ServiceProcess process) throws IOException {
        long watches = 0;
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(process.process.pid()), "fdinfo"))) {
            for (Path fd : fds.toList()) {
                try {
                    watches += Files.readAllLines(fd).stream().filter(l -> l.startsWith("inotify wd:")).count();
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        return watches;
    }

    /** CPU-seconds the process used so far (utime + stime in /proc/<pid>/stat, at 100 ticks a second). */
    static double cpuSeconds(ServiceProcess process) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(process.process.pid()), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
    }

    static long warnLines(ServiceProcess process) throws IOException {
        return process.output().lines().filter(l -> l.contains(" WARN ")).count();
    }

    /** The agent's WARN lines, printed with the figures: what an operator would have seen. */
    static void printWarnings(ServiceProcess process) throws IOException {
        process.output().lines().filter(l -> l.contains(" WARN ")).forEach(l -> System.out.println("agent: " + l));
    }

    @Test
    void aPodMaking20000FoldersGetsBoundedWatchesAndAnotherPodsDumpShipsWithinSeconds() throws Exception {
        try (ServiceProcess agent = ServiceProcess.agent(writeConfig(), tmp.resolve("agent.log"))) {
            int port = agent.awaitStarted(WAIT);
            Duration before = shipGoodDump("before.dmp");
            long rssBefore = agent.peakRssBytes();
            double cpuBefore = cpuSeconds(agent);

            Process flood = attacker("folders", hostile.toString(), "100", "199", "60");
            Thread.sleep(1_000); // in the middle of the flood
            Duration during = shipGoodDump("during.dmp");
            assertThat(flood.waitFor(90, TimeUnit.SECONDS)).isTrue();
            String made = Files.readString(tmp.resolve("attacker.log")).trim();
            assertThat(made).startsWith("made 20000 folders");
            double rescans = metric(port, "dumpsink_watch_rescans_total");
            Dumps.await("two rescans after the flood", WAIT, () -> {
                try {
                    return metric(port, "dumpsink_watch_rescans_total") >= rescans + 2;
                } catch (Exception e) {
                    return false;
                }
            });
            Duration after = shipGoodDump("after.dmp");

            long watches = inotifyWatches(agent);
            double watched = metric(port, "dumpsink_watched_dirs");
            double unwatched = metric(port, "dumpsink_unwatched_dirs");
            double cutoffs = metric(port, "dumpsink_watch_scan_cutoffs_total");
            long rssAfter = agent.peakRssBytes();
            double cpu = cpuSeconds(agent) - cpuBefore;
            System.out.printf("measured: flood (%s): inotify watches %d (dumpsink_watched_dirs %.0f,"
                    + " dumpsink_unwatched_dirs %.0f, cutoffs %.0f), peak RSS %d MiB before, %d MiB after, agent"
                    + " CPU %.1f s, good pod's dump %d ms before, %d ms during, %d ms after; WARN lines %d%n",
                    made, watches, watched, unwatched, cutoffs, rssBefore >> 20, rssAfter >> 20, cpu,
                    before.toMillis(), during.toMillis(), after.toMillis(), warnLines(agent));
            printWarnings(agent);

            // watch dir, shop, good-1 and the hostile pod's 50 (its pod folder and 49 of its folders)
            assertThat(watches).isEqualTo((long) watched).isEqualTo(3 + 50);
            assertThat(during).isLessThan(Duration.ofSeconds(5));
            assertThat(after).isLessThan(Duration.ofSeconds(5));
            assertThat(rssAfter - rssBefore).as("peak RSS growth").isLessThan(32L << 20);
            assertThat(agent.output()).contains("Pod has more folders than are watched pod=shop/hostile-1");
            assertThat(agent.output().split("Pod has more folders than are watched", -1)).as("one WARN").hasSize(2);
        }
    }

    @Test
    void aRenameStormOf20SecondsCostsItsFolderOnlyAndAnotherPodsDumpShipsMeanwhile() throws Exception {
        try (ServiceProcess agent = ServiceProcess.agent(writeConfig(), tmp.resolve("agent.log"))) {
            int port = agent.awaitStarted(WAIT);
            shipGoodDump("before.dmp");
            double rescansBefore = metric(port, "dumpsink_watch_rescans_total");
            double cpuBefore = cpuSeconds(agent);
            long warnsBefore = warnLines(agent);

            long started = System.nanoTime();
            Process storm = attacker("renames", hostile.toString(), "20");
            Thread.sleep(5_000);
            Duration during = shipGoodDump("during.dmp");
            assertThat(storm.isAlive()).as("still storming").isTrue();
            Thread.sleep(5_000);
            Files.writeString(hostile.resolve("own.dmp"), "the hostile pod's own dump, in the storm's folder");
            assertThat(storm.waitFor(60, TimeUnit.SECONDS)).isTrue();
            double seconds = (System.nanoTime() - started) / 1e9;
            double cpu = cpuSeconds(agent) - cpuBefore;
            String renamed = Files.readString(tmp.resolve("attacker.log")).trim();
            Dumps.await("the storm folder's own dump", WAIT, () -> stored("own.dmp"));

            double rescans = metric(port, "dumpsink_watch_rescans_total") - rescansBefore;
            double folderRescans = metric(port, "dumpsink_watch_folder_rescans_total");
            double overflows = metric(port, "dumpsink_watch_overflows_total");
            double storms = metric(port, "dumpsink_watch_storm_folders_total");
            long warns = warnLines(agent) - warnsBefore;
            System.out.printf("measured: storm (%s): agent CPU %.1f s in %.1f s, rescans %.0f, folder rescans %.0f,"
                    + " overflows %.0f, storm folders %.0f, WARN lines %d, good pod's dump %d ms during the storm%n",
                    renamed, cpu, seconds, rescans, folderRescans, overflows, storms, warns, during.toMillis());
            printWarnings(agent);

            assertThat(renamed).startsWith("renamed");
            assertThat(storms).isGreaterThanOrEqualTo(1);
            assertThat(rescans).as("only the periodic rescans").isLessThanOrEqualTo(seconds / 5 + 3);
            assertThat(folderRescans).as("one look per overflow-rescan-delay at most").isLessThanOrEqualTo(seconds + 5);
            assertThat(warns).as("WARN lines during the storm").isLessThanOrEqualTo(3);
            assertThat(during).isLessThan(Duration.ofSeconds(5));
            assertThat(cpu).as("agent CPU-seconds during the storm").isLessThan(seconds * 0.2);
        }
    }
}
