package io.dumpsink.agent.upload;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.agent.fs.FileChangedException;
import io.dumpsink.agent.fs.FileIdentity;
import io.dumpsink.agent.journal.JournalEntry;
import io.dumpsink.agent.journal.UploadJournal;
import io.dumpsink.core.config.S3Settings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.Part;

/**
 * Decides where an upload begins: after the parts an earlier attempt stored, or at a new multipart upload.
 *
 * <p>An earlier attempt is resumed when its journal is of this very file (same identity), to the same key, with the
 * same compression, and the store still has its upload. ListParts is the truth: of the journaled parts, the longest
 * run from part 1 that the store has with the same ETag and size is kept, and the parts after it are sent again. A
 * journal of another file version, key or compression is discarded and its upload aborted; one whose upload the
 * store no longer has is only deleted. A new upload is journaled before its first part is sent.
 *
 * <p>After {@link #begin} returns, the journal names the upload to continue (for a resumed one it may still list
 * parts after the kept run, until the first part stored rewrites it). When it throws (the store unreachable, the
 * journal unwritable), any journal left is still good for the next attempt; a new upload whose journal could not be
 * written is left to the orphan sweep, which aborts uploads no journal knows.
 */
@Singleton
final class Resumer {
    /** The upload's lines keep the logger name people and their log queries know them by. */
    private static final Logger log = LoggerFactory.getLogger(MultipartUploader.class);

    private final S3Client s3;
    private final String bucket;
    private final UploadJournal journal;
    private final UploadAborter aborter;
    private final Clock clock;

    @Inject
    Resumer(S3Client s3, S3Settings s3Settings, UploadJournal journal, UploadAborter aborter, Clock clock) {
        this.s3 = s3;
        this.bucket = s3Settings.bucket();
        this.journal = journal;
        this.aborter = aborter;
        this.clock = clock;
    }

    /**
     * The journal entry of the upload to continue: its parts are the ones the store has, from part 1 on, and none
     * for a new upload.
     */
    JournalEntry begin(Path relative, FileIdentity identity, String key, String compression, String contentType)
            throws IOException {
        Optional<JournalEntry> resumable = resumable(relative, identity, key, compression);
        if (resumable.isPresent()) {
            JournalEntry entry = resumable.get();
            JournalEntry.Part last = entry.parts().isEmpty() ? null : entry.parts().get(entry.parts().size() - 1);
            log.info("Upload resumed path={} key={} uploadId={} storedParts={} fromByte={}", relative, key,
                    entry.uploadId(), entry.parts().size(), last == null ? 0 : last.inputEnd());
            return entry;
        }
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key).contentType(contentType))
                .uploadId();
        JournalEntry entry = new JournalEntry(JournalEntry.CURRENT_VERSION, relative.toString(), identity.describe(),
                key, uploadId, compression, clock.millis(), List.of());
        journal.save(entry);
        log.info("Upload started path={} key={} size={} uploadId={}", relative, key, identity.size(), uploadId);
        return entry;
    }

    /**
     * The journal of an upload of this very file to this key, cut to the parts the store really has; empty when
     * there is nothing to resume, in which case a stale journal's multipart upload is aborted.
     */
    private Optional<JournalEntry> resumable(Path relative, FileIdentity identity, String key, String compression) {
        Optional<JournalEntry> found = journal.find(relative);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        JournalEntry entry = found.get();
        if (!entry.identity().equals(identity.describe()) || !entry.key().equals(key)
                || !entry.compression().equals(compression)) {
            log.info("Discarding journal path={} reason=file-or-settings-changed uploadId={}", relative,
                    entry.uploadId());
            aborter.abort(entry.key(), entry.uploadId(), entry.relativePath(),
                    new FileChangedException("journal does not match"));
            return Optional.empty();
        }
        Map<Integer, Part> stored = new HashMap<>();
        try {
            s3.listPartsPaginator(b -> b.bucket(bucket).key(key).uploadId(entry.uploadId())).parts()
                    .forEach(part -> stored.put(part.partNumber(), part));
        } catch (NoSuchUploadException e) {
            log.info("Discarding journal path={} reason=upload-gone uploadId={}", relative, entry.uploadId());
            journal.delete(entry.relativePath());
            return Optional.empty();
        }
        List<JournalEntry.Part> prefix = new ArrayList<>();
        for (JournalEntry.Part part : entry.parts()) {
            Part inStore = stored.get(part.number());
            long expectedStart = prefix.isEmpty() ? 0 : prefix.get(prefix.size() - 1).inputEnd();
            if (part.number() != prefix.size() + 1 || part.inputStart() != expectedStart || inStore == null
                    || !part.etag().equals(inStore.eTag()) || part.size() != inStore.size()) {
                break;
            }
            prefix.add(part);
        }
        return Optional.of(new JournalEntry(entry.version(), entry.relativePath(), entry.identity(), key,
                entry.uploadId(), compression, entry.startedAtEpochMilli(), List.copyOf(prefix)));
    }
}
