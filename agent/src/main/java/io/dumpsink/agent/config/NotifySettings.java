package io.dumpsink.agent.config;

import io.dumpsink.core.config.ConfigReader;
import java.net.URI;
import java.util.Optional;

/** Where to announce stored dumps: the presigner's API, with its token. */
public record NotifySettings(Optional<URI> presignerUrl, String presignerToken) {

    public static NotifySettings from(ConfigReader r) {
        Optional<URI> url = r.optionalHttpUrl("dumpsink.agent.presigner-url");
        String token = r.string("dumpsink.agent.presigner-token");
        if (url.isPresent() && token.isBlank()) {
            r.problem("dumpsink.agent.presigner-token", "required when dumpsink.agent.presigner-url is set (one of"
                    + " the presigner's dumpsink.presigner.tokens)");
        }
        return new NotifySettings(url, token);
    }

    @Override
    public String toString() {
        return "NotifySettings[presignerUrl=" + presignerUrl + ", presignerToken=***]";
    }
}
