package io.dumpsink.agent.upload;

import io.dumpsink.agent.settle.SettledDump;
import java.io.IOException;

/**
 * Turns a settled dump file into one complete object in the bucket.
 *
 * <p>After success: a complete object exists at {@code key}, holding exactly the file's bytes as they were when
 * the dump settled (compressed as configured), and the result says what was stored. After any failure: the
 * multipart upload this call created was aborted (best effort: an unreachable store keeps it until the bucket's
 * abort-incomplete rule removes it), no object at {@code key} was completed, and the local file is untouched; the
 * caller may simply call again. A {@link io.dumpsink.agent.fs.FileChangedException} means the file changed while
 * it was read: it is a different dump now and must settle again.
 */
public interface DumpUploader {
    UploadResult upload(SettledDump dump, String key) throws IOException, InterruptedException;
}
