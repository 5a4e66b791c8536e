package io.dumpsink.agent.pipeline;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.agent.config.PipelineSettings;
import io.dumpsink.agent.config.WatchSettings;
import io.dumpsink.core.config.S3Settings;
import io.dumpsink.core.lifecycle.StartupException;
import io.dumpsink.core.s3.BucketCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Fails startup, with one line per problem naming the setting to fix, when the agent could not do its job: watch
 * dir missing, state dir not writable, the bucket unreachable for any reason {@link BucketCheck} names (created
 * instead when {@code s3.create-bucket} is on); then puts the bucket lifecycle rule in place. Better a
 * crash-looping pod with a clear log than an agent that looks healthy and ships nothing.
 */
@Singleton
public final class StartupChecks {
    private final S3Client s3;
    private final S3Settings s3Settings;
    private final WatchSettings watch;
    private final PipelineSettings pipeline;
    private final BucketLifecycle lifecycle;

    @Inject
    StartupChecks(S3Client s3, S3Settings s3Settings, WatchSettings watch, PipelineSettings pipeline,
            BucketLifecycle lifecycle) {
        this.s3 = s3;
        this.s3Settings = s3Settings;
        this.watch = watch;
        this.pipeline = pipeline;
        this.lifecycle = lifecycle;
    }

    /**
     * Checks the folders and the bucket, all of them, and throws one {@link StartupException} listing every problem
     * (a missing watch dir does not hide an unreachable store); then applies the lifecycle rule.
     */
    public void run() {
        List<String> problems = new ArrayList<>();
        checkWatchDir().ifPresent(problems::add);
        checkStateDir().ifPresent(problems::add);
        BucketCheck.check(s3, s3Settings).ifPresent(problems::add);
        if (!problems.isEmpty()) {
            throw StartupException.of(problems);
        }
        lifecycle.apply();
    }

    private Optional<String> checkWatchDir() {
        Path dir = watch.watchDir();
        if (Files.isSymbolicLink(dir)) {
            return Optional.of("dumpsink.agent.watch-dir: " + dir + " is a symlink; point it at the real folder");
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.of("dumpsink.agent.watch-dir: " + dir + " does not exist or is not a folder;"
                    + " create it (the Helm chart mounts it with hostPath type DirectoryOrCreate)");
        }
        return Optional.empty();
    }

    private Optional<String> checkStateDir() {
        Path dir = pipeline.stateDir();
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-check", ".tmp");
            Files.delete(probe);
            return Optional.empty();
        } catch (IOException | SecurityException e) {
            return Optional.of("dumpsink.agent.state-dir: " + dir + " is not writable (" + e
                    + "); mount a writable folder there");
        }
    }
}
