package io.dumpsink.presigner.http;

/** A request that cannot be served as asked: its status and a message safe to show the caller. */
public final class HttpError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public HttpError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
