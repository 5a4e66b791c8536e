package io.dumpsink.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/dumpsink}'s AppCDS archive: made by the first run, mapped by the next, and a damaged or foreign one is
 * skipped without a byte on stdout (which carries the dump with {@code get -o -}). Runs the real launcher script with
 * a real JVM on a small jar ({@link LauncherProbe}): the script's logic does not depend on what the jar holds, and
 * the CLI's shaded jar is built only after the tests.
 */
class LauncherCdsTest {
    static final Path LAUNCHER = Path.of("..", "bin", "dumpsink").toAbsolutePath().normalize();

    @TempDir
    Path tmp;
    Path jar;
    Path cache;

    @BeforeEach
    void probeJar() throws IOException {
        jar = tmp.resolve("probe.jar");
        writeProbeJar(jar);
        cache = tmp.resolve("cache");
    }

    @Test
    void firstRunCreatesTheArchiveAndTheNextRunMapsIt() throws Exception {
        Run first = launch(Map.of());
        assertThat(first.exit).isZero();
        assertThat(first.stdout).isEqualTo(LauncherProbe.OUTPUT + "\n");
        Path archive = onlyArchive();
        assertThat(Files.size(archive)).isPositive();
        FileTime made = Files.getLastModifiedTime(archive);

        // -Xshare:on makes the JVM fail rather than run without the archive: exit 0 means it was mapped.
        Run second = launch(Map.of("DUMPSINK_JAVA_OPTS", "-Xshare:on"));
        assertThat(second.exit).as("stderr: %s", second.stderr).isZero();
        assertThat(second.stdout).isEqualTo(LauncherProbe.OUTPUT + "\n");
        assertThat(onlyArchive()).isEqualTo(archive);
        assertThat(Files.getLastModifiedTime(archive)).isEqualTo(made);
    }

    @Test
    void aDamagedArchiveIsSkippedWithNothingButTheOutputOnStdoutOrStderr() throws Exception {
        assertThat(launch(Map.of()).exit).isZero();
        Path archive = onlyArchive();
        archive.toFile().setWritable(true);
        // The header stays (so the JVM tries to map it), the classes behind it become noise: without the archive's
        // checksums (-XX:+VerifySharedSpaces) this crashes the JVM with a report on stdout.
        byte[] noise = new byte[(int) Math.min(Files.size(archive) / 2, 4 << 20)];
        new Random(7).nextBytes(noise);
        try (RandomAccessFile file = new RandomAccessFile(archive.toFile(), "rw")) {
            file.seek(Files.size(archive) / 4);
            file.write(noise);
        }

        Run run = launch(Map.of());

        assertThat(run.exit).isZero();
        assertThat(run.stdout).isEqualTo(LauncherProbe.OUTPUT + "\n");
        assertThat(run.stderr).isEmpty();
    }

    @Test
    void aRebuiltJarGetsANewArchiveAndTheOldOneIsRemoved() throws Exception {
        assertThat(launch(Map.of()).exit).isZero();
        Path before = onlyArchive();
        writeProbeJar(jar);
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(60)));

        Run run = launch(Map.of());

        assertThat(run.exit).isZero();
        assertThat(run.stdout).isEqualTo(LauncherProbe.OUTPUT + "\n");
        assertThat(onlyArchive()).isNotEqualTo(before);
        assertThat(launch(Map.of("DUMPSINK_JAVA_OPTS", "-Xshare:on")).exit).isZero();
    }

    @Test
    void dumpsinkCdsZeroRunsWithoutAnArchive() throws Exception {
        Run run = launch(Map.of("DUMPSINK_CDS", "0"));

        assertThat(run.exit).isZero();
        assertThat(run.stdout).isEqualTo(LauncherProbe.OUTPUT + "\n");
        assertThat(cache).doesNotExist();
    }

    @Test
    void theClassListNamesClassesThisBuildHas() throws IOException {
        List<String> missing = new ArrayList<>();
        int listed = 0;
        try (InputStream in = StartupArchive.class.getClassLoader().getResourceAsStream(StartupArchive.LIST)) {
            assertThat(in).as(StartupArchive.LIST).isNotNull();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String name = line.strip();
                if (name.isEmpty() || name.startsWith("#")) {
                    continue;
                }
                listed++;
                try {
                    Class.forName(name, false, StartupArchive.class.getClassLoader());
                } catch (ClassNotFoundException e) {
                    missing.add(name);
                }
            }
        }
        assertThat(listed).isGreaterThan(1000);
        assertThat(missing).as("stale names: regenerate with bench/cds-classes.sh").isEmpty();
        assertThat(StartupArchive.preload(StartupArchive.class.getClassLoader())).isEqualTo(listed);
    }

    private Path onlyArchive() throws IOException {
        try (Stream<Path> files = Files.list(cache.resolve("dumpsink"))) {
            List<Path> all = files.toList();
            assertThat(all).as("the cache holds one archive, no temporary file").hasSize(1);
            assertThat(all.get(0).getFileName().toString()).startsWith("cli-").endsWith(".jsa");
            return all.get(0);
        }
    }

    private record Run(int exit, String stdout, String stderr) {
    }

    private Run launch(Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toString(), "--version");
        Map<String, String> environment = builder.environment();
        environment.put("DUMPSINK_CLI_JAR", jar.toString());
        environment.put("XDG_CACHE_HOME", cache.toString());
        environment.remove("DUMPSINK_JAVA_OPTS");
        environment.remove("DUMPSINK_CDS");
        environment.putAll(new HashMap<>(env));
        Path out = tmp.resolve("stdout");
        Path err = tmp.resolve("stderr");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the launcher ended").isTrue();
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static void writeProbeJar(Path jar) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, LauncherProbe.class.getName());
        String entry = LauncherProbe.class.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest);
                InputStream in = LauncherProbe.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
    }
}
