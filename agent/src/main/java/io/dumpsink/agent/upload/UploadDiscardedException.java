package io.dumpsink.agent.upload;

import java.io.IOException;

/**
 * The store says a multipart upload cannot be completed as journaled (NoSuchUpload after a sweep or a lifecycle
 * abort, InvalidPart): the upload was aborted and the dump starts over at its next attempt. A fault of that one
 * upload, not the store refusing the agent, so it neither turns readiness false nor waits the long backoff.
 */
public final class UploadDiscardedException extends IOException {
    UploadDiscardedException(String message, Throwable cause) {
        super(message, cause);
    }
}
