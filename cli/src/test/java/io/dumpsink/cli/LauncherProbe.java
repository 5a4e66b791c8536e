package io.dumpsink.cli;

/** A stand-in for the CLI jar's main class in {@link LauncherCdsTest}: prints one known line on stdout. */
public final class LauncherProbe {
    static final String OUTPUT = "launcher-probe-ran";

    private LauncherProbe() {
    }

    public static void main(String[] args) {
        System.out.println(OUTPUT);
    }
}
