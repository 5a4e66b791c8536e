package io.dumpsink.agent.settle;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;

/**
 * Which file names the agent ships ({@code agent.include} globs), compiled once: a name matching a glob, or a heap
 * dump segment of one ({@code X.hprof.p0} for {@code *.hprof}). The watcher, the settle stage and the disk cap all
 * ask this one question.
 */
public final class IncludedNames {
    private final List<PathMatcher> globs;

    public IncludedNames(List<String> globs) {
        this.globs = globs.stream().map(glob -> FileSystems.getDefault().getPathMatcher("glob:" + glob)).toList();
    }

    public boolean matches(String fileName) {
        Path main = Path.of(DumpNames.mainName(fileName));
        for (PathMatcher glob : globs) {
            if (glob.matches(main)) {
                return true;
            }
        }
        return false;
    }
}
