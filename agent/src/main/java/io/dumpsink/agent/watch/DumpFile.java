package io.dumpsink.agent.watch;

import java.nio.file.Path;

/**
 * A file below the watch dir and whose dump it is. {@code <namespace>/<pod>/<name...>} is the layout a pod's
 * {@code subPathExpr: $(POD_NAMESPACE)/$(POD_NAME)} mount produces; a file higher up belongs to namespace and pod
 * {@value #UNKNOWN}.
 *
 * @param relative the path below the watch dir
 * @param name     the path below the pod folder (may contain folders), as found
 */
public record DumpFile(Path relative, String namespace, String pod, String name) {
    public static final String UNKNOWN = "_unknown";

    public static DumpFile of(Path relative) {
        int count = relative.getNameCount();
        if (count >= 3) {
            return new DumpFile(relative, relative.getName(0).toString(), relative.getName(1).toString(),
                    relative.subpath(2, count).toString());
        }
        return new DumpFile(relative, UNKNOWN, UNKNOWN, relative.toString());
    }

    public String fileName() {
        return relative.getFileName().toString();
    }
}
