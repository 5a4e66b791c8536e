package io.dumpsink.agent.config;

import io.dumpsink.core.config.ConfigReader;
import java.time.Duration;

/** The bucket lifecycle rule the agent keeps in place: expiry of dumps, removal of abandoned uploads. */
public record LifecycleSettings(boolean enabled, int expireAfterDays, int abortIncompleteAfterDays) {

    public static LifecycleSettings from(ConfigReader r) {
        boolean enabled = r.bool("dumpsink.s3.lifecycle.enabled");
        int expire = wholeDays(r, "dumpsink.s3.lifecycle.expire-after", true);
        int abort = wholeDays(r, "dumpsink.s3.lifecycle.abort-incomplete-uploads-after", false);
        return new LifecycleSettings(enabled, expire, abort);
    }

    private static int wholeDays(ConfigReader r, String key, boolean zeroAllowed) {
        Duration duration = r.nonNegativeDuration(key);
        long days = duration.toDays();
        if (duration.compareTo(Duration.ofDays(days)) != 0 || days > 36_500 || (!zeroAllowed && days == 0)) {
            r.problem(key, "must be whole days such as 30d" + (zeroAllowed ? " (0d: never)" : ", at least 1d")
                    + "; S3 lifecycle rules count in days");
        }
        return (int) days;
    }
}
