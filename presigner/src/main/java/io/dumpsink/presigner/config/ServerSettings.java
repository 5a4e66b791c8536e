package io.dumpsink.presigner.config;

import io.dumpsink.core.config.ConfigReader;
import java.time.Duration;

/**
 * How the HTTP server defends itself: thread counts, how long a silent or slow client may hold a connection, how
 * large request headers may be, and the separate management port (probes, metrics) that API load cannot starve.
 */
public record ServerSettings(int managementPort, int apiThreads, Duration idleTimeout, int maxHeaderBytes,
        long minBodyBytesPerSecond) {

    public static ServerSettings from(ConfigReader r) {
        int managementPort = r.port("dumpsink.presigner.management-port");
        int port = r.port("dumpsink.presigner.port");
        if (managementPort != 0 && managementPort == port) {
            r.problem("dumpsink.presigner.management-port", "must differ from dumpsink.presigner.port (" + port
                    + "): probes and /metrics need a listener of their own");
        }
        Duration idle = r.positiveDuration("dumpsink.presigner.server.idle-timeout");
        long headerBytes = r.bytesAtLeast("dumpsink.presigner.server.max-header-size", 1024);
        if (headerBytes > 1024 * 1024) {
            r.problem("dumpsink.presigner.server.max-header-size", "at most 1MiB");
        }
        return new ServerSettings(managementPort, r.intInRange("dumpsink.presigner.server.threads", 8, 1000), idle,
                (int) Math.min(headerBytes, 1024 * 1024),
                r.bytesAtLeast("dumpsink.presigner.server.min-body-rate", 0));
    }
}
