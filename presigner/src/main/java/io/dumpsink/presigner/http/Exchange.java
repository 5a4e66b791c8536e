package io.dumpsink.presigner.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One HTTP request and its response, as the routes see it: the few things they read and write, kept apart from
 * the server library (Jetty's core API) so that routes do not depend on it. A response is sent once, by
 * {@link #send}; the server sends an error body for a route that throws before that.
 */
public final class Exchange {
    private final Request request;
    private final Response response;
    private final Callback callback;
    private int status;

    Exchange(Request request, Response response, Callback callback) {
        this.request = request;
        this.response = response;
        this.callback = callback;
    }

    /** GET, POST, ... as the client sent it. */
    public String method() {
        return request.getMethod();
    }

    /** The path as sent, still percent-encoded. */
    public String rawPath() {
        return request.getHttpURI().getPath();
    }

    /** The query string as sent (percent-encoded), or null. */
    public String rawQuery() {
        return request.getHttpURI().getQuery();
    }

    /** The first value of a request header, or null. */
    public String requestHeader(String name) {
        return request.getHeaders().get(name);
    }

    /** Sets (replaces) a response header; effective until {@link #send}. */
    public void setResponseHeader(String name, String value) {
        response.getHeaders().put(name, value);
    }

    /** The request body; the server bounds how slowly it may arrive. */
    public InputStream requestBody() {
        return Request.asInputStream(request);
    }

    /** Writes a streamed response body. */
    @FunctionalInterface
    public interface BodyWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Sends the status and the headers set so far, then what {@code body} writes (chunked, or with a Content-Length
     * header set before), and completes the exchange: for answers too large to hold in memory, such as a download.
     * Blocks while the client reads slowly (a thread per such download). A failure after the headers left cannot
     * change the status any more: the connection is then cut, and the exception rethrown.
     */
    public void stream(int status, String contentType, BodyWriter body) throws IOException {
        if (sent()) {
            throw new IllegalStateException("response already sent");
        }
        this.status = status;
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        try (OutputStream out = Content.Sink.asOutputStream(response)) {
            if (!"HEAD".equals(request.getMethod())) {
                body.writeTo(out);
            }
        } catch (IOException | RuntimeException e) {
            callback.failed(e);
            throw e;
        }
        callback.succeeded();
    }

    /** The client's IP address (the peer of this connection: a proxy's when there is one). */
    public String clientAddress() {
        return Request.getRemoteAddr(request);
    }

    /** The status sent, 0 before {@link #send}. */
    public int status() {
        return status;
    }

    boolean sent() {
        return status != 0;
    }

    /**
     * Sends the status, the headers set so far and the body (none for HEAD), and completes the exchange. The write
     * finishes in the background: a slow reader holds a buffer, not a thread.
     */
    public void send(int status, String contentType, byte[] body) {
        if (sent()) {
            throw new IllegalStateException("response already sent");
        }
        this.status = status;
        response.setStatus(status);
        if (contentType != null) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        }
        boolean head = "HEAD".equals(request.getMethod());
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, (long) body.length);
        response.write(true, head ? null : ByteBuffer.wrap(body), callback);
    }
}
