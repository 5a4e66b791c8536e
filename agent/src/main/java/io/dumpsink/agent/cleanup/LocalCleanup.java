package io.dumpsink.agent.cleanup;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.agent.claim.DumpClaims;
import io.dumpsink.agent.config.PipelineSettings;
import io.dumpsink.agent.fs.WatchRoot;
import io.dumpsink.agent.settle.SettledDump;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frees the node's disk once a dump is durable. Called only after the object and its manifest were verified.
 *
 * <p>After success: with {@code after-upload = delete} the file is gone (from the claim folder, or from the pod's
 * folder when it could not be claimed), and so are its claim folders; with {@code keep} it stays where it is. After
 * a {@link io.dumpsink.agent.fs.FileChangedException}: the file was rewritten after it was read, so it is a new
 * dump and stays; any other failure leaves the file too, and calling again is safe.
 */
@Singleton
public final class LocalCleanup {
    private static final Logger log = LoggerFactory.getLogger(LocalCleanup.class);
    private final WatchRoot root;
    private final DumpClaims claims;
    private final PipelineSettings.AfterUpload afterUpload;

    @Inject
    LocalCleanup(WatchRoot root, DumpClaims claims, PipelineSettings pipeline) {
        this.root = root;
        this.claims = claims;
        this.afterUpload = pipeline.afterUpload();
    }

    public void release(SettledDump dump) throws IOException {
        if (afterUpload == PipelineSettings.AfterUpload.KEEP) {
            return;
        }
        root.deleteIfUnchanged(dump.location(), dump.identity());
        claims.released(dump);
        log.info("Deleted path={} location={} size={}", dump.file().relative(), dump.location(),
                dump.identity().size());
    }

    public boolean keepsFiles() {
        return afterUpload == PipelineSettings.AfterUpload.KEEP;
    }
}
