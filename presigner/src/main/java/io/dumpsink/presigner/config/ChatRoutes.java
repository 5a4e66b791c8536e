package io.dumpsink.presigner.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.dumpsink.core.config.ConfigReader;
import io.dumpsink.presigner.config.PresignerSettings.ChatFormat;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Where each namespace's chat messages go: {@code dumpsink.presigner.chat.routes}, tried in order (first match
 * wins), then the default ({@code chat.webhook-url} and {@code chat.format}) when one is set. A namespace that
 * matches no route, without a default, gets no message. Webhook URLs are secrets: never in {@link #toString()}.
 */
public record ChatRoutes(List<Route> routes, Optional<Route> fallback) {
    static final String KEY = "dumpsink.presigner.chat.routes";
    private static final Set<String> FIELDS = Set.of("namespaces", "webhook-url", "format");

    /** One destination. {@code namespaces} empty only for the default route. */
    public record Route(List<NamespaceGlob> namespaces, URI webhook, ChatFormat format) {
        @Override
        public String toString() {
            return "Route[namespaces=" + namespaces + ", webhook=***, format=" + format + "]";
        }
    }

    /** The route of a namespace: the first route matching it, else the default, else none. */
    public Optional<Route> forNamespace(String namespace) {
        for (Route route : routes) {
            for (NamespaceGlob glob : route.namespaces()) {
                if (glob.matches(namespace)) {
                    return Optional.of(route);
                }
            }
        }
        return fallback;
    }

    /** Every destination: the routes, then the default. */
    public List<Route> all() {
        List<Route> all = new ArrayList<>(routes);
        fallback.ifPresent(all::add);
        return all;
    }

    public static ChatRoutes from(ConfigReader r, Config config, PresignerSettings.ChatSettings defaults) {
        Optional<Route> fallback = defaults.webhookUrl().map(url -> new Route(List.of(), url, defaults.format()));
        List<? extends Config> entries;
        try {
            entries = config.getConfigList(KEY);
        } catch (ConfigException e) {
            r.problem(KEY, "expected a list of objects such as [{ namespaces = [\"shop-*\"], webhook-url ="
                    + " \"https://hooks.slack.com/...\", format = slack }]");
            return new ChatRoutes(List.of(), fallback);
        }
        List<Route> routes = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Config entry = entries.get(i);
            String where = KEY + "[" + i + "]";
            for (String field : entry.root().keySet()) {
                if (!FIELDS.contains(field)) {
                    r.problem(where, "unknown field '" + field + "'; allowed: namespaces, webhook-url, format");
                }
            }
            List<NamespaceGlob> namespaces = new ArrayList<>();
            List<String> globs = strings(entry, "namespaces");
            if (globs.isEmpty()) {
                r.problem(where + ".namespaces", "required: a list of namespace patterns such as [\"shop-*\"]"
                        + " (messages of other namespaces go to dumpsink.presigner.chat.webhook-url)");
            }
            for (String glob : globs) {
                if (NamespaceGlob.valid(glob)) {
                    namespaces.add(NamespaceGlob.of(glob));
                } else {
                    r.problem(where + ".namespaces", "'" + glob + "' is not a namespace pattern (letters, digits,"
                            + " . _ - and the wildcards * ?)");
                }
            }
            Optional<URI> webhook = url(entry, "webhook-url");
            if (webhook.isEmpty()) {
                r.problem(where + ".webhook-url", "required: an http:// or https:// webhook URL");
            }
            ChatFormat format = defaults.format();
            if (entry.hasPath("format")) {
                String text = entry.getValue("format").unwrapped().toString().trim().toLowerCase(Locale.ROOT);
                switch (text) {
                    case "slack" -> format = ChatFormat.SLACK;
                    case "generic" -> format = ChatFormat.GENERIC;
                    default -> r.problem(where + ".format", "unknown value '" + text + "'; allowed: slack | generic");
                }
            }
            if (webhook.isPresent()) {
                routes.add(new Route(List.copyOf(namespaces), webhook.get(), format));
            }
        }
        return new ChatRoutes(List.copyOf(routes), fallback);
    }

    private static List<String> strings(Config entry, String name) {
        try {
            return entry.hasPath(name) ? entry.getStringList(name) : List.of();
        } catch (ConfigException e) {
            return List.of();
        }
    }

    private static Optional<URI> url(Config entry, String name) {
        try {
            if (!entry.hasPath(name)) {
                return Optional.empty();
            }
            URI uri = new URI(entry.getString(name).trim());
            boolean http = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
            return http && uri.getHost() != null ? Optional.of(uri) : Optional.empty();
        } catch (ConfigException | URISyntaxException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return "ChatRoutes[routes=" + routes + ", default=" + fallback + "]";
    }
}
