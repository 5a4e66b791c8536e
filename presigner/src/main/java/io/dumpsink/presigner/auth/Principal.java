package io.dumpsink.presigner.auth;

import io.dumpsink.presigner.config.NamespaceGlob;
import java.util.List;
import java.util.Set;

/**
 * Who is asking, once their token was checked: an id for the audit log (never the token), what they may do, and
 * which namespaces' dumps they may see. Routes ask it before anything else and answer 404 for a dump it may not
 * see, exactly as for one that does not exist, so a scoped reader learns nothing about other namespaces.
 *
 * @param namespaces patterns of visible namespaces; empty means every namespace
 */
public record Principal(String id, Set<Role> roles, List<NamespaceGlob> namespaces) {

    /** What a token is for. */
    public enum Role {
        /** Posts "uploaded" events, nothing else. */
        AGENT,
        /** Lists dumps, gets links, browses. */
        READER
    }

    /** The browse page's visitor when anonymous browsing is on: a reader of everything. */
    public static final Principal ANONYMOUS = new Principal("anonymous", Set.of(Role.READER), List.of());

    public Principal {
        roles = Set.copyOf(roles);
        namespaces = List.copyOf(namespaces);
    }

    public boolean may(Role role) {
        return roles.contains(role);
    }

    /** True when dumps of this namespace are visible to this principal. */
    public boolean maySee(String namespace) {
        if (namespaces.isEmpty()) {
            return true;
        }
        for (NamespaceGlob glob : namespaces) {
            if (glob.matches(namespace)) {
                return true;
            }
        }
        return false;
    }

    /** True when the dump (a key already validated against the layout: cluster/node/namespace/...) is visible. */
    public boolean maySeeKey(String dumpKey) {
        String[] segments = dumpKey.split("/", 4);
        return segments.length >= 3 && maySee(segments[2]);
    }

    /**
     * False only when a listing prefix names a whole namespace this principal may not see ({@code c/n/ns/} or
     * deeper); a shorter or partial prefix may hold visible dumps, which the caller then filters one by one.
     */
    public boolean maySeePrefix(String prefix) {
        String[] segments = prefix.split("/", -1);
        // "c/n/ns/..." splits into at least 4 parts; "c/n/ns" (no slash) may still be the start of "ns-other"
        return segments.length < 4 || maySee(segments[2]);
    }

    /** Whether this principal sees everything (no namespace limit). */
    public boolean unrestricted() {
        return namespaces.isEmpty();
    }
}
