package io.dumpsink.presigner;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import io.dumpsink.core.lifecycle.LifecycleModule;
import io.dumpsink.core.s3.S3Module;
import io.dumpsink.presigner.auth.Tokens;
import io.dumpsink.presigner.chat.ChatNotifier;
import io.dumpsink.presigner.config.PresignerConfig;
import io.dumpsink.presigner.http.ApiRoutes;
import io.dumpsink.presigner.http.BrowsePage;
import io.dumpsink.presigner.http.PresignerHttpServer;
import io.dumpsink.presigner.http.StableLinkRoute;
import io.dumpsink.presigner.index.DumpIndex;
import io.dumpsink.presigner.index.DumpStore;
import io.dumpsink.presigner.links.LinkAudit;
import io.dumpsink.presigner.links.LinkPresigner;
import io.dumpsink.presigner.links.StableLinks;
import io.dumpsink.presigner.metrics.PresignerMetrics;
import java.util.List;

/** Every module of the presigner, one per feature, in one list that {@code Main} and the tests share. */
public final class PresignerModules {
    private PresignerModules() {
    }

    public static List<Module> all(PresignerConfig config) {
        return List.of(
                new PresignerConfig.Module(config),
                new LifecycleModule(),
                new S3Module(),
                new LinksModule(),
                new IndexModule(),
                new ChatModule(),
                new HttpModule());
    }

    /** Presigned URLs and stable links. */
    static final class LinksModule extends AbstractModule {
        @Override
        protected void configure() {
            bind(LinkPresigner.class);
            bind(StableLinks.class);
            bind(LinkAudit.class);
        }
    }

    /** What the bucket holds: manifests, listings. */
    static final class IndexModule extends AbstractModule {
        @Override
        protected void configure() {
            bind(DumpStore.class);
            bind(DumpIndex.class);
        }
    }

    /** Chat notifications. */
    static final class ChatModule extends AbstractModule {
        @Override
        protected void configure() {
            bind(ChatNotifier.class);
        }
    }

    /** The HTTP surface: authentication, routes, metrics. */
    static final class HttpModule extends AbstractModule {
        @Override
        protected void configure() {
            bind(Tokens.class);
            bind(PresignerMetrics.class);
            bind(ApiRoutes.class);
            bind(StableLinkRoute.class);
            bind(BrowsePage.class);
            bind(PresignerHttpServer.class);
        }
    }
}
