package io.dumpsink.agent.settle;

import java.nio.file.Path;

/** Where finished dumps go. */
public interface SettledDumps {
    /** Takes a settled dump; returns at once. The receiver owns the dump's journey from here on. */
    void settled(SettledDump dump);

    /** True while the receiver already owns a dump at this path (queued, uploading or waiting for a retry). */
    boolean owns(Path relative);
}
