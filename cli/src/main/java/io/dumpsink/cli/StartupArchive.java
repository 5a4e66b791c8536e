package io.dumpsink.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Fills the launcher's AppCDS archive. {@code bin/dumpsink} dumps the archive at the exit of the run that creates it
 * ({@code -XX:ArchiveClassesAtExit}), which holds only the classes that run loaded; with
 * {@code -Ddumpsink.cds.preload=true} that run first loads (without initializing) every class listed in
 * {@value #LIST}, so the archive serves {@code get} even when the first command was {@code --help}.
 */
final class StartupArchive {
    static final String PROPERTY = "dumpsink.cds.preload";
    static final String LIST = "dumpsink-cds-classes.txt";

    private StartupArchive() {
    }

    static boolean requested() {
        return Boolean.getBoolean(PROPERTY);
    }

    /** Loads the listed classes; returns how many loaded. A name this build no longer has is skipped. */
    static int preload(ClassLoader loader) {
        int loaded = 0;
        try (InputStream in = loader.getResourceAsStream(LIST)) {
            if (in == null) {
                return 0;
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = lines.readLine()) != null) {
                String name = line.strip();
                if (name.isEmpty() || name.startsWith("#")) {
                    continue;
                }
                try {
                    Class.forName(name, false, loader);
                    loaded++;
                } catch (ClassNotFoundException | LinkageError stale) {
                    // gone from this build (a dependency changed): the archive is only a little less complete
                }
            }
        } catch (IOException e) {
            // the archive is an optimisation: without the list it holds what the command loaded
        }
        return loaded;
    }
}
