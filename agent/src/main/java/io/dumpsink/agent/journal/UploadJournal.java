package io.dumpsink.agent.journal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.agent.config.PipelineSettings;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One small JSON file per upload in progress, under {@code <state-dir>/uploads/}, so that an agent killed with
 * SIGKILL (or a node that reboots) continues each upload where it stopped instead of sending it again. Every write
 * is atomic and durable: a temp file is written and fsynced, renamed over the old one, and the folder fsynced, so
 * after a crash each journal is either the previous or the new version, never half of one. An unreadable journal
 * is treated as absent (the upload starts over; its orphaned multipart upload is aborted later).
 *
 * <p>Writes of one journal never interleave: part senders of a cancelled attempt may still save while the next
 * attempt does, so each write holds a lock for its journal file and uses a temp file of its own. Temp files a crash
 * left behind are never read and are removed at startup, by {@link #removeStaleTempFiles()}.
 */
@Singleton
public final class UploadJournal {
    private static final Logger log = LoggerFactory.getLogger(UploadJournal.class);
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final String TEMP_SUFFIX = ".tmp";
    private final Path dir;
    /** Striped by journal file: writes of one journal take turns, writes of different ones mostly do not wait. */
    private final Object[] locks = new Object[16];

    @Inject
    UploadJournal(PipelineSettings settings) {
        this.dir = settings.stateDir().resolve("uploads");
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
    }

    public Optional<JournalEntry> find(Path relative) {
        Path file = fileFor(relative.toString());
        try {
            JournalEntry entry = JSON.readValue(Files.readAllBytes(file), JournalEntry.class);
            return relative.toString().equals(entry.relativePath()) ? Optional.of(entry) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            log.warn("Ignoring unreadable journal file={} error={}", file, e.toString());
            return Optional.empty();
        }
    }

    public List<JournalEntry> all() throws IOException {
        List<JournalEntry> entries = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return entries;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path file : files) {
                try {
                    entries.add(JSON.readValue(Files.readAllBytes(file), JournalEntry.class));
                } catch (IOException e) {
                    log.warn("Ignoring unreadable journal file={} error={}", file, e.toString());
                }
            }
        }
        return entries;
    }

    /** Replaces the journal of {@code entry}'s file, atomically and durably. */
    public void save(JournalEntry entry) throws IOException {
        byte[] json = JSON.writeValueAsBytes(entry);
        Path target = fileFor(entry.relativePath());
        synchronized (lockFor(target)) {
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, target.getFileName() + ".", TEMP_SUFFIX);
            try {
                try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    channel.write(java.nio.ByteBuffer.wrap(json));
                    channel.force(true);
                }
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the state dir does not support atomic renames: " + dir, e);
            } finally {
                Files.deleteIfExists(temp); // gone after the rename; left only when writing failed
            }
            syncDirectory();
        }
    }

    public void delete(String relativePath) {
        Path target = fileFor(relativePath);
        synchronized (lockFor(target)) {
            try {
                Files.deleteIfExists(target);
                syncDirectory();
            } catch (IOException e) {
                log.warn("Cannot delete journal path={} error={}", relativePath, e.toString());
            }
        }
    }

    /**
     * Removes the temp files of writes a crash interrupted. Only safe before uploads start: a temp file of a save
     * in progress looks the same. A file that cannot be removed stays; it is never read.
     */
    public void removeStaleTempFiles() {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, "*" + TEMP_SUFFIX)) {
            for (Path temp : temps) {
                Files.deleteIfExists(temp);
                log.info("Removed stale journal temp file file={}", temp);
            }
        } catch (IOException e) {
            log.warn("Cannot remove stale journal temp files dir={} error={}", dir, e.toString());
        }
    }

    private Object lockFor(Path journalFile) {
        return locks[Math.floorMod(journalFile.hashCode(), locks.length)];
    }

    private void syncDirectory() throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** File names are hashes: paths from the watch dir may hold any character. */
    private Path fileFor(String relativePath) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(relativePath.getBytes(StandardCharsets.UTF_8));
            return dir.resolve(HexFormat.of().formatHex(digest, 0, 16) + ".json");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
