package io.dumpsink.agent.notify;

import io.dumpsink.core.manifest.Manifest;

/**
 * Tells the world a dump is stored. Called after the manifest is verified; returns at once. Delivery is best
 * effort in the background: a failure here never affects the dump, which is already durable.
 */
public interface DumpNotifier {
    void stored(Manifest manifest);
}
