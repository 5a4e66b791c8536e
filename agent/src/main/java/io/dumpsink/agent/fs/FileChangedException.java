package io.dumpsink.agent.fs;

import java.io.IOException;

/** The file is gone, replaced, or no longer has the identity it had when it settled. Not retried as-is. */
public final class FileChangedException extends IOException {
    private static final long serialVersionUID = 1L;

    public FileChangedException(String message) {
        super(message);
    }
}
