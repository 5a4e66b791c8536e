package io.dumpsink.presigner.http;

import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.presigner.index.DumpIndex;
import io.dumpsink.presigner.index.DumpStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/** The agent's "uploaded" event puts the dump on the front page at once, without waiting for the next listing. */
final class IndexUpdates {
    private static final Logger log = LoggerFactory.getLogger(IndexUpdates.class);

    private IndexUpdates() {
    }

    static void uploaded(DumpIndex index, DumpStore store, Manifest manifest) {
        try {
            // The store's date of the manifest, as the listing gives it: every replica orders the dump the same.
            long writtenAt = store.manifestWrittenAt(manifest.key()).toEpochMilli();
            index.put(new DumpIndex.Entry(manifest.key(), writtenAt, manifest.storedSize()));
        } catch (SdkException e) {
            log.warn("Dump index: could not date the new dump, the next listing adds it key={} error={}",
                    manifest.key(), e.toString());
        }
    }
}
