package io.dumpsink.presigner.config;

import io.dumpsink.core.config.ConfigReader;
import java.time.Duration;

/**
 * The browse page's and dump index's settings.
 *
 * @param indexRefresh how often the whole bucket is listed again to catch what upload events missed and drop
 *                     what expired
 */
public record BrowseSettings(Duration indexRefresh) {

    public static BrowseSettings from(ConfigReader r) {
        Duration refresh = r.positiveDuration("dumpsink.presigner.browse.index-refresh");
        if (refresh.compareTo(Duration.ofSeconds(10)) < 0) {
            r.problem("dumpsink.presigner.browse.index-refresh",
                    "at least 10s: each refresh lists the whole bucket (e.g. 5m)");
        }
        return new BrowseSettings(refresh);
    }
}
