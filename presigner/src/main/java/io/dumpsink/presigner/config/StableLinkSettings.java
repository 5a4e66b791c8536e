package io.dumpsink.presigner.config;

import io.dumpsink.core.config.ConfigReader;
import java.time.Duration;

/** How long a stable chat link keeps working after it was issued ({@code dumpsink.presigner.stable-link-max-age}). */
public record StableLinkSettings(Duration maxAge) {

    public static StableLinkSettings from(ConfigReader r) {
        return new StableLinkSettings(r.positiveDuration("dumpsink.presigner.stable-link-max-age"));
    }
}
