package io.dumpsink.agent.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the JDKs installed on this machine without any configuration, so tests can make dumps with several Java
 * versions: every folder under the usual install roots ({@code /usr/lib/jvm}, {@code /opt/java}) whose
 * {@code release} file names a {@code JAVA_VERSION} and which has an executable {@code bin/java}, plus the JDK running
 * the tests and {@code $JAVA_HOME}.
 */
public final class Jdks {
    private static final List<Path> INSTALL_ROOTS = List.of(Path.of("/usr/lib/jvm"), Path.of("/opt/java"));
    private static final Pattern JAVA_VERSION = Pattern.compile("^JAVA_VERSION=\"([^\"]+)\"", Pattern.MULTILINE);

    /** One installed JDK; {@code feature} is the major version (8 for {@code 1.8.0_392}, 25 for {@code 25.0.3}). */
    public record Jdk(Path home, String version, int feature) {
        public Path java() {
            return home.resolve("bin").resolve("java");
        }
    }

    private Jdks() {
    }

    /** The JDKs found, each once (symbolic links resolved), oldest feature version first. */
    public static List<Jdk> installed() {
        List<Path> homes = new ArrayList<>();
        homes.add(Path.of(System.getProperty("java.home")));
        String javaHome = System.getenv("JAVA_HOME");
        if (javaHome != null && !javaHome.isBlank()) {
            homes.add(Path.of(javaHome));
        }
        for (Path root : INSTALL_ROOTS) {
            homes.addAll(children(root));
        }
        Map<Path, Jdk> byRealHome = new LinkedHashMap<>();
        for (Path home : homes) {
            jdkAt(home).ifPresent(jdk -> byRealHome.putIfAbsent(jdk.home(), jdk));
        }
        return byRealHome.values().stream()
                .sorted(Comparator.comparingInt(Jdk::feature).thenComparing(Jdk::version))
                .toList();
    }

    /** The home of the newest JDK whose feature version is at least {@code feature}. */
    public static Optional<Path> javaHomeAtLeast(int feature) {
        List<Jdk> jdks = installed();
        for (int i = jdks.size() - 1; i >= 0; i--) {
            if (jdks.get(i).feature() >= feature) {
                return Optional.of(jdks.get(i).home());
            }
        }
        return Optional.empty();
    }

    /** The home of a JDK of exactly this feature version (17, 21, ...). */
    public static Optional<Path> javaHome(int feature) {
        return installed().stream().filter(jdk -> jdk.feature() == feature).map(Jdk::home).findFirst();
    }

    /** The JDK found at {@code home}, if its {@code release} file and {@code bin/java} are there. */
    public static Optional<Jdk> jdkAt(Path home) {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release) || !Files.isExecutable(home.resolve("bin").resolve("java"))) {
            return Optional.empty();
        }
        try {
            Matcher matcher = JAVA_VERSION.matcher(Files.readString(release));
            if (!matcher.find()) {
                return Optional.empty();
            }
            String version = matcher.group(1);
            return Optional.of(new Jdk(home.toRealPath(), version, feature(version)));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    static int feature(String version) {
        String[] parts = version.split("[.\\-+_]");
        return Integer.parseInt(parts[0].equals("1") && parts.length > 1 ? parts[1] : parts[0]);
    }

    private static List<Path> children(Path root) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(root)) {
            return children.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
    }
}
