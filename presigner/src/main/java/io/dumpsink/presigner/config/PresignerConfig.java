package io.dumpsink.presigner.config;

import com.google.inject.AbstractModule;
import com.typesafe.config.Config;
import io.dumpsink.core.config.ClusterSettings;
import io.dumpsink.core.config.ConfigReader;
import io.dumpsink.core.config.S3Settings;

/** The presigner's whole configuration, read once and validated with every problem reported together. */
public record PresignerConfig(S3Settings s3, PresignerSettings presigner, BrowseSettings browse,
        ServerSettings server, AccessSettings access, StableLinkSettings stableLinks, ChatRoutes chatRoutes) {

    public static PresignerConfig from(Config config) {
        ConfigReader r = new ConfigReader(config);
        ClusterSettings.from(r); // validates the shared keys even though links do not need them
        PresignerSettings presigner = PresignerSettings.from(r);
        PresignerConfig result = new PresignerConfig(S3Settings.from(r), presigner, BrowseSettings.from(r),
                ServerSettings.from(r), AccessSettings.from(r, config, presigner.tokens()), StableLinkSettings.from(r),
                ChatRoutes.from(r, config, presigner.chat()));
        r.validate();
        return result;
    }

    /** Hands the parts of the configuration to the classes that need them. */
    public static final class Module extends AbstractModule {
        private final PresignerConfig config;

        public Module(PresignerConfig config) {
            this.config = config;
        }

        @Override
        protected void configure() {
            bind(S3Settings.class).toInstance(config.s3());
            bind(PresignerSettings.class).toInstance(config.presigner());
            bind(PresignerSettings.ChatSettings.class).toInstance(config.presigner().chat());
            bind(BrowseSettings.class).toInstance(config.browse());
            bind(ServerSettings.class).toInstance(config.server());
            bind(AccessSettings.class).toInstance(config.access());
            bind(StableLinkSettings.class).toInstance(config.stableLinks());
            bind(ChatRoutes.class).toInstance(config.chatRoutes());
        }
    }
}
