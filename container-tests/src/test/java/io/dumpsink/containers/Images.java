package io.dumpsink.containers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The agent's and presigner's images, built by the documented command ({@code tools/images/build.sh}) from the jars
 * this reactor just packaged. By default on the stand-in base made from Debian packages (no registry is reachable
 * on the development and CI machines); {@code DUMPSINK_TEST_BASE_IMAGE} names another local base (e.g.
 * eclipse-temurin:17-jre where it can be pulled).
 */
record Images(String agent, String presigner, String base) {
    static final String STAND_IN_BASE = "localhost/dumpsink-stand-in-jre:17";
    static final Path BUILD_SCRIPT = Chart.REPOSITORY.resolve("tools/images/build.sh");

    /** The base the tier uses, also the app container's JRE image. */
    static String configuredBase() {
        String base = System.getenv("DUMPSINK_TEST_BASE_IMAGE");
        return base == null || base.isBlank() ? STAND_IN_BASE : base;
    }

    /** Builds both images with {@code tag} (unique per run: other checkouts on the machine share the image store). */
    static Images build(String tag) throws IOException, InterruptedException {
        String base = configuredBase();
        List<String> command = new ArrayList<>(List.of(BUILD_SCRIPT.toString(), "--skip-maven", "--tag", tag));
        if (base.equals(STAND_IN_BASE)) {
            command.add("--stand-in-base");
        } else {
            command.addAll(List.of("--registry", "localhost", "--base", base));
        }
        Path log = Files.createTempFile("build-images", ".log");
        Path out = Files.createTempFile("build-images", ".out");
        try {
            Process process = new ProcessBuilder(command).directory(Chart.REPOSITORY.toFile())
                    .redirectOutput(out.toFile()).redirectError(log.toFile()).start();
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("build.sh still running after 5 minutes:\n" + Files.readString(log));
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("build.sh exited with " + process.exitValue() + ":\n"
                        + Files.readString(log));
            }
            List<String> names = Files.readAllLines(out);
            if (names.size() != 2) {
                throw new IllegalStateException("build.sh printed " + names + ":\n" + Files.readString(log));
            }
            System.out.println(Files.readString(log)); // says which base was used, and the sizes
            return new Images(names.get(0), names.get(1), base);
        } finally {
            Files.deleteIfExists(log);
            Files.deleteIfExists(out);
        }
    }

    /** The repository part of an image reference (without the tag). */
    static String repository(String image) {
        return image.substring(0, image.lastIndexOf(':'));
    }

    static String tag(String image) {
        return image.substring(image.lastIndexOf(':') + 1);
    }
}
