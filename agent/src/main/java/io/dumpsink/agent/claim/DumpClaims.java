package io.dumpsink.agent.claim;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.agent.config.WatchSettings;
import io.dumpsink.agent.fs.FileChangedException;
import io.dumpsink.agent.fs.FileIdentity;
import io.dumpsink.agent.fs.WatchRoot;
import io.dumpsink.agent.settle.SettledDump;
import io.dumpsink.agent.watch.DumpFile;
import io.dumpsink.core.lifecycle.StartupException;
import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims settled dumps: moves each out of its pod's folder into the agent's own folder,
 * {@code <watch-dir>/.dumpsink-claimed/<id>/<namespace>/<pod>/<name>}, before it is uploaded. In a container the
 * JVM is pid 1, so every dump of a crash-looping pod is {@code java_pid1.hprof}, and HotSpot refuses to overwrite an
 * existing file: while the agent still ships the first dump, the second would be lost. Once claimed, the name is
 * free and the next JVM writes its dump at once. Files kept after upload ({@code after-upload = keep}) stay here.
 *
 * <p>The move is one {@code renameat} on the same file system, walked with {@code O_NOFOLLOW} like every other file
 * operation ({@link WatchRoot}): the file keeps its inode, size and modification time, so its identity, the upload
 * journal and the manifest's {@code sourceIdentity} are unchanged. The claimed path repeats the path below the
 * watch dir, so after an agent crash {@link #recover} knows every claimed file's namespace, pod and name from the
 * folder alone, without any state of its own. Namespaces and pods are DNS labels and never start with a dot, so no
 * pod folder can be named like the claim folder; pods mount only their own folder and never see it.
 *
 * <p>After {@link #claim} succeeds, the file is at the returned dump's {@code location}. When it fails with
 * {@link FileChangedException} the file changed or vanished and nothing moved; with another {@link IOException}
 * (a pod folder on another file system, for one) nothing moved either and the caller ships the file in place.
 */
@Singleton
public final class DumpClaims {
    public static final String FOLDER = ".dumpsink-claimed";
    private static final Logger log = LoggerFactory.getLogger(DumpClaims.class);
    private static final Path CLAIM_ROOT = Path.of(FOLDER);

    private final WatchRoot root;
    private final Clock clock;
    private final int maxDepth;

    @Inject
    DumpClaims(WatchRoot root, WatchSettings watch, Clock clock) {
        this.root = root;
        this.clock = clock;
        this.maxDepth = watch.maxDepth();
    }

    /**
     * Creates the claim folder, owned by the agent and closed to everyone else (0700), or checks the one there: a
     * symlink or a file in its place (something that can write the top of the watch dir planted it) stops startup.
     */
    public void prepare() {
        Path folder = root.path().resolve(FOLDER);
        try {
            if (!Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            }
            PosixFileAttributes attributes = Files.readAttributes(folder, PosixFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isDirectory()) {
                throw new StartupException("dumpsink.agent.watch-dir: " + folder + " is not a folder (a symlink or"
                        + " a file?); the agent keeps claimed dumps there: remove it and restart");
            }
            Set<PosixFilePermission> open = EnumSet.of(PosixFilePermission.GROUP_WRITE,
                    PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
                    PosixFilePermission.OTHERS_EXECUTE);
            if (attributes.permissions().stream().anyMatch(open::contains)) {
                Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
            }
        } catch (IOException e) {
            throw new StartupException("dumpsink.agent.watch-dir: cannot create the claim folder " + folder + ": "
                    + e.getMessage() + "; the agent needs write access to the watch dir");
        }
    }

    /**
     * Moves {@code dump} into the claim folder; returns it with its new location.
     *
     * @throws FileChangedException when the file changed or vanished since it settled; nothing moved
     * @throws IOException          when it cannot be moved (another file system); nothing moved
     */
    public SettledDump claim(SettledDump dump) throws IOException {
        Path original = dump.file().relative();
        Path claimFolder = newClaimFolder(original);
        try {
            root.moveIfUnchanged(original, dump.identity(), claimFolder);
        } catch (IOException e) {
            root.deleteEmptyFolders(claimFolder, CLAIM_ROOT);
            throw e;
        }
        Path location = claimFolder.resolve(original.getFileName());
        log.info("Claimed path={} claimedPath={} size={}", original, location, dump.identity().size());
        return dump.movedTo(location);
    }

    /** After the claimed file was deleted: removes its now empty folders. */
    public void released(SettledDump dump) {
        if (dump.claimed()) {
            released(dump.location());
        }
    }

    /** After a file at {@code location} (below the watch dir) was deleted: removes its claim folders if empty. */
    public void released(Path location) {
        if (location.startsWith(CLAIM_ROOT) && location.getParent() != null) {
            root.deleteEmptyFolders(location.getParent(), CLAIM_ROOT);
        }
    }

    /**
     * The files claimed by an earlier run that are still here (not yet stored, or kept), with their current
     * identity, as settled dumps; empty folders left by a crash between delete and clean-up are removed.
     */
    public List<SettledDump> recover() throws IOException {
        List<SettledDump> found = new ArrayList<>();
        Path base = root.path().resolve(FOLDER);
        Files.walkFileTree(base, EnumSet.noneOf(FileVisitOption.class), maxDepth + 2, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                Path location = root.path().relativize(file);
                if (attributes.isRegularFile() && location.getNameCount() >= 3) {
                    Path original = location.subpath(2, location.getNameCount());
                    found.add(new SettledDump(DumpFile.of(original), location, FileIdentity.of(attributes),
                            clock.instant()));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                if (!dir.equals(base)) {
                    root.deleteEmptyFolders(root.path().relativize(dir), CLAIM_ROOT);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                log.warn("Cannot read claimed path={} error={}", file, e.toString());
                return FileVisitResult.CONTINUE;
            }
        });
        found.forEach(dump -> log.info("Recovered claimed dump path={} claimedPath={} size={}",
                dump.file().relative(), dump.location(), dump.identity().size()));
        return found;
    }

    /** A fresh {@code <claim folder>/<id>/<original folders>}, created below the agent's own folder. */
    private Path newClaimFolder(Path original) throws IOException {
        while (true) {
            String id = Long.toString(clock.millis(), 36) + "-"
                    + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
            Path claimFolder = CLAIM_ROOT.resolve(id);
            Path absolute = root.path().resolve(claimFolder);
            try {
                Files.createDirectory(absolute);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                continue;
            }
            Path parent = original.getParent();
            if (parent != null) {
                claimFolder = claimFolder.resolve(parent);
                Files.createDirectories(root.path().resolve(claimFolder));
            }
            return claimFolder;
        }
    }
}
