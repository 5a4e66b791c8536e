package io.dumpsink.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dumpsink.agent.config.AgentConfig;
import io.dumpsink.agent.config.PipelineSettings;
import io.dumpsink.core.config.ConfigLoader;
import io.dumpsink.presigner.config.PresignerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** The chart, linted and rendered by real Helm; the rendered config loaded by the programs' own loaders. */
class ChartTest {
    static final Path CHART = Path.of("..", "charts", "dumpsink").toAbsolutePath().normalize();
    static final YAMLMapper YAML = new YAMLMapper();

    /** Renders the chart with {@code --set} values; returns every manifest. */
    static List<JsonNode> render(Map<String, Object> values) throws Exception {
        TemplateCommand template = new Helm(CHART).template().withName("dumps").withNamespace("ops");
        values.forEach(template::set);
        String rendered = template.call();
        List<JsonNode> manifests = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(rendered)) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc != null && !doc.isEmpty()) {
                    manifests.add(doc);
                }
            }
        }
        return manifests;
    }

    static Optional<JsonNode> find(List<JsonNode> manifests, String kind, String name) {
        return manifests.stream()
                .filter(m -> kind.equals(m.path("kind").asText()) && name.equals(m.path("metadata").path("name").asText()))
                .findFirst();
    }

    static JsonNode container(JsonNode workload) {
        return workload.path("spec").path("template").path("spec").path("containers").get(0);
    }

    static Optional<JsonNode> env(JsonNode container, String name) {
        return StreamSupport.stream(container.path("env").spliterator(), false)
                .filter(e -> name.equals(e.path("name").asText())).findFirst();
    }

    /** The rendered HOCON, with the secrets the pods get as environment variables, through the real loader. */
    static Config loadRenderedConfig(List<JsonNode> manifests) {
        String hocon = find(manifests, "ConfigMap", "dumps-dumpsink").orElseThrow()
                .path("data").path("dumpsink.conf").asText();
        Config secretsAsEnvironment = ConfigFactory.parseMap(Map.of(
                "DUMPSINK_AGENT_TOKEN", "agent-token-0123456789abcdef",
                "DUMPSINK_READER_TOKEN", "reader-token-0123456789abcdef",
                "DUMPSINK_LINK_SECRET", "l".repeat(48),
                "DUMPSINK_S3_ACCESS_KEY", "minio-user",
                "DUMPSINK_S3_SECRET_KEY", "minio-password"));
        return ConfigLoader.load(ConfigFactory.parseString(hocon).withFallback(secretsAsEnvironment),
                Map.of("NODE_NAME", "node-a"));
    }

    @Test
    void lintIsClean() {
        LintResult result = new Helm(CHART).lint().strict().call();
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    @Test
    void defaultsGiveAgentOnEveryNodePresignerAndMinio() throws Exception {
        List<JsonNode> manifests = render(Map.of("cluster", "prod-eu1"));

        JsonNode daemonSet = find(manifests, "DaemonSet", "dumps-dumpsink-agent").orElseThrow();
        JsonNode pod = daemonSet.path("spec").path("template").path("spec");
        JsonNode agent = container(daemonSet);
        assertThat(StreamSupport.stream(pod.path("volumes").spliterator(), false)
                .filter(v -> v.has("hostPath")).map(v -> v.path("hostPath").path("path").asText() + " "
                        + v.path("hostPath").path("type").asText()).toList())
                .containsExactlyInAnyOrder("/var/dumps DirectoryOrCreate", "/var/lib/dumpsink DirectoryOrCreate");
        assertThat(env(agent, "NODE_NAME").orElseThrow().path("valueFrom").path("fieldRef").path("fieldPath").asText())
                .isEqualTo("spec.nodeName");
        assertThat(pod.path("tolerations").get(0).path("operator").asText()).isEqualTo("Exists");
        assertThat(pod.path("hostNetwork").asBoolean()).isFalse();
        assertThat(pod.path("hostPID").asBoolean()).isFalse();
        JsonNode security = agent.path("securityContext");
        assertThat(security.path("privileged").asBoolean()).isFalse();
        assertThat(security.path("allowPrivilegeEscalation").asBoolean()).isFalse();
        assertThat(security.path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(security.path("capabilities").path("drop").get(0).asText()).isEqualTo("ALL");
        assertThat(YAML.convertValue(security.path("capabilities").path("add"), List.class))
                .containsExactly("DAC_READ_SEARCH", "DAC_OVERRIDE", "FOWNER");
        assertThat(agent.path("resources").path("requests").path("cpu").asText()).isEqualTo("50m");
        assertThat(agent.path("resources").path("requests").path("memory").asText()).isEqualTo("128Mi");
        assertThat(agent.path("resources").path("limits").path("memory").asText()).isEqualTo("256Mi");
        assertThat(agent.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/healthz");
        assertThat(agent.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/readyz");
        assertThat(env(agent, "DUMPSINK_S3_ACCESS_KEY").orElseThrow().path("valueFrom").path("secretKeyRef")
                .path("name").asText()).as("the agent's own MinIO user, not root (MinioUsersChartTest)")
                .isEqualTo("dumps-dumpsink-minio-users");

        JsonNode presigner = find(manifests, "Deployment", "dumps-dumpsink-presigner").orElseThrow();
        assertThat(presigner.path("spec").path("replicas").asInt()).isEqualTo(2);
        JsonNode presignerPod = presigner.path("spec").path("template").path("spec");
        assertThat(presignerPod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(container(presigner).path("securityContext").path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(env(container(presigner), "DUMPSINK_LINK_SECRET").orElseThrow().path("valueFrom")
                .path("secretKeyRef").path("name").asText()).isEqualTo("dumps-dumpsink-generated");
        JsonNode generated = find(manifests, "Secret", "dumps-dumpsink-generated").orElseThrow();
        assertThat(generated.path("metadata").path("annotations").path("helm.sh/resource-policy").asText())
                .as("upgrades must never rotate the link secret").isEqualTo("keep");
        assertThat(find(manifests, "PodDisruptionBudget", "dumps-dumpsink-presigner")).isPresent();
        assertThat(find(manifests, "Service", "dumps-dumpsink-presigner")).isPresent();
        assertThat(find(manifests, "Ingress", "dumps-dumpsink-presigner")).isEmpty();

        JsonNode minio = find(manifests, "StatefulSet", "dumps-minio").orElseThrow();
        assertThat(container(minio).path("image").asText()).startsWith("quay.io/minio/minio:RELEASE.");
        assertThat(container(minio).path("readinessProbe").path("httpGet").path("path").asText())
                .isEqualTo("/minio/health/ready");
        assertThat(minio.path("spec").path("volumeClaimTemplates")).hasSize(1);
        assertThat(find(manifests, "Secret", "dumps-minio")).isPresent();

        Config config = loadRenderedConfig(manifests);
        AgentConfig agentConfig = AgentConfig.from(config);
        assertThat(agentConfig.cluster().cluster()).isEqualTo("prod-eu1");
        assertThat(agentConfig.cluster().node()).isEqualTo("node-a");
        assertThat(agentConfig.s3().endpoint()).hasValueSatisfying(uri ->
                assertThat(uri).hasToString("http://dumps-minio:9000"));
        assertThat(agentConfig.s3().createBucket()).as("the MinIO users Job creates the bucket").isFalse();
        assertThat(agentConfig.s3().accessKey()).isEqualTo("minio-user");
        assertThat(agentConfig.watch().watchDir()).isEqualTo(Path.of("/var/dumps"));
        assertThat(agentConfig.pipeline().afterUpload()).isEqualTo(PipelineSettings.AfterUpload.DELETE);
        assertThat(agentConfig.notifications().presignerUrl()).hasValueSatisfying(uri ->
                assertThat(uri).hasToString("http://dumps-dumpsink-presigner:8080"));
        assertThat(pod.path("terminationGracePeriodSeconds").asLong())
                .isGreaterThan(agentConfig.pipeline().shutdownGrace().toSeconds());
        PresignerConfig presignerConfig = PresignerConfig.from(config);
        assertThat(presignerConfig.presigner().tokens()).as("no role-less tokens").isEmpty();
        assertThat(presignerConfig.access().tokens()).extracting(t -> t.id() + " " + t.roles() + " " + t.token())
                .containsExactly("agent [AGENT] agent-token-0123456789abcdef",
                        "readers [READER] reader-token-0123456789abcdef");
    }

    @Test
    void agentAndPeopleGetSeparateTokensAndProbesAndMetricsUseTheManagementPort() throws Exception {
        List<JsonNode> manifests = render(Map.of("presigner.ingress.enabled", true, "serviceMonitor.enabled", true));
        JsonNode generated = find(manifests, "Secret", "dumps-dumpsink-generated").orElseThrow();
        assertThat(generated.path("data").has("agent-token")).isTrue();
        assertThat(generated.path("data").has("reader-token")).isTrue();
        assertThat(generated.path("data").path("reader-token").asText())
                .isNotEqualTo(generated.path("data").path("agent-token").asText());
        JsonNode agent = container(find(manifests, "DaemonSet", "dumps-dumpsink-agent").orElseThrow());
        assertThat(env(agent, "DUMPSINK_AGENT_TOKEN")).isPresent();
        assertThat(env(agent, "DUMPSINK_READER_TOKEN")).as("nodes never hold the reader token").isEmpty();
        JsonNode presigner = container(find(manifests, "Deployment", "dumps-dumpsink-presigner").orElseThrow());
        JsonNode readerRef = env(presigner, "DUMPSINK_READER_TOKEN").orElseThrow().path("valueFrom")
                .path("secretKeyRef");
        assertThat(readerRef.path("name").asText()).isEqualTo("dumps-dumpsink-generated");
        assertThat(readerRef.path("key").asText()).isEqualTo("reader-token");
        assertThat(readerRef.path("optional").asBoolean()).as("a Secret kept from an older install lacks it").isTrue();

        assertThat(presigner.path("livenessProbe").path("httpGet").path("port").asText()).isEqualTo("mgmt");
        assertThat(presigner.path("readinessProbe").path("httpGet").path("port").asText()).isEqualTo("mgmt");
        JsonNode service = find(manifests, "Service", "dumps-dumpsink-presigner").orElseThrow();
        assertThat(service.path("spec").path("ports").findValuesAsText("name")).containsExactly("http", "metrics");
        JsonNode ingress = find(manifests, "Ingress", "dumps-dumpsink-presigner").orElseThrow();
        assertThat(ingress.path("spec").path("rules").findValues("backend")).allSatisfy(backend ->
                assertThat(backend.path("service").path("port").path("name").asText()).isEqualTo("http"));
        JsonNode monitor = find(manifests, "ServiceMonitor", "dumps-dumpsink-presigner").orElseThrow();
        assertThat(monitor.path("spec").path("endpoints").get(0).path("port").asText()).isEqualTo("metrics");

        PresignerConfig config = PresignerConfig.from(loadRenderedConfig(manifests));
        assertThat(config.server().managementPort()).isEqualTo(8081);
        assertThat(config.stableLinks().maxAge()).isEqualTo(java.time.Duration.ofDays(30));
    }

    @Test
    void agentAndPresignerGetSeparateS3CredentialsAndServiceAccounts() throws Exception {
        List<JsonNode> manifests = render(Map.of("minio.enabled", false, "s3.endpoint", "https://rgw.example.com",
                "s3.agent.existingSecret", "agent-s3", "s3.presigner.accessKey", "PRESIGNERKEY",
                "s3.presigner.secretKey", "presigner-secret", "s3.manageLifecycle", false,
                "serviceAccount.presigner.create", true,
                "serviceAccount.presigner.annotations.eks\\.amazonaws\\.com/role-arn", "arn:aws:iam::1:role/reader"));
        JsonNode agentDaemonSet = find(manifests, "DaemonSet", "dumps-dumpsink-agent").orElseThrow();
        JsonNode agentKey = env(container(agentDaemonSet), "DUMPSINK_S3_ACCESS_KEY").orElseThrow().path("valueFrom")
                .path("secretKeyRef");
        assertThat(agentKey.path("name").asText() + "/" + agentKey.path("key").asText()).isEqualTo("agent-s3/access-key");
        JsonNode presigner = find(manifests, "Deployment", "dumps-dumpsink-presigner").orElseThrow();
        JsonNode presignerKey = env(container(presigner), "DUMPSINK_S3_SECRET_KEY").orElseThrow().path("valueFrom")
                .path("secretKeyRef");
        assertThat(presignerKey.path("name").asText() + "/" + presignerKey.path("key").asText())
                .isEqualTo("dumps-dumpsink/presigner-s3-secret-key");
        JsonNode values = find(manifests, "Secret", "dumps-dumpsink").orElseThrow();
        assertThat(values.path("data").has("presigner-s3-secret-key")).isTrue();
        assertThat(values.path("data").has("s3-secret-key")).as("no shared key was given").isFalse();

        assertThat(agentDaemonSet.path("spec").path("template").path("spec").path("serviceAccountName").asText())
                .isEqualTo("dumps-dumpsink");
        assertThat(presigner.path("spec").path("template").path("spec").path("serviceAccountName").asText())
                .isEqualTo("dumps-dumpsink-presigner");
        JsonNode account = find(manifests, "ServiceAccount", "dumps-dumpsink-presigner").orElseThrow();
        assertThat(account.path("metadata").path("annotations").path("eks.amazonaws.com/role-arn").asText())
                .isEqualTo("arn:aws:iam::1:role/reader");
        assertThat(AgentConfig.from(loadRenderedConfig(manifests)).lifecycle().enabled())
                .as("an operator manages the lifecycle").isFalse();
    }

    @Test
    void theHeapSummaryIsOnByDefaultAndAValueTurnsItOff() throws Exception {
        assertThat(AgentConfig.from(loadRenderedConfig(render(Map.of()))).heapSummary().enabled()).isTrue();
        assertThat(AgentConfig.from(loadRenderedConfig(render(Map.of("agent.heapSummary", "false"))))
                .heapSummary().enabled()).isFalse();
    }

    @Test
    void anOlderExistingSecretWithOnlyAUserTokenStillGivesPeopleAReaderToken() throws Exception {
        List<JsonNode> manifests = render(Map.of("presigner.existingSecret", "presigner-secrets"));
        String hocon = find(manifests, "ConfigMap", "dumps-dumpsink").orElseThrow().path("data")
                .path("dumpsink.conf").asText();
        Config config = ConfigLoader.load(ConfigFactory.parseString(hocon).withFallback(ConfigFactory.parseMap(Map.of(
                "DUMPSINK_AGENT_TOKEN", "agent-token-0123456789abcdef",
                "DUMPSINK_USER_TOKEN", "user-token-0123456789abcdef",
                "DUMPSINK_S3_ACCESS_KEY", "minio-user", "DUMPSINK_S3_SECRET_KEY", "minio-password"))),
                Map.of("NODE_NAME", "node-a"));
        assertThat(PresignerConfig.from(config).access().tokens()).extracting(t -> t.id() + " " + t.token())
                .containsExactly("agent agent-token-0123456789abcdef", "readers user-token-0123456789abcdef");
    }

    @Test
    void minioImageIsFullyConfigurable() throws Exception {
        JsonNode defaults = find(render(Map.of()), "StatefulSet", "dumps-minio").orElseThrow();
        assertThat(container(defaults).path("image").asText())
                .as("the frozen default named in values.yaml").isEqualTo("quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z");
        assertThat(defaults.path("spec").path("template").path("spec").has("imagePullSecrets")).isFalse();

        String digest = "sha256:" + "ab".repeat(32);
        JsonNode mirrored = find(render(Map.of("minio.image.repository", "registry.example.com/mirror/minio",
                "minio.image.digest", digest, "minio.image.pullPolicy", "Always",
                "minio.imagePullSecrets[0].name", "regcred")), "StatefulSet", "dumps-minio").orElseThrow();
        assertThat(container(mirrored).path("image").asText()).isEqualTo("registry.example.com/mirror/minio@" + digest);
        assertThat(container(mirrored).path("imagePullPolicy").asText()).isEqualTo("Always");
        assertThat(mirrored.path("spec").path("template").path("spec").path("imagePullSecrets").get(0).path("name")
                .asText()).isEqualTo("regcred");
        assertThat(container(find(render(Map.of("minio.image.tag", "RELEASE.2030-01-01T00-00-00Z")), "StatefulSet",
                "dumps-minio").orElseThrow()).path("image").asText()).endsWith(":RELEASE.2030-01-01T00-00-00Z");
    }

    @Test
    void externalStoreWithExistingSecretRendersNoMinio() throws Exception {
        List<JsonNode> manifests = render(Map.of("minio.enabled", false,
                "s3.endpoint", "https://rgw.example.com", "s3.region", "eu-1", "s3.existingSecret", "s3-creds",
                "presigner.existingSecret", "presigner-secrets", "presigner.publicUrl", "https://dumps.example.com"));
        assertThat(find(manifests, "StatefulSet", "dumps-minio")).isEmpty();
        assertThat(find(manifests, "Secret", "dumps-dumpsink")).as("no chart-made secret is needed").isEmpty();
        assertThat(find(manifests, "Secret", "dumps-dumpsink-generated")).isEmpty();
        JsonNode agent = container(find(manifests, "DaemonSet", "dumps-dumpsink-agent").orElseThrow());
        assertThat(env(agent, "DUMPSINK_S3_SECRET_KEY").orElseThrow().path("valueFrom").path("secretKeyRef")
                .path("name").asText()).isEqualTo("s3-creds");
        assertThat(env(agent, "DUMPSINK_AGENT_TOKEN").orElseThrow().path("valueFrom").path("secretKeyRef")
                .path("name").asText()).isEqualTo("presigner-secrets");
        Config config = loadRenderedConfig(manifests);
        AgentConfig agentConfig = AgentConfig.from(config);
        assertThat(agentConfig.s3().endpoint()).hasValueSatisfying(uri ->
                assertThat(uri).hasToString("https://rgw.example.com"));
        assertThat(agentConfig.s3().region()).isEqualTo("eu-1");
        assertThat(agentConfig.s3().createBucket()).isFalse();
        assertThat(PresignerConfig.from(config).presigner().stableLinks()).isTrue();
    }

    @Test
    void irsaAnnotationsAndNoStaticCredentials() throws Exception {
        List<JsonNode> manifests = render(Map.of("minio.enabled", false, "s3.pathStyle", false,
                "serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn", "arn:aws:iam::123456789012:role/dumps"));
        JsonNode account = find(manifests, "ServiceAccount", "dumps-dumpsink").orElseThrow();
        assertThat(account.path("metadata").path("annotations").path("eks.amazonaws.com/role-arn").asText())
                .isEqualTo("arn:aws:iam::123456789012:role/dumps");
        JsonNode daemonSet = find(manifests, "DaemonSet", "dumps-dumpsink-agent").orElseThrow();
        assertThat(daemonSet.path("spec").path("template").path("spec").path("serviceAccountName").asText())
                .isEqualTo("dumps-dumpsink");
        assertThat(env(container(daemonSet), "DUMPSINK_S3_ACCESS_KEY")).isEmpty();
        String hocon = find(manifests, "ConfigMap", "dumps-dumpsink").orElseThrow().path("data")
                .path("dumpsink.conf").asText();
        Config config = ConfigLoader.load(ConfigFactory.parseString(hocon).withFallback(ConfigFactory.parseMap(
                Map.of("DUMPSINK_AGENT_TOKEN", "agent-token-0123456789abcdef"))), Map.of());
        AgentConfig agentConfig = AgentConfig.from(config);
        assertThat(agentConfig.s3().endpoint()).isEmpty();
        assertThat(agentConfig.s3().hasStaticCredentials()).as("the AWS default chain (IRSA) is used").isFalse();
    }

    @Test
    void ingressAndMonitoringWhenEnabled() throws Exception {
        List<JsonNode> manifests = render(Map.of("presigner.ingress.enabled", true,
                "presigner.ingress.host", "dumps.example.com", "presigner.ingress.tlsSecretName", "dumps-tls",
                "serviceMonitor.enabled", true));
        JsonNode ingress = find(manifests, "Ingress", "dumps-dumpsink-presigner").orElseThrow();
        assertThat(ingress.path("spec").path("rules").get(0).path("host").asText()).isEqualTo("dumps.example.com");
        assertThat(ingress.path("spec").path("tls").get(0).path("secretName").asText()).isEqualTo("dumps-tls");
        assertThat(find(manifests, "ServiceMonitor", "dumps-dumpsink-presigner")).isPresent();
        assertThat(find(manifests, "PodMonitor", "dumps-dumpsink-agent")).isPresent();
    }

    @Test
    void schemaRejectsUnknownKeysAndWrongTypes() {
        assertThatThrownBy(() -> render(Map.of("clustr", "x"))).hasMessageContaining("clustr");
        assertThatThrownBy(() -> render(Map.of("agent.httpPort", "many"))).hasMessageContaining("httpPort");
        assertThatThrownBy(() -> render(Map.of("agent.afterUpload", "shred"))).hasMessageContaining("afterUpload");
    }
}
