package io.dumpsink.agent.config;

import io.dumpsink.core.config.ConfigReader;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** What to watch and when a file counts as finished. */
public record WatchSettings(Path watchDir, Duration settleTime, Duration incompleteWait, Duration rescanInterval,
        List<String> include, int maxDepth, boolean preparePodDirs, long maxDumpSize) {

    public static WatchSettings from(ConfigReader r) {
        Path watchDir = Path.of(r.nonBlank("dumpsink.agent.watch-dir", "set the host folder pods write dumps to"))
                .toAbsolutePath().normalize();
        List<String> include = r.stringList("dumpsink.agent.include");
        if (include.isEmpty()) {
            r.problem("dumpsink.agent.include", "must name at least one file-name glob, e.g. [\"*.hprof\"]");
        }
        for (String glob : include) {
            if (glob.contains("/")) {
                r.problem("dumpsink.agent.include", "'" + glob + "' contains '/'; globs match file names only");
            }
            try {
                FileSystems.getDefault().getPathMatcher("glob:" + glob);
            } catch (IllegalArgumentException e) {
                r.problem("dumpsink.agent.include", "'" + glob + "' is not a valid glob: " + e.getMessage());
            }
        }
        Duration settleTime = r.positiveDuration("dumpsink.agent.settle-time");
        Duration incompleteWait = r.positiveDuration("dumpsink.agent.incomplete-wait");
        if (incompleteWait.compareTo(settleTime) < 0) {
            r.problem("dumpsink.agent.incomplete-wait", "must not be shorter than dumpsink.agent.settle-time ("
                    + settleTime + "); a few minutes, e.g. 5m, lets a JVM finish writing its heap segments");
        }
        return new WatchSettings(watchDir, settleTime, incompleteWait,
                r.positiveDuration("dumpsink.agent.rescan-interval"), include,
                r.intInRange("dumpsink.agent.max-depth", 1, 64), r.bool("dumpsink.agent.prepare-pod-dirs"),
                r.bytesAtLeast("dumpsink.agent.max-dump-size", 1));
    }
}
