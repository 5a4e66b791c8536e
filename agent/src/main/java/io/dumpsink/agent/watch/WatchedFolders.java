package io.dumpsink.agent.watch;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/**
 * The folders the watcher tracks, as a tree below the watch dir, and their inotify watches. At most
 * {@code maxTotal} folders are tracked in all and {@code maxPerPod} per pod, so the inotify watches the agent
 * takes from the node and the memory it keeps per folder have the same bounds; a folder refused here is not kept
 * at all (its parent is marked, and the rescan walks it). One WARN when a pod reaches its bound, one when the total
 * is reached. Also counts each owner's create events per second, for storm detection. Only the watch thread uses
 * it.
 */
final class WatchedFolders {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    /** What the tree keeps per owner (a pod, or a folder above the pod folders). */
    private static final class Owner {
        int tracked;
        boolean limitWarned;
        long windowStart;
        long events;
    }

    private final Path watchDir;
    private final WatchService service;
    private final int maxTotal;
    private final int maxPerPod;
    private final int maxEventsPerSecond;
    private final Map<WatchKey, Folder> byKey = new HashMap<>();
    private final Map<String, Owner> owners = new HashMap<>();
    private final RepeatedWarning podLimit;
    private final RepeatedWarning totalLimit;
    private final RepeatedWarning refused;
    private Folder root;
    private int tracked;
    private boolean totalWarned;

    WatchedFolders(Path watchDir, WatchService service, int maxTotal, int maxPerPod, int maxEventsPerSecond,
            RepeatedWarning podLimit, RepeatedWarning totalLimit, RepeatedWarning refused) throws IOException {
        this.watchDir = watchDir;
        this.service = service;
        this.maxTotal = maxTotal;
        this.maxPerPod = maxPerPod;
        this.maxEventsPerSecond = maxEventsPerSecond;
        this.podLimit = podLimit;
        this.totalLimit = totalLimit;
        this.refused = refused;
        resetRoot(Files.readAttributes(watchDir, BasicFileAttributes.class, NOFOLLOW).fileKey());
    }

    Folder root() {
        return root;
    }

    /** Starts over with a new watch dir folder (the old one was replaced, e.g. remounted). */
    void resetRoot(Object fileKey) {
        if (root != null) {
            drop(root);
        }
        root = new Folder(null, Path.of(""), watchDir, fileKey);
        admit(root);
    }

    /** The folder a watch key reports on, or null for a key no folder holds (any more). */
    Folder folder(WatchKey key) {
        return byKey.get(key);
    }

    int watched() {
        return byKey.size();
    }

    int tracked() {
        return tracked;
    }

    int maxTotal() {
        return maxTotal;
    }

    /**
     * Tracks the subfolder {@code name} of {@code parent} (not yet watched), or returns null when a bound refuses
     * it: then the caller walks it without keeping it.
     */
    Folder track(Folder parent, String name, Object fileKey) {
        Path relative = parent.relative.resolve(name);
        int depth = parent.depth + 1;
        if (tracked >= maxTotal) {
            if (!totalWarned) {
                totalWarned = true;
                totalLimit.warn(relative, tracked, maxTotal);
            }
            return null;
        }
        if (depth >= 2) {
            Owner pod = owners.get(Folder.owner(relative, depth));
            if (pod != null && pod.tracked >= maxPerPod) {
                if (!pod.limitWarned) {
                    pod.limitWarned = true;
                    podLimit.warn(Folder.owner(relative, depth), pod.tracked, maxPerPod, relative);
                }
                return null;
            }
        }
        Folder folder = new Folder(parent, relative, parent.path.resolve(name), fileKey);
        parent.children.put(name, folder);
        admit(folder);
        return folder;
    }

    private void admit(Folder folder) {
        tracked++;
        owners.computeIfAbsent(folder.owner, o -> new Owner()).tracked++;
    }

    /** Forgets {@code folder} and everything below it, and removes their watches. */
    void drop(Folder folder) {
        if (folder.dropped) {
            return;
        }
        for (Folder child : new ArrayList<>(folder.children.values())) {
            drop(child);
        }
        unwatch(folder);
        folder.dropped = true;
        if (folder.parent != null) {
            folder.parent.children.remove(folder.path.getFileName().toString(), folder);
        }
        tracked--;
        if (tracked < maxTotal) {
            totalWarned = false;
        }
        Owner owner = owners.get(folder.owner);
        if (owner != null) {
            owner.tracked--;
            if (owner.tracked <= 0) {
                owners.remove(folder.owner);
            } else if (owner.tracked < maxPerPod) {
                owner.limitWarned = false;
            }
        }
    }

    /**
     * Adds an inotify watch to a tracked folder; false when the kernel refuses (no watches left: ENOSPC) or the
     * folder changed meanwhile. inotify follows a symlink where the folder was, so the folder's identity is
     * checked again without following links after the watch is added.
     */
    boolean watch(Folder folder) {
        if (folder.key != null) {
            return true;
        }
        WatchKey key;
        try {
            key = folder.path.register(service, ENTRY_CREATE, ENTRY_MODIFY);
        } catch (ClosedWatchServiceException e) {
            return false; // shutting down
        } catch (IOException e) {
            refused.warn(folder, e.toString());
            return false;
        }
        Object now;
        try {
            BasicFileAttributes attributes = Files.readAttributes(folder.path, BasicFileAttributes.class, NOFOLLOW);
            now = attributes.isDirectory() ? attributes.fileKey() : null;
        } catch (IOException e) {
            now = null;
        }
        if (!folder.fileKey.equals(now)) {
            if (!byKey.containsKey(key)) {
                key.cancel();
            }
            return false;
        }
        Folder previous = byKey.put(key, folder);
        if (previous != null && previous != folder) {
            previous.key = null; // the same folder, tracked under the name it had before a rename: stale
        }
        folder.key = key;
        return true;
    }

    /** Removes the folder's watch (if it has one); it stays tracked. */
    void unwatch(Folder folder) {
        if (folder.key != null && byKey.get(folder.key) == folder) {
            byKey.remove(folder.key);
            folder.key.cancel();
        }
        folder.key = null;
    }

    /** The kernel removed the folder's watch (the folder was deleted or unmounted). */
    void watchLost(Folder folder) {
        if (folder.key != null && byKey.get(folder.key) == folder) {
            byKey.remove(folder.key);
        }
        folder.key = null;
    }

    /**
     * Counts {@code events} create events of {@code folder}'s owner at {@code nowMillis}; true when the owner has
     * now had more than its maximum in the current second.
     */
    boolean overRate(Folder folder, long events, long nowMillis) {
        Owner owner = owners.get(folder.owner);
        if (owner == null) {
            return false;
        }
        if (nowMillis - owner.windowStart >= 1000) {
            owner.windowStart = nowMillis;
            owner.events = 0;
        }
        owner.events += events;
        return owner.events > maxEventsPerSecond;
    }

    /** Tracked folders without a watch now. */
    int trackedUnwatched() {
        return tracked - byKey.size();
    }
}
