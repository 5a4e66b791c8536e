package io.dumpsink.agent.watch;

import java.nio.file.Path;
import java.nio.file.WatchKey;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;

/**
 * A folder the watcher tracks: its place below the watch dir, its inotify watch if it has one, and its change time
 * (ctime) when it was last listed completely. A folder whose ctime has not moved since has gained and lost no
 * entries, so a rescan need not list it again; pods cannot set ctime (only mtime), so they cannot hide a change.
 * Only the watch thread touches it.
 */
final class Folder {
    final Folder parent;
    /** Below the watch dir; the empty path for the watch dir itself. */
    final Path relative;
    final Path path;
    /** 0 for the watch dir, 1 for a namespace folder, 2 for a pod folder. */
    final int depth;
    /** Whose bounds it counts towards: the pod ({@code ns/pod}) from depth 2 on, the folder itself above. */
    final String owner;
    /** The folder's identity ({@code (dev, ino)}) when it was found: another folder under its name is new. */
    final Object fileKey;
    final Map<String, Folder> children = new HashMap<>();

    /** Null while not watched: beyond no bound, but in an event storm, refused by the kernel or lost. */
    WatchKey key;
    /** The ctime seen before the last complete listing, when it can be trusted; null: list it when next seen. */
    FileTime listedCtime;
    /** Some of its subfolders are not tracked (bounds): it and they are listed at every rescan. */
    boolean untrackedChildren;
    /** Not watched again before this ({@code Clock.millis()}): its pod created names too fast. */
    long stormUntil;
    /** No longer tracked: a queued piece of work for it is void. */
    boolean dropped;

    Folder(Folder parent, Path relative, Path path, Object fileKey) {
        this.parent = parent;
        this.relative = relative;
        this.path = path;
        this.depth = parent == null ? 0 : parent.depth + 1;
        this.owner = owner(relative, depth);
        this.fileKey = fileKey;
    }

    /** The pod ({@code ns/pod}) a path at {@code depth} belongs to; above the pod folders, the path itself. */
    static String owner(Path relative, int depth) {
        return depth >= 2 ? relative.getName(0) + "/" + relative.getName(1) : relative.toString();
    }

    @Override
    public String toString() {
        return relative.toString().isEmpty() ? "." : relative.toString();
    }
}
