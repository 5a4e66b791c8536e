package io.dumpsink.core.config;

import io.dumpsink.core.layout.KeyLayout;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Where this process sits: the cluster name and the node name that start every object key. */
public record ClusterSettings(String cluster, String node) {

    public static ClusterSettings from(ConfigReader r) {
        String cluster = r.nonBlank("dumpsink.cluster", "set it to a name for this cluster, e.g. prod-eu1");
        String node = r.string("dumpsink.node");
        if (node.isBlank()) {
            node = localHostName();
        }
        checkSegment(r, "dumpsink.cluster", cluster);
        checkSegment(r, "dumpsink.node", node);
        return new ClusterSettings(cluster, node);
    }

    /** Key segments must be safe as they are: a cluster name is written by an operator, not a pod. */
    private static void checkSegment(ConfigReader r, String key, String value) {
        if (!value.isBlank() && !KeyLayout.sanitizeSegment(value).equals(value)) {
            r.problem(key, "'" + value + "' is not usable in an object key; use letters, digits, '.', '_' and '-'"
                    + " (for example '" + KeyLayout.sanitizeSegment(value) + "')");
        }
    }

    private static String localHostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
