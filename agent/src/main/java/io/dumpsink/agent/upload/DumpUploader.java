package io.dumpsink.agent.upload;

import io.dumpsink.agent.settle.SettledDump;
import java.io.IOException;

/**
 * Turns a settled dump file into one complete object in the bucket.
 *
 * <p>After success: a complete object exists at {@code key}, holding exactly the file's bytes as they were when
 * the dump settled (compressed as configured), and the result says what was stored. After a transient failure
 * (I/O, timeouts, 5xx, no memory for buffers: {@link BufferAllocationException}) or an interruption: no object was completed, the parts stored so far and their journal are
 * kept, and calling again resumes after them. After any other failure: the multipart upload was aborted (best
 * effort: an unreachable store keeps it until the orphan sweep or the bucket's abort-incomplete rule removes it)
 * and calling again starts over. The local file is never modified. A
 * {@link io.dumpsink.agent.fs.FileChangedException} means the file changed while it was read: it is a different
 * dump now and must settle again.
 */
public interface DumpUploader {
    UploadResult upload(SettledDump dump, String key) throws IOException, InterruptedException;
}
