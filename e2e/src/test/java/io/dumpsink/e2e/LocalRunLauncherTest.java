package io.dumpsink.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./dumpsink-local} as a person runs it: the banner (where to drop a dump, the browse page and its token,
 * the {@code aws s3 ls} line, the store's address) within the first 30 lines of output, no ERROR or WARN line, the
 * banner's API line finds a dropped dump, and SIGTERM stops it.
 */
class LocalRunLauncherTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path LAUNCHER = ROOT.resolve("dumpsink-local");
    private static final Path JAR = ROOT.resolve("local/target/dumpsink-local.jar");
    private static final Pattern TOKEN = Pattern.compile(
            "API: +curl -H 'Authorization: Bearer ([0-9a-f]+)' (http://127\\.0\\.0\\.1:\\d+)/api/v1/dumps");

    @TempDir
    Path tmp;

    @Test
    void bannerIsWithinTheFirst30LinesWithoutErrorOrWarnAndItsApiLineFindsADroppedDump() throws Exception {
        assumeTrue(Files.isRegularFile(JAR), JAR + " is not built; run the tests through `mvn verify` from the root");
        Path dumps = tmp.resolve("dumps");
        ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toString(), dumps.toString()).redirectErrorStream(true);
        builder.environment().put("DUMPSINK_LOCAL_DIR", tmp.resolve("run").toString());
        // The reactor has just built the jar: no second Maven inside this one.
        builder.environment().put("DUMPSINK_LOCAL_SKIP_BUILD", "1");
        // Into a file, not a pipe: destroy() closes the pipes, and the shutdown's lines are checked too.
        Path log = tmp.resolve("output.txt");
        builder.redirectOutput(log.toFile());
        Process process = builder.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            List<String> lines = Files.readAllLines(log);
            while (!lines.contains("Ctrl-C stops it.") && process.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(100);
                lines = Files.readAllLines(log);
            }
            String output = String.join("\n", lines);
            assertThat(lines).as(output).contains("Ctrl-C stops it.");
            int bannerStart = lines.indexOf("==== dumpsink is running locally ====");
            int bannerEnd = lines.indexOf("Ctrl-C stops it.");
            assertThat(bannerStart).as(output).isBetween(0, bannerEnd);
            assertThat(bannerEnd).as("the banner ends within the first 30 lines:\n" + output).isLessThan(30);
            List<String> banner = lines.subList(bannerStart, bannerEnd + 1);
            assertThat(banner).as(output)
                    .anyMatch(l -> l.startsWith("Drop a dump into " + dumps + "/<namespace>/<pod>/"))
                    .anyMatch(l -> l.startsWith("Browse page:  http://127.0.0.1:") && l.contains("password: "))
                    .anyMatch(l -> l.contains("aws --endpoint-url http://127.0.0.1:") && l.contains("s3 ls"))
                    .anyMatch(l -> l.startsWith("S3 store:     http://127.0.0.1:"))
                    .anyMatch(l -> l.equals("INFO the embedded store has no bucket lifecycle: dumps stay until you"
                            + " delete them."));
            assertThat(tmp.resolve("run/effective-config.conf")).content().contains("watch-dir");

            Matcher api = TOKEN.matcher(output);
            assertThat(api.find()).as(output).isTrue();
            Files.createDirectories(dumps.resolve("demo/my-pod"));
            Files.writeString(dumps.resolve("demo/my-pod/hs_err_pid7.log"), "a crash log\n");
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest list = HttpRequest.newBuilder(URI.create(api.group(2) + "/api/v1/dumps"))
                    .header("Authorization", "Bearer " + api.group(1)).build();
            long stored = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String body = "";
            while (!body.contains("hs_err_pid7.log") && System.nanoTime() < stored) {
                Thread.sleep(250);
                body = http.send(list, HttpResponse.BodyHandlers.ofString()).body();
            }
            assertThat(body).as("the API line of the banner lists the dropped file").contains("hs_err_pid7.log");
        } finally {
            process.destroy(); // SIGTERM: the launcher exec'd java, so this is the JVM itself
            assertThat(process.waitFor(40, TimeUnit.SECONDS)).as("stopped within 40 s of SIGTERM").isTrue();
        }
        List<String> lines = Files.readAllLines(log);
        String output = String.join("\n", lines);
        assertThat(lines).as(output)
                .noneMatch(l -> l.matches("^[0-9:.]+ (ERROR|WARN) .*"))
                .noneMatch(l -> l.contains("Effective configuration program="))
                .anyMatch(l -> l.contains("Agent stopped"));
    }
}
