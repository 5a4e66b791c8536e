package io.dumpsink.agent.watch;

import io.dumpsink.agent.claim.DumpClaims;
import io.dumpsink.agent.metrics.AgentMetrics;
import io.dumpsink.agent.settle.IncludedNames;
import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists folders for the watcher and reports the matching regular files in them to {@link FoundFiles}: the rescan
 * (every tracked folder is stat'ed; only those whose ctime moved, or that have no watch, are listed), folders that
 * appear between rescans, and folders whose events were lost. New subfolders are tracked and watched within the
 * bounds of {@link WatchedFolders} (the watch is added before the folder is listed, so nothing lands unseen in
 * between); the others are walked at every rescan without being kept. Every listing takes from a
 * {@link ScanBudget}; a spent budget cuts the scan, counted and logged. Symlinks are never followed: entries are
 * looked at with {@code lstat}, and folders are opened with {@code opendir} ({@code O_DIRECTORY|O_NONBLOCK}, so a
 * folder swapped for a FIFO cannot block the listing). Only the watch thread uses it.
 */
final class FolderScanner {
    private static final Logger log = LoggerFactory.getLogger(FolderScanner.class);
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    /**
     * A ctime this close to the time it was read cannot be trusted to mark a complete listing: the kernel stamps
     * with a coarse clock, so an entry added just after the listing passed may leave ctime unchanged.
     */
    private static final Duration RACY = Duration.ofSeconds(1);

    private final Path watchDir;
    private final int maxDepth;
    private final IncludedNames include;
    private final WatchedFolders folders;
    private final FoundFiles found;
    private final Consumer<Path> podFolderFound;
    private final AgentMetrics metrics;
    private final Clock clock;
    private final RepeatedWarning cut;
    private int unwatchedSeen;

    /** What one listing found: the subfolders (name to identity) and whether it saw every entry. */
    private record Listing(Map<String, Object> folders, boolean complete) {
    }

    /** A folder's identity and change time, read without following links. */
    private record FolderStat(Object fileKey, FileTime ctime) {
    }

    FolderScanner(Path watchDir, int maxDepth, IncludedNames include, WatchedFolders folders, FoundFiles found,
            Consumer<Path> podFolderFound, AgentMetrics metrics, Clock clock, RepeatedWarning cut) {
        this.watchDir = watchDir;
        this.maxDepth = maxDepth;
        this.include = include;
        this.folders = folders;
        this.found = found;
        this.podFolderFound = podFolderFound;
        this.metrics = metrics;
        this.clock = clock;
        this.cut = cut;
    }

    /**
     * One rescan of the watch dir: every tracked folder is checked, and listed when {@code listAll}, when it has no
     * watch or untracked subfolders, or when its ctime moved. Returns the folders without a watch it saw.
     */
    int rescan(boolean listAll, ScanBudget budget) {
        unwatchedSeen = 0;
        Folder root = folders.root();
        visit(root, listAll, budget);
        if (folders.root() != root) {
            visit(folders.root(), listAll, budget); // the watch dir was replaced: start over with the new one
        }
        return unwatchedSeen;
    }

    /** A subfolder that appeared in a watched folder: tracked, watched and listed, or left to the rescan. */
    void created(Folder parent, String name, Object fileKey, ScanBudget budget) {
        Folder known = parent.children.get(name);
        if (known != null && known.fileKey.equals(fileKey)) {
            return;
        }
        if (known != null) {
            folders.drop(known); // another folder now has its name
        }
        Folder added = folders.track(parent, name, fileKey);
        if (added == null) {
            parent.untrackedChildren = true; // the next rescan walks it
            return;
        }
        folders.watch(added);
        visit(added, false, budget);
    }

    /**
     * A folder whose events were lost: listed when its ctime moved (or it has no watch), and its new subfolders
     * with it; its known subfolders have watches of their own. Returns whether it was listed.
     */
    boolean recover(Folder folder, ScanBudget budget) {
        if (folder.dropped) {
            return false;
        }
        FolderStat stat = stat(folder);
        if (stat == null) {
            return false;
        }
        if (!needsListing(folder, stat, false)) {
            return false;
        }
        list(folder, stat, budget);
        for (Folder child : new ArrayList<>(folder.children.values())) {
            if (child.listedCtime == null) {
                visit(child, false, budget);
            }
        }
        return true;
    }

    /** Reports {@code file} when its name matches an include glob (or it is a segment of such a file). */
    void report(Path file) {
        if (matches(file.getFileName().toString())) {
            found.found(watchDir.relativize(file));
        }
    }

    /** Whether a file of this name would be reported: it matches an include glob, or is a segment of one. */
    boolean matches(String fileName) {
        return include.matches(fileName);
    }

    private void visit(Folder folder, boolean listAll, ScanBudget budget) {
        FolderStat stat = stat(folder);
        if (stat == null) {
            return;
        }
        if (needsListing(folder, stat, listAll)) {
            list(folder, stat, budget);
        }
        if (folder.key == null) {
            unwatchedSeen++;
        }
        for (Folder child : new ArrayList<>(folder.children.values())) {
            visit(child, listAll, budget);
        }
    }

    /**
     * Reads the folder's identity and ctime; forgets it (and returns null) when it is gone or replaced. Watches
     * a folder again whose storm is over, or whose watch was refused or lost.
     */
    private FolderStat stat(Folder folder) {
        FolderStat stat = statFolder(folder.path);
        if (stat == null || !stat.fileKey().equals(folder.fileKey)) {
            if (folder.parent == null) {
                if (stat != null && folder == folders.root()) {
                    log.warn("The watch dir was replaced path={}; watching it anew", watchDir);
                    folders.resetRoot(stat.fileKey());
                } else {
                    log.debug("The watch dir is gone path={}", watchDir);
                }
                return null;
            }
            folders.drop(folder);
            return null;
        }
        if (folder.key == null && clock.millis() >= folder.stormUntil) {
            folders.watch(folder);
        }
        return stat;
    }

    private boolean needsListing(Folder folder, FolderStat stat, boolean listAll) {
        return listAll || folder.key == null || folder.untrackedChildren || folder.listedCtime == null
                || !folder.listedCtime.equals(stat.ctime());
    }

    /** Lists a tracked folder: reports its files, drops subfolders that went, tracks (or walks) new ones. */
    private void list(Folder folder, FolderStat stat, ScanBudget budget) {
        Instant started = clock.instant();
        if (folder.depth == 2) {
            podFolderFound.accept(folder.relative);
        }
        Listing listing = listEntries(folder.path, folder.depth, folder.owner, budget);
        if (listing == null) {
            folder.listedCtime = null;
            return;
        }
        if (listing.complete()) {
            for (Folder child : new ArrayList<>(folder.children.values())) {
                String name = child.path.getFileName().toString();
                if (!child.fileKey.equals(listing.folders().get(name))) {
                    folders.drop(child);
                }
            }
            boolean trusted = stat.ctime().toInstant().isBefore(started.minus(RACY));
            folder.listedCtime = trusted ? stat.ctime() : null;
        } else {
            folder.listedCtime = null;
        }
        boolean untracked = false;
        if (folder.depth < maxDepth) {
            for (Map.Entry<String, Object> entry : listing.folders().entrySet()) {
                if (folder.children.containsKey(entry.getKey())) {
                    continue;
                }
                Folder added = folders.track(folder, entry.getKey(), entry.getValue());
                if (added != null) {
                    folders.watch(added); // before it is listed: nothing can land unseen in between
                } else {
                    untracked = true;
                    walkUntracked(folder.relative.resolve(entry.getKey()), folder.depth + 1, budget);
                }
            }
        }
        folder.untrackedChildren = untracked || !listing.complete() && folder.untrackedChildren;
    }

    /** Walks a folder beyond the bounds: reports its files and walks its subfolders, keeping nothing. */
    private void walkUntracked(Path relative, int depth, ScanBudget budget) {
        unwatchedSeen++;
        if (depth == 2) {
            podFolderFound.accept(relative);
        }
        Listing listing = listEntries(watchDir.resolve(relative), depth, Folder.owner(relative, depth), budget);
        if (listing == null || depth >= maxDepth) {
            return;
        }
        for (String name : listing.folders().keySet()) {
            walkUntracked(relative.resolve(name), depth + 1, budget);
        }
    }

    /**
     * Lists one folder at {@code depth}: reports its matching regular files and returns its subfolders, while
     * {@code owner}'s budget lasts. Null when the folder cannot be listed (gone, no longer a folder, unreadable).
     */
    private Listing listEntries(Path folder, int depth, String owner, ScanBudget budget) {
        Map<String, Object> subfolders = new LinkedHashMap<>();
        boolean complete = true;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            for (Path entry : entries) {
                if (!budget.take(owner)) {
                    complete = false;
                    if (budget.firstCut(owner)) {
                        metrics.watchScanCutoffs.inc();
                        cut.warn(owner, budget.perOwner(), watchDir.relativize(folder));
                    }
                    break;
                }
                String name = entry.getFileName().toString();
                if (depth == 0 && name.equals(DumpClaims.FOLDER)) {
                    continue; // the agent's own; its files are already owned
                }
                BasicFileAttributes attributes;
                try {
                    attributes = Files.readAttributes(entry, BasicFileAttributes.class, NOFOLLOW);
                } catch (IOException e) {
                    continue; // gone meanwhile
                }
                // Without following links a symlink is a link here, never its target: neither reported nor entered.
                if (attributes.isRegularFile()) {
                    report(entry);
                } else if (attributes.isDirectory()) {
                    subfolders.put(name, attributes.fileKey());
                }
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            return null;
        } catch (IOException | DirectoryIteratorException e) {
            log.debug("Cannot list folder path={} error={}", folder, e.toString());
            return null;
        }
        return new Listing(subfolders, complete);
    }

    private static FolderStat statFolder(Path folder) {
        try {
            Map<String, Object> attributes = Files.readAttributes(folder, "unix:fileKey,ctime,isDirectory", NOFOLLOW);
            if (!Boolean.TRUE.equals(attributes.get("isDirectory"))) {
                return null;
            }
            return new FolderStat(attributes.get("fileKey"), (FileTime) attributes.get("ctime"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }
}
