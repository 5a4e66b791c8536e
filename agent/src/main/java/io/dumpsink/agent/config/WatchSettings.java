package io.dumpsink.agent.config;

import io.dumpsink.core.config.ConfigReader;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** What to watch, when a file counts as finished, and how much of the node the watching may take. */
public record WatchSettings(Path watchDir, Duration settleTime, Duration incompleteWait, Duration rescanInterval,
        List<String> include, int maxDepth, boolean preparePodDirs, long maxDumpSize, Limits limits) {

    /**
     * The bounds that keep one pod from spending the node's inotify watches, the agent's memory or its time
     * (see {@code reference.conf} for what happens at each).
     *
     * @param maxWatchedDirs          folders watched with inotify in total ({@code max-watched-dirs})
     * @param maxWatchedDirsPerPod    folders watched per pod ({@code max-watched-dirs-per-pod})
     * @param maxEntriesPerPod        entries looked at per pod in one scan ({@code max-entries-per-pod})
     * @param maxPodEventsPerSecond   names a pod may create per second before its folder is unwatched for a while
     * @param overflowRescanDelay     how soon folders whose events were lost are looked at again
     * @param fullRescanInterval      how often every folder is listed, changed or not
     * @param repeatedWarningInterval at most one line per repeated warning in this long
     */
    public record Limits(int maxWatchedDirs, int maxWatchedDirsPerPod, int maxEntriesPerPod,
            int maxPodEventsPerSecond, Duration overflowRescanDelay, Duration fullRescanInterval,
            Duration repeatedWarningInterval) {
    }

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
        Duration rescanInterval = r.positiveDuration("dumpsink.agent.rescan-interval");
        return new WatchSettings(watchDir, settleTime, incompleteWait, rescanInterval, include,
                r.intInRange("dumpsink.agent.max-depth", 1, 64), r.bool("dumpsink.agent.prepare-pod-dirs"),
                r.bytesAtLeast("dumpsink.agent.max-dump-size", 1), limits(r, rescanInterval));
    }

    private static Limits limits(ConfigReader r, Duration rescanInterval) {
        int maxWatchedDirs = r.intInRange("dumpsink.agent.max-watched-dirs", 1, 1_000_000);
        int perPod = r.intInRange("dumpsink.agent.max-watched-dirs-per-pod", 1, 1_000_000);
        Duration fullRescanInterval = r.positiveDuration("dumpsink.agent.full-rescan-interval");
        if (fullRescanInterval.compareTo(rescanInterval) < 0) {
            r.problem("dumpsink.agent.full-rescan-interval", "must not be shorter than dumpsink.agent"
                    + ".rescan-interval (" + rescanInterval + ")");
        }
        return new Limits(maxWatchedDirs, perPod,
                r.intInRange("dumpsink.agent.max-entries-per-pod", 1, 100_000_000),
                r.intInRange("dumpsink.agent.max-pod-events-per-second", 1, 100_000_000),
                r.positiveDuration("dumpsink.agent.overflow-rescan-delay"), fullRescanInterval,
                r.positiveDuration("dumpsink.agent.repeated-warning-interval"));
    }
}
