package io.dumpsink.agent.settle;

import io.dumpsink.agent.fs.FileIdentity;
import io.dumpsink.agent.watch.DumpFile;
import java.nio.file.Path;
import java.time.Instant;

/**
 * A dump file that stopped changing: the identity it had when it settled, and when the agent first saw it.
 *
 * @param file     where the pod wrote it: namespace, pod and name, as the key and manifest record them
 * @param location where the file is now, relative to the watch dir: the pod's folder until the agent claims it,
 *                 then the agent's claim folder ({@link io.dumpsink.agent.claim.DumpClaims})
 */
public record SettledDump(DumpFile file, Path location, FileIdentity identity, Instant detectedAt) {

    /** A dump still where the pod wrote it. */
    public static SettledDump inPlace(DumpFile file, FileIdentity identity, Instant detectedAt) {
        return new SettledDump(file, file.relative(), identity, detectedAt);
    }

    public SettledDump movedTo(Path newLocation) {
        return new SettledDump(file, newLocation, identity, detectedAt);
    }

    public boolean claimed() {
        return !location.equals(file.relative());
    }
}
