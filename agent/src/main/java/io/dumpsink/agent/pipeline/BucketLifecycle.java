package io.dumpsink.agent.pipeline;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.agent.config.LifecycleSettings;
import io.dumpsink.core.config.ClusterSettings;
import io.dumpsink.core.config.S3Settings;
import io.dumpsink.core.layout.KeyLayout;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Keeps this cluster's lifecycle rule in the bucket: dumps expire after {@code expire-after}, abandoned multipart
 * uploads go after {@code abort-incomplete-uploads-after}. Applied at startup, idempotently: the current
 * configuration is read, the rule with our id replaced or added, every other rule kept. Never fatal: a store
 * without lifecycle support, or credentials without the permission, get one warning and the agent carries on.
 */
@Singleton
public final class BucketLifecycle {
    private static final Logger log = LoggerFactory.getLogger(BucketLifecycle.class);
    private final S3Client s3;
    private final String bucket;
    private final LifecycleSettings settings;
    private final String ruleId;
    private final String prefix;

    @Inject
    BucketLifecycle(S3Client s3, S3Settings s3Settings, LifecycleSettings settings, ClusterSettings cluster) {
        this.s3 = s3;
        this.bucket = s3Settings.bucket();
        this.settings = settings;
        this.ruleId = "dumpsink-" + KeyLayout.sanitizeSegment(cluster.cluster());
        this.prefix = KeyLayout.sanitizeSegment(cluster.cluster()) + "/";
    }

    public void apply() {
        if (!settings.enabled()) {
            return;
        }
        try {
            List<LifecycleRule> rules = new ArrayList<>(current());
            LifecycleRule ours = rule();
            if (rules.contains(ours)) {
                log.info("Bucket lifecycle rule in place bucket={} rule={}", bucket, ruleId);
                return;
            }
            rules.removeIf(rule -> ruleId.equals(rule.id()));
            rules.add(ours);
            s3.putBucketLifecycleConfiguration(b -> b.bucket(bucket).lifecycleConfiguration(c -> c.rules(rules)));
            log.info("Bucket lifecycle rule applied bucket={} rule={} prefix={} expireAfterDays={}"
                    + " abortIncompleteAfterDays={} otherRulesKept={}", bucket, ruleId, prefix,
                    settings.expireAfterDays(), settings.abortIncompleteAfterDays(), rules.size() - 1);
        } catch (S3Exception e) {
            log.warn("Bucket lifecycle not applied bucket={} status={} error={}: {}", bucket, e.statusCode(),
                    e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorCode(),
                    e.statusCode() == 501 ? "this store does not implement lifecycle; dumps will not expire by"
                            + " themselves (set dumpsink.s3.lifecycle.enabled = false to silence this)"
                            : "dumps will not expire by themselves until it is applied");
        } catch (SdkException e) {
            log.warn("Bucket lifecycle not applied bucket={} error={}", bucket, e.toString());
        }
    }

    private List<LifecycleRule> current() {
        try {
            return s3.getBucketLifecycleConfiguration(b -> b.bucket(bucket)).rules();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return List.of(); // NoSuchLifecycleConfiguration
            }
            throw e;
        }
    }

    LifecycleRule rule() {
        LifecycleRule.Builder rule = LifecycleRule.builder()
                .id(ruleId)
                .status(ExpirationStatus.ENABLED)
                .filter(f -> f.prefix(prefix))
                .abortIncompleteMultipartUpload(a -> a.daysAfterInitiation(settings.abortIncompleteAfterDays()));
        if (settings.expireAfterDays() > 0) {
            rule.expiration(e -> e.days(settings.expireAfterDays()));
        }
        return rule.build();
    }
}
