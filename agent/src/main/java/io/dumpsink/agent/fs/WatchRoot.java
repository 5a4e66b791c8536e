package io.dumpsink.agent.fs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;

/**
 * The only way the agent touches files below the watch dir, which pods control. Every operation walks from the
 * watch dir one folder at a time with {@code openat(O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK)} and works on the
 * descriptors it holds, so a symlink planted at any depth, or a folder swapped for a symlink between two calls,
 * fails the operation instead of leading outside; and no open can block: a folder swapped for a FIFO fails with
 * ENOTDIR, a file swapped for a FIFO opens at once and is refused by its type. Types, identities and link counts are
 * read from the opened descriptor (through {@code /proc/self/fd}), never from a path a pod could change meanwhile.
 * Only regular files with one link are read, moved or deleted.
 */
public final class WatchRoot {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private final Path root;

    public WatchRoot(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path path() {
        return root;
    }

    /** The path of {@code file} relative to the watch dir, or an exception when it is not below it. */
    public Path relativize(Path file) {
        Path normalized = file.toAbsolutePath().normalize();
        if (!normalized.startsWith(root) || normalized.equals(root)) {
            throw new IllegalArgumentException("not below the watch dir " + root + ": " + file);
        }
        return root.relativize(normalized);
    }

    /** Attributes of the file itself (never a link target), read relative to its opened folder. */
    public BasicFileAttributes stat(Path relative) throws IOException {
        try (Descriptor parent = openParent(relative)) {
            return Files.readAttributes(parent.child(relative), BasicFileAttributes.class, NOFOLLOW);
        }
    }

    /** The file's link count (read from its folder's descriptor, never following a symlink). */
    public int linkCount(Path relative) throws IOException {
        try (Descriptor parent = openParent(relative)) {
            return (Integer) Files.getAttribute(parent.child(relative), "unix:nlink", NOFOLLOW);
        }
    }

    /**
     * The entries of the folder holding {@code relative} whose names start with {@code prefix}, with their own
     * attributes (never a link target): how the settle stage sees a heap dump's segment files beside it.
     */
    public Map<String, BasicFileAttributes> siblings(Path relative, String prefix) throws IOException {
        Map<String, BasicFileAttributes> found = new TreeMap<>();
        try (Descriptor parent = openParent(relative);
                DirectoryStream<Path> entries = Files.newDirectoryStream(parent.proc())) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.startsWith(prefix)) {
                    try {
                        found.put(name, Files.readAttributes(parent.proc().resolve(name), BasicFileAttributes.class,
                                NOFOLLOW));
                    } catch (NoSuchFileException e) {
                        // gone between listing and stat: not there
                    }
                }
            }
        }
        return found;
    }

    /**
     * Opens a regular file for reading when it still has {@code expected} identity and one link. The caller closes
     * the channel.
     *
     * @throws FileChangedException when the file is gone, is no longer a single-link regular file or has changed
     */
    public SeekableByteChannel openForRead(Path relative, FileIdentity expected) throws IOException {
        try (Descriptor parent = openParent(relative);
                Descriptor file = parent.openFile(relative)) {
            // Everything is checked on the open descriptor: the name may have been swapped before the open.
            checkOpened(file, expected, relative);
            // Reopening the descriptor's own /proc link gives a channel on exactly this inode, whatever the name
            // points at by now.
            return FileChannel.open(file.proc(), StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new FileChangedException(relative + " disappeared");
        }
    }

    /**
     * Deletes the file when it still has {@code expected} identity and one link; a file that changed since it was
     * uploaded is a new dump and stays.
     *
     * @throws FileChangedException when the file changed; nothing was deleted
     */
    public void deleteIfUnchanged(Path relative, FileIdentity expected) throws IOException {
        try (Descriptor parent = openParent(relative)) {
            checkUnchanged(parent, expected, relative);
            Posix.unlinkat(parent.fd, relative.getFileName().toString(), 0, relative);
        }
    }

    /**
     * Moves a regular file that still has {@code expected} identity into {@code targetFolder} (an existing folder
     * below the watch dir, reached the same way), under the same name: one {@code renameat} on the same file
     * system, so the file keeps its inode, size and modification time, and its old name is free at once.
     *
     * @throws FileChangedException when the file is gone or changed; nothing was moved
     */
    public void moveIfUnchanged(Path relative, FileIdentity expected, Path targetFolder) throws IOException {
        try (Descriptor parent = openParent(relative);
                Descriptor target = openFolder(targetFolder)) {
            checkUnchanged(parent, expected, relative);
            String name = relative.getFileName().toString();
            Posix.renameat(parent.fd, name, target.fd, name, relative);
        } catch (NoSuchFileException e) {
            throw new FileChangedException(relative + " disappeared");
        }
    }

    /** Deletes {@code relative} and then each parent folder up to (not including) {@code stop}, while empty. */
    public void deleteEmptyFolders(Path relative, Path stop) {
        for (Path folder = relative; folder != null && !folder.equals(stop) && folder.startsWith(stop);
                folder = folder.getParent()) {
            try (Descriptor parent = openParent(folder)) {
                Posix.unlinkat(parent.fd, folder.getFileName().toString(), Posix.AT_REMOVEDIR, folder);
            } catch (IOException e) {
                return; // not empty (or gone): leave it
            }
        }
    }

    /**
     * Makes a folder that root owns and others cannot write to writable by everyone (0777), the way a pod folder
     * the kubelet created needs to be for a non-root app. Anything else (a folder someone else owns, one already
     * writable, a symlink, a file) is left alone.
     *
     * @return true when the mode was changed
     */
    public boolean openUpRootOwnedFolder(Path relative) throws IOException {
        try (Descriptor folder = openFolder(relative)) {
            PosixFileAttributes attributes = Files.readAttributes(folder.proc(), PosixFileAttributes.class);
            if (!attributes.isDirectory() || !"root".equals(attributes.owner().getName())
                    || attributes.permissions().contains(PosixFilePermission.OTHERS_WRITE)) {
                return false;
            }
            // chmod through the descriptor's /proc link changes exactly the folder that was opened.
            Files.setPosixFilePermissions(folder.proc(), PosixFilePermissions.fromString("rwxrwxrwx"));
            return true;
        } catch (java.nio.file.NotDirectoryException e) {
            return false;
        }
    }

    private static void checkUnchanged(Descriptor parent, FileIdentity expected, Path relative) throws IOException {
        Path child = parent.child(relative);
        BasicFileAttributes attributes = Files.readAttributes(child, BasicFileAttributes.class, NOFOLLOW);
        checkIdentity(attributes, (Integer) Files.getAttribute(child, "unix:nlink", NOFOLLOW), expected, relative);
    }

    private static void checkOpened(Descriptor file, FileIdentity expected, Path relative) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file.proc(), BasicFileAttributes.class);
        checkIdentity(attributes, (Integer) Files.getAttribute(file.proc(), "unix:nlink"), expected, relative);
    }

    private static void checkIdentity(BasicFileAttributes attributes, int links, FileIdentity expected,
            Path relative) throws FileChangedException {
        if (!attributes.isRegularFile()) {
            throw new FileChangedException(relative + " is no longer a regular file");
        }
        if (links != 1) {
            // A hard link may be any file on the node's file system (/etc/shadow): never read or delete one.
            throw new FileChangedException(relative + " has " + links + " hard links");
        }
        FileIdentity now = FileIdentity.of(attributes);
        if (!now.equals(expected)) {
            throw new FileChangedException(relative + " changed: was " + expected.describe() + ", now "
                    + now.describe());
        }
    }

    /** Opens the folder {@code relative} itself, walking from the root without following any symlink. */
    private Descriptor openFolder(Path relative) throws IOException {
        try (Descriptor parent = openParent(relative)) {
            return parent.openFolder(relative);
        }
    }

    /** Opens the folder holding {@code relative}, walking from the root without following any symlink. */
    private Descriptor openParent(Path relative) throws IOException {
        if (relative.isAbsolute() || !relative.normalize().equals(relative) || relative.getNameCount() == 0
                || relative.toString().isEmpty()) {
            throw new IllegalArgumentException("expected a normalized relative path, got " + relative);
        }
        for (Path part : relative) {
            if (part.toString().equals("..") || part.toString().equals(".")) {
                throw new IllegalArgumentException("path escapes the watch dir: " + relative);
            }
        }
        Descriptor current = new Descriptor(Posix.openat(Posix.AT_FDCWD, root.toString(), Posix.DIRECTORY_FLAGS,
                root));
        try {
            Path parent = relative.getParent();
            if (parent != null) {
                Path walked = Path.of("");
                for (Path part : parent) {
                    walked = walked.resolve(part);
                    Descriptor next = current.openFolder(walked);
                    current.close();
                    current = next;
                }
            }
            return current;
        } catch (IOException | RuntimeException e) {
            current.close();
            throw e;
        }
    }

    /** An open descriptor of a folder or file below the watch dir; closed exactly once. */
    private static final class Descriptor implements AutoCloseable {
        final int fd;
        private boolean closed;

        Descriptor(int fd) {
            this.fd = fd;
        }

        /** {@code /proc/self/fd/N}: a path that names exactly what this descriptor holds, whatever happens to names. */
        Path proc() {
            return Path.of("/proc/self/fd", Integer.toString(fd));
        }

        /** The entry {@code relative.getFileName()} in this folder, resolved from the descriptor, not from a name. */
        Path child(Path relative) {
            return proc().resolve(relative.getFileName().toString());
        }

        Descriptor openFolder(Path relative) throws IOException {
            return new Descriptor(Posix.openat(fd, relative.getFileName().toString(), Posix.DIRECTORY_FLAGS,
                    relative));
        }

        Descriptor openFile(Path relative) throws IOException {
            try {
                return new Descriptor(Posix.openat(fd, relative.getFileName().toString(), Posix.FILE_FLAGS,
                        relative));
            } catch (FileSystemException e) {
                if (e instanceof NoSuchFileException || e instanceof java.nio.file.AccessDeniedException) {
                    throw e;
                }
                // A symlink (ELOOP), a socket (ENXIO): not a regular file.
                throw new FileChangedException(relative + " is no longer a regular file: " + e.getReason());
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                Posix.close(fd);
            }
        }
    }
}
