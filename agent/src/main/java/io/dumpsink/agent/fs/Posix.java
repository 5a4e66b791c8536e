package io.dumpsink.agent.fs;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * The few libc calls {@link WatchRoot} needs on descriptors, through JNA: {@code openat} with flags Java does not
 * offer (O_NONBLOCK, O_DIRECTORY), {@code unlinkat}, {@code renameat}, {@code close}. Flag values are Linux's, which
 * differ between x86_64 and aarch64; other platforms are refused when this class loads. Errors become the
 * {@link java.nio.file} exceptions Java's own calls throw, with the errno's text.
 */
final class Posix {
    static final int AT_FDCWD = -100;
    static final int AT_REMOVEDIR = 0x200;
    static final int O_RDONLY = 0;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    static final int O_DIRECTORY;
    static final int O_NOFOLLOW;

    private static final int ENOENT = 2;
    private static final int EACCES = 13;
    private static final int EPERM = 1;
    private static final int EEXIST = 17;
    private static final int ENOTDIR = 20;
    private static final int ENOTEMPTY = 39;
    private static final int ELOOP = 40;

    static {
        String arch = System.getProperty("os.arch");
        if (!System.getProperty("os.name").equals("Linux")) {
            throw new UnsupportedOperationException("the agent runs on Linux nodes only, not " + System.getProperty(
                    "os.name"));
        }
        switch (arch) {
            case "amd64", "x86_64" -> {
                O_DIRECTORY = 0x10000;
                O_NOFOLLOW = 0x20000;
            }
            case "aarch64", "arm64" -> {
                O_DIRECTORY = 0x4000;
                O_NOFOLLOW = 0x8000;
            }
            default -> throw new UnsupportedOperationException("open flags unknown for architecture " + arch
                    + "; the agent supports x86_64 and aarch64 nodes");
        }
    }

    /** Folders: never a symlink, never anything but a folder, and opening never blocks (a FIFO fails ENOTDIR). */
    static final int DIRECTORY_FLAGS = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
    /** Files: never a symlink, and opening never blocks (a FIFO opens at once and is then refused by its type). */
    static final int FILE_FLAGS = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;

    private interface LibC extends Library {
        int openat(int dirfd, String path, int flags, int mode) throws LastErrorException;

        int unlinkat(int dirfd, String path, int flags) throws LastErrorException;

        int renameat(int olddirfd, String oldpath, int newdirfd, String newpath) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private static final LibC LIBC = Native.load("c", LibC.class);

    private Posix() {
    }

    static int openat(int dirfd, String name, int flags, Path forErrors) throws IOException {
        try {
            return LIBC.openat(dirfd, name, flags, 0);
        } catch (LastErrorException e) {
            throw translate(e, forErrors);
        }
    }

    static void unlinkat(int dirfd, String name, int flags, Path forErrors) throws IOException {
        try {
            LIBC.unlinkat(dirfd, name, flags);
        } catch (LastErrorException e) {
            throw translate(e, forErrors);
        }
    }

    static void renameat(int fromDir, String fromName, int toDir, String toName, Path forErrors) throws IOException {
        try {
            LIBC.renameat(fromDir, fromName, toDir, toName);
        } catch (LastErrorException e) {
            throw translate(e, forErrors);
        }
    }

    static void close(int fd) {
        try {
            LIBC.close(fd);
        } catch (LastErrorException e) {
            // EBADF or EINTR: the descriptor is gone either way (Linux closes it even on EINTR)
        }
    }

    private static IOException translate(LastErrorException e, Path path) {
        String file = path.toString();
        String reason = e.getMessage();
        return switch (e.getErrorCode()) {
            case ENOENT -> new NoSuchFileException(file);
            case EACCES, EPERM -> new AccessDeniedException(file, null, reason);
            case EEXIST -> new FileAlreadyExistsException(file);
            case ENOTDIR -> new NotDirectoryException(file);
            case ENOTEMPTY -> new DirectoryNotEmptyException(file);
            case ELOOP -> new FileSystemException(file, null, "is a symbolic link (not followed): " + reason);
            default -> new FileSystemException(file, null, reason);
        };
    }
}
