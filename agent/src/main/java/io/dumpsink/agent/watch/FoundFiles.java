package io.dumpsink.agent.watch;

import java.nio.file.Path;

/**
 * Receives every file the watcher sees appear or change, possibly many times over and from several threads. A
 * call only means "look at this path again"; the receiver decides what the file is and whether it is finished.
 */
public interface FoundFiles {
    void found(Path relative);
}
