package io.dumpsink.agent.journal;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.ArrayList;
import java.util.List;

/**
 * What survives an agent crash about one upload in progress: which file (path and identity), where it goes (key,
 * uploadId), how it is encoded, and every part known to be stored with the input range it covers. Parts cover
 * consecutive input ranges in part-number order, so the first missing part tells where reading resumes.
 *
 * @param identity    {@link io.dumpsink.agent.fs.FileIdentity#describe()} of the file when the upload started
 * @param compression {@code zstd} or {@code none}: a resumed upload must continue with the same
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record JournalEntry(int version, String relativePath, String identity, String key, String uploadId,
        String compression, long startedAtEpochMilli, List<Part> parts) {

    public static final int CURRENT_VERSION = 1;

    /**
     * One stored part: its number and ETag, the input bytes [inputStart, inputEnd) it encodes, its size.
     *
     * @param frames    compressed size of each zstd frame in the part, in order, so that a resumed upload can still
     *                  write the object's seek table; null for uncompressed parts and in journals written before
     *                  seek tables existed (such an upload completes without a table)
     * @param chunkSize input bytes per frame when the part was made: every frame holds that much except the
     *                  file's last one (0 when {@code frames} is null)
     * @param trailer   bytes at the end of the part that are the seek table, not frames (only in the last part)
     */
    public record Part(int number, String etag, long inputStart, long inputEnd, long size, List<Integer> frames,
            int chunkSize, int trailer) {

        /** A part without frame sizes (uncompressed, or journaled before seek tables existed). */
        public Part(int number, String etag, long inputStart, long inputEnd, long size) {
            this(number, etag, inputStart, inputEnd, size, null, 0, 0);
        }
    }

    public JournalEntry withPart(Part part) {
        List<Part> more = new ArrayList<>(parts);
        more.add(part);
        more.sort(java.util.Comparator.comparingInt(Part::number));
        return new JournalEntry(version, relativePath, identity, key, uploadId, compression, startedAtEpochMilli,
                List.copyOf(more));
    }
}
