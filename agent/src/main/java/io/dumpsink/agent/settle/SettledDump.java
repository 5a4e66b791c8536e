package io.dumpsink.agent.settle;

import io.dumpsink.agent.fs.FileIdentity;
import io.dumpsink.agent.watch.DumpFile;
import java.time.Instant;

/** A dump file that stopped changing: the identity it had when it settled, and when the agent first saw it. */
public record SettledDump(DumpFile file, FileIdentity identity, Instant detectedAt) {
}
