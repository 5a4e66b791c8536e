package io.dumpsink.agent.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay between the agent and the S3 server, for injecting network faults for real: it counts the bytes
 * sent upstream, can throttle them, and can cut every open connection at once.
 */
public final class TcpRelay implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final AtomicLong upstreamBytes = new AtomicLong();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile long bytesPerSecond;
    private volatile long downstreamBytesPerSecond;
    private volatile boolean closed;

    public TcpRelay(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "relay-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Bytes the client has sent towards the server, across all connections. */
    public long upstreamBytes() {
        return upstreamBytes.get();
    }

    /** Limits client-to-server throughput (0: unlimited). */
    public void throttle(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
    }

    /** Limits server-to-client throughput of each connection (0: unlimited), to slow a download down. */
    public void throttleDownstream(long bytesPerSecond) {
        this.downstreamBytesPerSecond = bytesPerSecond;
    }

    /** Closes every open connection (requests in flight fail with a reset). */
    public void cutAll() {
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                // already closed
            }
        }
        sockets.clear();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket upstream;
                try {
                    upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                } catch (IOException e) {
                    client.close(); // the server is down: the client sees the connection drop
                    continue;
                }
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream, true);
                pump(upstream, client, false);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to, boolean countUpstream) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                long windowStart = System.nanoTime();
                long windowBytes = 0;
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    if (countUpstream) {
                        upstreamBytes.addAndGet(n);
                    }
                    long limit = countUpstream ? bytesPerSecond : downstreamBytesPerSecond;
                    if (limit > 0) {
                        windowBytes += n;
                        long dueNanos = windowBytes * 1_000_000_000L / limit;
                        long aheadNanos = dueNanos - (System.nanoTime() - windowStart);
                        if (aheadNanos > 0) {
                            Thread.sleep(aheadNanos / 1_000_000, (int) (aheadNanos % 1_000_000));
                        }
                    }
                }
            } catch (IOException | InterruptedException e) {
                // connection cut or closed
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException e) {
                    // ignore
                }
            }
        }, "relay-pump");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        cutAll();
    }
}
