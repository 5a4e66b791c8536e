package io.dumpsink.charts;

import static io.dumpsink.charts.ChartTest.CHART;
import static io.dumpsink.charts.ChartTest.YAML;
import static io.dumpsink.charts.ChartTest.container;
import static io.dumpsink.charts.ChartTest.env;
import static io.dumpsink.charts.ChartTest.find;
import static io.dumpsink.charts.ChartTest.loadRenderedConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.dumpsink.agent.config.AgentConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled MinIO's two users (templates/minio-users.yaml), rendered by real Helm: the hook Job, its policies
 * (evaluated here with AWS policy rules, which MinIO follows) and which Secret each component's keys come from.
 * MinIO cannot run here, so the Job's mc commands are not run against a server.
 */
class MinioUsersChartTest {
    static final String USERS_SECRET = "dumps-dumpsink-minio-users";
    static final String JOB = "dumps-dumpsink-minio-users-1"; // helm template renders revision 1
    static final Path STRICT_VALIDATE = Path.of("/work/shared/tools/k8s/strict-validate.py");
    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final ObjectMapper JSON = new ObjectMapper();

    /** The chart rendered by real Helm, every object (the users' Job included: it is no hook). */
    static List<JsonNode> renderWithHooks(Map<String, Object> values) throws Exception {
        TemplateCommand template = new Helm(CHART).template().withName("dumps").withNamespace("ops");
        values.forEach(template::set);
        List<JsonNode> manifests = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(template.call())) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc != null && !doc.isEmpty()) {
                    manifests.add(doc);
                }
            }
        }
        return manifests;
    }

    @Test
    void bundledMinioGetsAHardenedJobPerRevisionThatCreatesBucketUsersAndPolicies()
            throws Exception {
        List<JsonNode> manifests = renderWithHooks(Map.of("s3.bucket", "heap-dumps"));
        JsonNode job = find(manifests, "Job", JOB).orElseThrow();
        // No hook: `helm install --wait` would wait for pods that get ready only once this Job has run.
        assertThat(job.path("metadata").path("annotations").has("helm.sh/hook")).isFalse();
        assertThat(job.path("spec").path("ttlSecondsAfterFinished").asInt()).isPositive();

        JsonNode pod = job.path("spec").path("template").path("spec");
        assertThat(pod.path("restartPolicy").asText()).isEqualTo("Never");
        assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).isFalse();
        assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.path("securityContext").path("runAsUser").asInt()).isPositive();
        JsonNode mc = container(job);
        assertThat(mc.path("image").asText()).isEqualTo("quay.io/minio/mc:RELEASE.2025-04-16T18-13-26Z");
        JsonNode security = mc.path("securityContext");
        assertThat(security.path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(security.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(security.path("privileged").asBoolean(true)).isFalse();
        assertThat(YAML.convertValue(security.path("capabilities").path("drop"), List.class)).containsExactly("ALL");
        assertThat(env(mc, "MC_CONFIG_DIR").orElseThrow().path("value").asText())
                .as("mc's config folder is on the writable emptyDir").startsWith("/tmp/");
        assertThat(StreamSupport.stream(mc.path("volumeMounts").spliterator(), false)
                .filter(m -> m.path("mountPath").asText().equals("/tmp")).map(m -> m.path("name").asText()).toList())
                .containsExactly("tmp");
        assertThat(StreamSupport.stream(pod.path("volumes").spliterator(), false)
                .filter(v -> v.path("name").asText().equals("tmp")).toList())
                .singleElement().satisfies(v -> assertThat(v.has("emptyDir")).isTrue());

        String script = mc.path("args").get(0).asText();
        assertThat(script.lines().findFirst()).hasValue("set -eu");
        assertThat(script).contains("mc alias set dumpsink \"$MINIO_URL\" \"$MINIO_ROOT_USER\" \"$MINIO_ROOT_PASSWORD\"",
                "mc mb --ignore-existing \"dumpsink/$BUCKET\"",
                "mc admin policy create dumpsink dumpsink-agent /policies/agent.json",
                "mc admin policy create dumpsink dumpsink-presigner /policies/presigner.json",
                "mc admin user add dumpsink \"$AGENT_ACCESS_KEY\" \"$AGENT_SECRET_KEY\"",
                "mc admin user add dumpsink \"$PRESIGNER_ACCESS_KEY\" \"$PRESIGNER_SECRET_KEY\"",
                "mc admin policy attach dumpsink \"$1\" --user \"$2\"",
                "*\"already in effect\"*) ;;",
                "attach dumpsink-agent \"$AGENT_ACCESS_KEY\"",
                "attach dumpsink-presigner \"$PRESIGNER_ACCESS_KEY\"");
        assertThat(env(mc, "BUCKET").orElseThrow().path("value").asText()).isEqualTo("heap-dumps");
        assertThat(env(mc, "MINIO_URL").orElseThrow().path("value").asText()).isEqualTo("http://dumps-minio:9000");
        assertThat(secretRef(mc, "MINIO_ROOT_PASSWORD")).isEqualTo("dumps-minio/root-password");
        assertThat(secretRef(mc, "AGENT_SECRET_KEY")).isEqualTo(USERS_SECRET + "/agent-secret-key");
        assertThat(secretRef(mc, "PRESIGNER_ACCESS_KEY")).isEqualTo(USERS_SECRET + "/presigner-access-key");
        assertThat(StreamSupport.stream(pod.path("volumes").spliterator(), false)
                .filter(v -> v.path("name").asText().equals("policies"))
                .map(v -> v.path("configMap").path("name").asText()).toList())
                .containsExactly("dumps-dumpsink-minio-policies");

        JsonNode users = find(manifests, "Secret", USERS_SECRET).orElseThrow();
        assertThat(YAML.convertValue(users.path("data"), Map.class)).containsOnlyKeys(
                "agent-access-key", "agent-secret-key", "presigner-access-key", "presigner-secret-key");
        assertThat(base64(users, "agent-access-key")).isEqualTo("dumpsink-agent");
        assertThat(base64(users, "presigner-access-key")).isEqualTo("dumpsink-presigner");
        assertThat(base64(users, "agent-secret-key")).hasSize(40)
                .isNotEqualTo(base64(users, "presigner-secret-key"));
    }

    @Test
    void agentPolicyWritesUnderItsClusterReadsOnlyManifestsAndNeverDeletes() throws Exception {
        JsonNode agent = policy(renderWithHooks(Map.of("cluster", "prod-eu1")), "agent.json");
        String dump = "arn:aws:s3:::dumps/prod-eu1/node-a/shop/api-0/2026-11-29/101500Z-java_pid1.hprof.zst";
        String manifest = "arn:aws:s3:::dumps/prod-eu1/node-a/shop/api-0/2026-11-29/101500Z-java_pid1.hprof.json";
        assertThat(allowed(agent, "s3:PutObject", dump)).isTrue();
        assertThat(allowed(agent, "s3:AbortMultipartUpload", dump)).isTrue();
        assertThat(allowed(agent, "s3:ListMultipartUploadParts", dump)).isTrue();
        assertThat(allowed(agent, "s3:ListBucket", "arn:aws:s3:::dumps")).isTrue();
        assertThat(allowed(agent, "s3:ListBucketMultipartUploads", "arn:aws:s3:::dumps")).isTrue();
        assertThat(allowed(agent, "s3:PutLifecycleConfiguration", "arn:aws:s3:::dumps")).isTrue();
        assertThat(allowed(agent, "s3:GetObject", manifest)).as("its manifests").isTrue();

        assertThat(allowed(agent, "s3:GetObject", dump)).as("never reads a dump back").isFalse();
        assertThat(allowed(agent, "s3:GetObject", "arn:aws:s3:::dumps/prod-eu1/node-a/core.zst")).isFalse();
        assertThat(allowed(agent, "s3:GetObject", "arn:aws:s3:::dumps/other-cluster/x.json"))
                .as("another cluster's manifest").isFalse();
        assertThat(allowed(agent, "s3:PutObject", "arn:aws:s3:::dumps/other-cluster/n/ns/p/d/x.zst"))
                .as("outside its cluster prefix").isFalse();
        assertThat(allowed(agent, "s3:DeleteObject", dump)).isFalse();
        assertThat(allowed(agent, "s3:DeleteObject", manifest)).isFalse();
        assertThat(explicitlyDenied(agent, "s3:DeleteObject", dump))
                .as("the Deny holds whatever else is attached to the user").isTrue();
        assertThat(allowed(agent, "s3:CreateBucket", "arn:aws:s3:::dumps")).as("the Job creates it").isFalse();
        assertThat(allowed(agent, "s3:DeleteBucket", "arn:aws:s3:::dumps")).isFalse();
        assertThat(allowed(agent, "s3:PutBucketPolicy", "arn:aws:s3:::dumps")).isFalse();

        JsonNode operatorManaged = policy(renderWithHooks(Map.of("cluster", "prod-eu1", "s3.manageLifecycle", false)),
                "agent.json");
        assertThat(allowed(operatorManaged, "s3:PutLifecycleConfiguration", "arn:aws:s3:::dumps"))
                .as("s3.manageLifecycle=false: no lifecycle rights").isFalse();
        assertThat(allowed(operatorManaged, "s3:PutObject", dump)).isTrue();
    }

    @Test
    void presignerPolicyOnlyReadsAndListsAndHasNoPutOrDelete() throws Exception {
        JsonNode presigner = policy(renderWithHooks(Map.of("s3.bucket", "heap-dumps")), "presigner.json");
        assertThat(presigner.path("Statement").findValues("Action")).allSatisfy(actions ->
                assertThat(actions.isArray() ? YAML.convertValue(actions, List.class) : List.of(actions.asText()))
                        .allSatisfy(action -> assertThat(action.toString()).doesNotContainIgnoringCase("Put")
                                .doesNotContainIgnoringCase("Delete").doesNotContain("*")));
        assertThat(allowed(presigner, "s3:GetObject", "arn:aws:s3:::heap-dumps/any-cluster/n/ns/p/d/x.hprof.zst"))
                .isTrue();
        assertThat(allowed(presigner, "s3:ListBucket", "arn:aws:s3:::heap-dumps")).isTrue();
        assertThat(allowed(presigner, "s3:PutObject", "arn:aws:s3:::heap-dumps/c/x.zst")).isFalse();
        assertThat(allowed(presigner, "s3:DeleteObject", "arn:aws:s3:::heap-dumps/c/x.zst")).isFalse();
        assertThat(allowed(presigner, "s3:GetObject", "arn:aws:s3:::another-bucket/x")).isFalse();
    }

    @Test
    void agentAndPresignerGetTheGeneratedUsersKeysNotMinioRoot() throws Exception {
        List<JsonNode> manifests = renderWithHooks(Map.of());
        JsonNode agent = container(find(manifests, "DaemonSet", "dumps-dumpsink-agent").orElseThrow());
        assertThat(secretRef(agent, "DUMPSINK_S3_ACCESS_KEY")).isEqualTo(USERS_SECRET + "/agent-access-key");
        assertThat(secretRef(agent, "DUMPSINK_S3_SECRET_KEY")).isEqualTo(USERS_SECRET + "/agent-secret-key");
        JsonNode presigner = container(find(manifests, "Deployment", "dumps-dumpsink-presigner").orElseThrow());
        assertThat(secretRef(presigner, "DUMPSINK_S3_ACCESS_KEY")).isEqualTo(USERS_SECRET + "/presigner-access-key");
        assertThat(secretRef(presigner, "DUMPSINK_S3_SECRET_KEY")).isEqualTo(USERS_SECRET + "/presigner-secret-key");
        for (JsonNode container : List.of(agent, presigner)) {
            assertThat(StreamSupport.stream(container.path("env").spliterator(), false)
                    .map(e -> e.path("valueFrom").path("secretKeyRef").path("name").asText()))
                    .as("no root credentials in the workloads").doesNotContain("dumps-minio");
        }
        assertThat(AgentConfig.from(loadRenderedConfig(manifests)).s3().createBucket())
                .as("the users may not create buckets; the Job does").isFalse();
    }

    @Test
    void turnedOffTheComponentsGetMinioRootAsBeforeAndThereIsNoJob() throws Exception {
        List<JsonNode> manifests = renderWithHooks(Map.of("minio.users.enabled", false));
        assertThat(find(manifests, "Job", JOB)).isEmpty();
        assertThat(find(manifests, "Secret", USERS_SECRET)).isEmpty();
        assertThat(find(manifests, "ConfigMap", "dumps-dumpsink-minio-policies")).isEmpty();
        JsonNode agent = container(find(manifests, "DaemonSet", "dumps-dumpsink-agent").orElseThrow());
        assertThat(secretRef(agent, "DUMPSINK_S3_ACCESS_KEY")).isEqualTo("dumps-minio/root-user");
        JsonNode presigner = container(find(manifests, "Deployment", "dumps-dumpsink-presigner").orElseThrow());
        assertThat(secretRef(presigner, "DUMPSINK_S3_SECRET_KEY")).isEqualTo("dumps-minio/root-password");
        assertThat(AgentConfig.from(loadRenderedConfig(manifests)).s3().createBucket())
                .as("root creates the bucket, as before").isTrue();
    }

    @Test
    void externalS3OrSharedOrBothOwnCredentialsRenderNoJob() throws Exception {
        List<Map<String, Object>> cases = List.of(
                Map.of("minio.enabled", false, "s3.endpoint", "https://rgw.example.com", "s3.existingSecret", "s3"),
                Map.of("s3.endpoint", "https://rgw.example.com", "s3.existingSecret", "s3"),
                Map.of("minio.enabled", false),
                Map.of("s3.existingSecret", "shared-s3"),
                Map.of("s3.agent.existingSecret", "agent-s3", "s3.presigner.existingSecret", "presigner-s3"));
        for (Map<String, Object> values : cases) {
            List<JsonNode> manifests = renderWithHooks(values);
            assertThat(find(manifests, "Job", JOB)).as(values.toString()).isEmpty();
            assertThat(find(manifests, "Secret", USERS_SECRET)).as(values.toString()).isEmpty();
        }
    }

    @Test
    void aComponentWithCredentialsOfItsOwnKeepsThemAndTheOtherGetsItsUser() throws Exception {
        List<JsonNode> manifests = renderWithHooks(Map.of("s3.agent.existingSecret", "agent-s3"));
        assertThat(find(manifests, "Job", JOB)).isPresent();
        JsonNode agent = container(find(manifests, "DaemonSet", "dumps-dumpsink-agent").orElseThrow());
        assertThat(secretRef(agent, "DUMPSINK_S3_ACCESS_KEY")).isEqualTo("agent-s3/access-key");
        JsonNode presigner = container(find(manifests, "Deployment", "dumps-dumpsink-presigner").orElseThrow());
        assertThat(secretRef(presigner, "DUMPSINK_S3_ACCESS_KEY")).isEqualTo(USERS_SECRET + "/presigner-access-key");
    }

    @Test
    void schemaRejectsMisspelledOrWrongMinioUsersValues() {
        assertThatThrownBy(() -> ChartTest.render(Map.of("minio.users.enabeld", false))).hasMessageContaining("enabeld");
        assertThatThrownBy(() -> ChartTest.render(Map.of("minio.users.timeoutSeconds", 5)))
                .hasMessageContaining("timeoutSeconds");
        assertThatThrownBy(() -> ChartTest.render(Map.of("minio.users.image.tag", "")))
                .hasMessageContaining("tag");
    }

    @Test
    void renderedChartPassesStrictKubernetesFieldValidation(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PYTHON) && Files.isRegularFile(STRICT_VALIDATE),
                "skipped: strict validation needs " + PYTHON + " and " + STRICT_VALIDATE);
        for (Map<String, Object> values : List.of(Map.<String, Object>of(),
                Map.<String, Object>of("minio.users.enabled", false, "s3.manageLifecycle", false),
                Map.<String, Object>of("imagePullSecrets[0].name", "regcred", "s3.agent.existingSecret", "a"))) {
            Path rendered = dir.resolve("rendered-" + values.size() + ".yaml");
            List<JsonNode> manifests = renderWithHooks(values);
            StringBuilder yaml = new StringBuilder();
            for (JsonNode manifest : manifests) {
                yaml.append(YAML.writeValueAsString(manifest));
            }
            Files.writeString(rendered, yaml);
            Process process = new ProcessBuilder(PYTHON.toString(), STRICT_VALIDATE.toString(), rendered.toString())
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(values + "\n" + output).isZero();
            assertThat(output).contains("0 unknown fields");
            assertThat(find(manifests, "Job", JOB).isPresent()).as(values.toString())
                    .isEqualTo(!values.containsKey("minio.users.enabled"));
        }
    }

    private static JsonNode policy(List<JsonNode> manifests, String file) throws Exception {
        String text = find(manifests, "ConfigMap", "dumps-dumpsink-minio-policies").orElseThrow()
                .path("data").path(file).asText();
        JsonNode policy = JSON.readTree(text);
        assertThat(policy.path("Version").asText()).isEqualTo("2012-10-17");
        return policy;
    }

    private static String secretRef(JsonNode container, String env) {
        JsonNode ref = env(container, env).orElseThrow().path("valueFrom").path("secretKeyRef");
        return ref.path("name").asText() + "/" + ref.path("key").asText();
    }

    private static String base64(JsonNode secret, String key) {
        return new String(java.util.Base64.getDecoder().decode(secret.path("data").path(key).asText()),
                StandardCharsets.UTF_8);
    }

    /** AWS policy evaluation, as MinIO does it: an explicit Deny wins, else any Allow, else denied. */
    static boolean allowed(JsonNode policy, String action, String resource) {
        boolean allow = false;
        for (JsonNode statement : policy.path("Statement")) {
            if (matches(statement.path("Action"), action, true) && matches(statement.path("Resource"), resource, false)) {
                if ("Deny".equals(statement.path("Effect").asText())) {
                    return false;
                }
                allow |= "Allow".equals(statement.path("Effect").asText());
            }
        }
        return allow;
    }

    static boolean explicitlyDenied(JsonNode policy, String action, String resource) {
        return StreamSupport.stream(policy.path("Statement").spliterator(), false)
                .anyMatch(s -> "Deny".equals(s.path("Effect").asText()) && matches(s.path("Action"), action, true)
                        && matches(s.path("Resource"), resource, false));
    }

    /** A string or a list of patterns with {@code *} and {@code ?}; actions are case-insensitive. */
    private static boolean matches(JsonNode patterns, String value, boolean ignoreCase) {
        List<String> list = patterns.isArray()
                ? StreamSupport.stream(patterns.spliterator(), false).map(JsonNode::asText).toList()
                : List.of(patterns.asText());
        return list.stream().anyMatch(pattern -> {
            StringBuilder regex = new StringBuilder();
            for (char c : pattern.toCharArray()) {
                regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
            }
            return Pattern.compile(regex.toString(), ignoreCase ? Pattern.CASE_INSENSITIVE : 0).matcher(value)
                    .matches();
        });
    }
}
