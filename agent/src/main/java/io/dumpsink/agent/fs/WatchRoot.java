package io.dumpsink.agent.fs;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The only way the agent touches files below the watch dir, which pods control. Every operation walks from the
 * watch dir one folder at a time with {@code openat(O_NOFOLLOW)} (Java's {@link SecureDirectoryStream}), so a
 * symlink planted at any depth, or a folder swapped for a symlink between two calls, fails the operation instead of
 * leading outside. Only regular files are opened, read or deleted.
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

    /**
     * Moves a regular file that still has {@code expected} identity into {@code targetFolder} (an existing folder
     * below the watch dir, reached the same way), under the same name: one {@code renameat} on the same file
     * system, so the file keeps its inode, size and modification time, and its old name is free at once.
     *
     * @throws FileChangedException when the file is gone or changed; nothing was moved
     */
    public void moveIfUnchanged(Path relative, FileIdentity expected, Path targetFolder) throws IOException {
        try (SecureDirectoryStream<Path> parent = openParent(relative);
                SecureDirectoryStream<Path> target = openFolder(targetFolder)) {
            Path name = relative.getFileName();
            checkUnchanged(parent, name, expected, relative);
            parent.move(name, target, name);
        } catch (NoSuchFileException e) {
            throw new FileChangedException(relative + " disappeared");
        }
    }

    /** Deletes {@code relative} and then each parent folder up to (not including) {@code stop}, while empty. */
    public void deleteEmptyFolders(Path relative, Path stop) {
        for (Path folder = relative; folder != null && !folder.equals(stop) && folder.startsWith(stop);
                folder = folder.getParent()) {
            try (SecureDirectoryStream<Path> parent = openParent(folder)) {
                parent.deleteDirectory(folder.getFileName());
            } catch (IOException e) {
                return; // not empty (or gone): leave it
            }
        }
    }

    /** The path of {@code file} relative to the watch dir, or an exception when it is not below it. */
    public Path relativize(Path file) {
        Path normalized = file.toAbsolutePath().normalize();
        if (!normalized.startsWith(root) || normalized.equals(root)) {
            throw new IllegalArgumentException("not below the watch dir " + root + ": " + file);
        }
        return root.relativize(normalized);
    }

    /** Attributes of the file itself (never a link target). */
    public BasicFileAttributes stat(Path relative) throws IOException {
        try (SecureDirectoryStream<Path> parent = openParent(relative)) {
            return parent.getFileAttributeView(relative.getFileName(), BasicFileAttributeView.class, NOFOLLOW)
                    .readAttributes();
        }
    }

    /**
     * The entries of the folder holding {@code relative} whose names start with {@code prefix}, with their own
     * attributes (never a link target): how the settle stage sees a heap dump's segment files beside it.
     */
    public java.util.Map<String, BasicFileAttributes> siblings(Path relative, String prefix) throws IOException {
        java.util.Map<String, BasicFileAttributes> found = new java.util.TreeMap<>();
        try (SecureDirectoryStream<Path> parent = openParent(relative)) {
            for (Path entry : parent) {
                String name = entry.getFileName().toString();
                if (name.startsWith(prefix)) {
                    try {
                        found.put(name, parent.getFileAttributeView(entry.getFileName(),
                                BasicFileAttributeView.class, NOFOLLOW).readAttributes());
                    } catch (NoSuchFileException e) {
                        // gone between listing and stat: not there
                    }
                }
            }
        }
        return found;
    }

    /**
     * Opens a regular file for reading when it still has {@code expected} identity. The caller closes the channel.
     *
     * @throws FileChangedException when the file is gone, is no longer a regular file or has changed
     */
    public SeekableByteChannel openForRead(Path relative, FileIdentity expected) throws IOException {
        try (SecureDirectoryStream<Path> parent = openParent(relative)) {
            Path name = relative.getFileName();
            checkUnchanged(parent, name, expected, relative);
            SeekableByteChannel channel = parent.newByteChannel(name,
                    Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
            try {
                // The name could have been swapped between the check and the open: check again, now that
                // the file is held open, and compare sizes through the channel itself.
                checkUnchanged(parent, name, expected, relative);
                if (channel.size() != expected.size()) {
                    throw new FileChangedException(relative + " changed size while being opened");
                }
                return channel;
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (NoSuchFileException e) {
            throw new FileChangedException(relative + " disappeared");
        }
    }

    /**
     * Deletes the file when it still has {@code expected} identity; a file that changed since it was uploaded is a
     * new dump and stays.
     *
     * @throws FileChangedException when the file changed; nothing was deleted
     */
    public void deleteIfUnchanged(Path relative, FileIdentity expected) throws IOException {
        try (SecureDirectoryStream<Path> parent = openParent(relative)) {
            Path name = relative.getFileName();
            checkUnchanged(parent, name, expected, relative);
            parent.deleteFile(name);
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
        try (SecureDirectoryStream<Path> parent = openParent(relative)) {
            PosixFileAttributeView view = parent.getFileAttributeView(relative.getFileName(),
                    PosixFileAttributeView.class, NOFOLLOW);
            PosixFileAttributes attributes = view.readAttributes();
            if (!attributes.isDirectory() || !"root".equals(attributes.owner().getName())
                    || attributes.permissions().contains(PosixFilePermission.OTHERS_WRITE)) {
                return false;
            }
            view.setPermissions(PosixFilePermissions.fromString("rwxrwxrwx"));
            return true;
        }
    }

    private static void checkUnchanged(SecureDirectoryStream<Path> parent, Path name, FileIdentity expected,
            Path relative) throws IOException {
        BasicFileAttributes attributes = parent.getFileAttributeView(name, BasicFileAttributeView.class, NOFOLLOW)
                .readAttributes();
        if (!attributes.isRegularFile()) {
            throw new FileChangedException(relative + " is no longer a regular file");
        }
        FileIdentity now = FileIdentity.of(attributes);
        if (!now.equals(expected)) {
            throw new FileChangedException(relative + " changed: was " + expected.describe() + ", now "
                    + now.describe());
        }
    }

    /** Opens the folder {@code relative} itself, walking from the root without following any symlink. */
    private SecureDirectoryStream<Path> openFolder(Path relative) throws IOException {
        SecureDirectoryStream<Path> parent = openParent(relative);
        try (parent) {
            return parent.newDirectoryStream(relative.getFileName(), NOFOLLOW);
        }
    }

    /** Opens the folder holding {@code relative}, walking from the root without following any symlink. */
    private SecureDirectoryStream<Path> openParent(Path relative) throws IOException {
        if (relative.isAbsolute() || !relative.normalize().equals(relative) || relative.getNameCount() == 0) {
            throw new IllegalArgumentException("expected a normalized relative path, got " + relative);
        }
        for (Path part : relative) {
            if (part.toString().equals("..") || part.toString().equals(".")) {
                throw new IllegalArgumentException("path escapes the watch dir: " + relative);
            }
        }
        DirectoryStream<Path> rootStream = Files.newDirectoryStream(root);
        if (!(rootStream instanceof SecureDirectoryStream<Path> current)) {
            rootStream.close();
            throw new IOException("this platform has no openat(); refusing to work on an untrusted folder");
        }
        try {
            Path parent = relative.getParent();
            if (parent != null) {
                for (Path part : parent) {
                    SecureDirectoryStream<Path> next = current.newDirectoryStream(part, NOFOLLOW);
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
}
