package io.dumpsink.agent.upload;

import io.dumpsink.agent.journal.JournalEntry;
import io.dumpsink.agent.journal.UploadJournal;
import java.io.IOException;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Uploads the parts of one multipart upload on the part-sender pool, numbered on from the parts its journal entry
 * already holds, and journals each part the store has taken, with the input range it encodes.
 *
 * <p>A part is journaled only after the store returned its ETag, so after any failure the journal lists only parts
 * the store has (a part stored but not journaled, when the agent dies in between, is sent again by the next
 * attempt). Whether its upload succeeded or failed, once it returns the part's buffer is handed back through the
 * callback given with it. A failed part fails the upload when it is awaited: by {@link #failFast()} or
 * {@link #awaitAll()}. The calling thread numbers and sends parts; sender threads only upload and journal.
 */
final class PartSender {
    private final S3Client s3;
    private final String bucket;
    private final String key;
    private final String uploadId;
    private final UploadJournal journal;
    private final ExecutorService partSenders;
    private final AttemptTasks tasks;
    private final List<Future<CompletedPart>> sending = new ArrayList<>();
    private final List<CompletedPart> completed = new ArrayList<>();
    /** Written by sender threads, one stored part at a time. */
    private JournalEntry entry;
    private int lastNumber;
    private long bytesStored;

    PartSender(S3Client s3, String bucket, UploadJournal journal, JournalEntry entry,
            ExecutorService partSenders, AttemptTasks tasks) {
        this.s3 = s3;
        this.bucket = bucket;
        this.key = entry.key();
        this.uploadId = entry.uploadId();
        this.journal = journal;
        this.entry = entry;
        this.partSenders = partSenders;
        this.tasks = tasks;
        for (JournalEntry.Part part : entry.parts()) {
            completed.add(CompletedPart.builder().partNumber(part.number()).eTag(part.etag()).build());
            bytesStored += part.size();
            lastNumber = part.number();
        }
    }

    /** The number of the last part sent or stored before; 0 when there is none. */
    int lastNumber() {
        return lastNumber;
    }

    /** Bytes of all parts stored before and sent since, whether or not their uploads returned yet. */
    long bytesStored() {
        return bytesStored;
    }

    /**
     * Uploads {@code content} (read only, from its position to its limit) and then {@code trailer} (the seek table,
     * or nothing) as the next part, encoding the input bytes [{@code inputStart}, {@code inputEnd}) in frames of
     * the compressed sizes {@code frames} (null when not compressed), each of {@code chunkSize} input bytes but the
     * file's last; {@code whenReturned} runs on the sender thread once the upload returned, stored or not, and no
     * longer reads the content.
     */
    void send(ByteBuffer content, ByteBuffer trailer, long inputStart, long inputEnd, List<Integer> frames,
            int chunkSize, Runnable whenReturned) {
        final int trailerLength = trailer.remaining();
        final int length = content.remaining() + trailerLength;
        final int number = ++lastNumber;
        bytesStored += length;
        sending.add(tasks.submit(partSenders, () -> {
            try {
                // Integrity on the way: the SDK's checksum where the store takes one (AWS), else the payload's
                // SHA-256 in the SigV4 signature (S3Clients), which the store verifies.
                UploadPartResponse response = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                                .partNumber(number).contentLength((long) length),
                        RequestBody.fromContentProvider(() -> new SequenceInputStream(
                                        new ByteBufferInputStream(content.duplicate()),
                                        new ByteBufferInputStream(trailer.duplicate())),
                                length, "application/octet-stream"));
                journal(new JournalEntry.Part(number, response.eTag(), inputStart, inputEnd, length, frames,
                        frames == null ? 0 : chunkSize, trailerLength));
                return CompletedPart.builder().partNumber(number).eTag(response.eTag()).build();
            } finally {
                whenReturned.run();
            }
        }));
    }

    /** Surfaces a part that already failed, instead of waiting for buffers that will never come back. */
    void failFast() throws IOException, InterruptedException {
        for (Future<CompletedPart> sent : sending) {
            if (sent.isDone()) {
                AttemptTasks.await(sent);
            }
        }
    }

    /** Waits for every part sent; all parts of the upload in number order, those stored before included. */
    List<CompletedPart> awaitAll() throws IOException, InterruptedException {
        for (Future<CompletedPart> sent : sending) {
            completed.add(AttemptTasks.await(sent));
        }
        return completed;
    }

    /** Runs on sender threads: one journal write per stored part, in any order, never after the attempt ended. */
    private synchronized void journal(JournalEntry.Part stored) throws IOException {
        JournalEntry next = entry.withPart(stored);
        if (tasks.whileOpen(() -> journal.save(next))) {
            entry = next;
        }
    }
}
