package io.dumpsink.agent;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.agent.claim.DumpClaims;
import io.dumpsink.agent.cleanup.DiskPressure;
import io.dumpsink.agent.config.PipelineSettings;
import io.dumpsink.agent.health.Watchdog;
import io.dumpsink.agent.http.AgentHttpServer;
import io.dumpsink.agent.journal.UploadJournal;
import io.dumpsink.agent.pipeline.DumpPipeline;
import io.dumpsink.agent.pipeline.OrphanSweeper;
import io.dumpsink.agent.pipeline.StartupChecks;
import io.dumpsink.agent.settle.SettleTracker;
import io.dumpsink.agent.watch.DirectoryWatcher;
import io.dumpsink.core.lifecycle.Closer;
import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the agent's parts in dependency order (checks, journal leftovers, HTTP, pipeline, dumps claimed by an
 * earlier run, watch) and stops them in reverse: first no new files are noticed, then in-flight uploads get the
 * shutdown grace, then clients close.
 */
@Singleton
public final class AgentService {
    private static final Logger log = LoggerFactory.getLogger(AgentService.class);
    private final StartupChecks checks;
    private final UploadJournal journal;
    private final AgentHttpServer http;
    private final DumpPipeline pipeline;
    private final DumpClaims claims;
    private final SettleTracker settle;
    private final DirectoryWatcher watcher;
    private final OrphanSweeper orphans;
    private final DiskPressure disk;
    private final Watchdog watchdog;
    private final Closer closer;
    private final Duration shutdownGrace;
    private boolean stopped;

    @Inject
    AgentService(StartupChecks checks, UploadJournal journal, AgentHttpServer http, DumpPipeline pipeline,
            DumpClaims claims, SettleTracker settle, DirectoryWatcher watcher, OrphanSweeper orphans,
            DiskPressure disk, Watchdog watchdog, Closer closer,
            PipelineSettings settings) {
        this.checks = checks;
        this.journal = journal;
        this.http = http;
        this.pipeline = pipeline;
        this.claims = claims;
        this.settle = settle;
        this.watcher = watcher;
        this.orphans = orphans;
        this.disk = disk;
        this.watchdog = watchdog;
        this.closer = closer;
        this.shutdownGrace = settings.shutdownGrace();
    }

    public void start() throws IOException {
        try {
            checks.run();
            journal.removeStaleTempFiles(); // before the pipeline starts: then no temp file is in use
            http.start();
            pipeline.start();
            claims.prepare();
            claims.recover().forEach(pipeline::settled); // claimed by an earlier run, not yet stored or kept
            watcher.start();
            orphans.start();
            disk.start();
            watchdog.start();
            http.markStarted();
            log.info("Agent started");
        } catch (IOException | RuntimeException e) {
            stop();
            throw e;
        }
    }

    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        log.info("Agent stopping shutdownGrace={}", shutdownGrace);
        watchdog.stop();
        orphans.stop();
        disk.stop();
        watcher.stop();
        settle.stop();
        pipeline.stop(shutdownGrace);
        http.stop();
        closer.close();
        log.info("Agent stopped");
    }

    public int httpPort() {
        return http.port();
    }
}
