package io.dumpsink.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The translation of rendered pod specs into podman options, without podman: runs everywhere. */
class PodTranslatorTest {
    static final Path NODE = Path.of("/node");

    static ClusterObjects render() throws Exception {
        return new ClusterObjects("ops", Chart.render("dumps", "ops", Map.of("minio.enabled", false,
                "s3.endpoint", "http://127.0.0.1:9000", "s3.accessKey", "id", "s3.secretKey", "secret")));
    }

    static PodTranslator translator(ClusterObjects objects) {
        return new PodTranslator("node-a", NODE, objects, image -> image.contains("presigner") ? "10001:10001" : "0:0");
    }

    @Test
    void agentPodBecomesOptionsThatEnforceItsSecurityContextVolumesAndLimits() throws Exception {
        ClusterObjects objects = render();
        PodPlan plan = translator(objects).translate("ops", "agent-1",
                objects.podTemplate("DaemonSet", "dumps-dumpsink-agent"));
        PodPlan.Container agent = plan.container("agent");
        String options = String.join(" ", agent.options());
        assertThat(options).contains("--user 0").contains("--read-only --read-only-tmpfs=false")
                .contains("--cap-drop ALL --cap-add DAC_READ_SEARCH --cap-add DAC_OVERRIDE --cap-add FOWNER")
                .contains("--security-opt no-new-privileges").contains("--memory " + (256L << 20) + "b")
                .contains("--volume /node/var/dumps:/var/dumps ").contains("--volume /node/var/lib/dumpsink:/var/lib/dumpsink ")
                .containsPattern("--volume /node/var/lib/kubelet/pods/ops_agent-1/volumes/ConfigMap/config:/etc/dumpsink:ro")
                .containsPattern("--volume /node/var/lib/kubelet/pods/ops_agent-1/volumes/empty-dir/tmp:/tmp( |$)")
                .doesNotContain("--privileged");
        assertThat(agent.environment()).containsEntry("NODE_NAME", "node-a").containsEntry("DUMPSINK_S3_ACCESS_KEY", "id")
                .containsKey("DUMPSINK_AGENT_TOKEN");
        assertThat(options).as("secret values never on the command line").doesNotContain("secret")
                .contains("--env DUMPSINK_S3_SECRET_KEY");
        assertThat(agent.probe("readinessProbe").port()).isEqualTo(9400);
        assertThat(agent.probe("livenessProbe").path()).isEqualTo("/healthz");
        assertThat(plan.volumes()).filteredOn(v -> v.name().equals("config")).singleElement()
                .satisfies(v -> assertThat(new String(v.files().get("dumpsink.conf"))).contains("watch-dir = \"/var/dumps\""));
        assertThat(plan.terminationGracePeriodSeconds()).isEqualTo(30);
    }

    @Test
    void presignerAsRootIsRefusedAsTheKubeletRefusesIt() throws Exception {
        ClusterObjects objects = render();
        JsonNode template = objects.podTemplate("Deployment", "dumps-dumpsink-presigner").deepCopy();
        assertThat(translator(objects).translate("ops", "p-1", template).container("presigner").uid()).isEqualTo(10001);
        ((ObjectNode) template.path("spec").path("securityContext")).put("runAsUser", 0);
        assertThatThrownBy(() -> translator(objects).translate("ops", "p-1", template))
                .hasMessageContaining("runAsNonRoot and image will run as root");
    }

    @Test
    void aFieldTheTranslatorDoesNotKnowStopsIt() throws Exception {
        ClusterObjects objects = render();
        JsonNode template = objects.podTemplate("DaemonSet", "dumps-dumpsink-agent").deepCopy();
        ((ObjectNode) template.path("spec").path("containers").get(0).path("securityContext")).put("procMount", "Unmasked");
        assertThatThrownBy(() -> translator(objects).translate("ops", "agent-1", template))
                .hasMessageContaining("containers[agent].securityContext").hasMessageContaining("procMount");
        ((ObjectNode) template.path("spec")).put("hostIPC", true);
        assertThatThrownBy(() -> translator(objects).translate("ops", "agent-1", template))
                .hasMessageContaining("hostIPC");
    }

    @Test
    void aMissingSecretKeyFailsAsCreateContainerConfigError() throws Exception {
        ClusterObjects objects = new ClusterObjects("ops", Chart.render("dumps", "ops", Map.of("minio.enabled", false,
                "s3.existingSecret", "not-there")));
        assertThatThrownBy(() -> translator(objects).translate("ops", "agent-1",
                objects.podTemplate("DaemonSet", "dumps-dumpsink-agent")))
                .hasMessageContaining("not-there").hasMessageContaining("CreateContainerConfigError");
    }

    @Test
    void subPathExprMakesTheKubeletsFolderForTheAppOfTheReadmeRecipe() throws Exception {
        JsonNode spec = Chart.YAML.readTree("""
                containers:
                  - name: app
                    image: jre
                    env:
                      - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
                      - {name: POD_NAMESPACE, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
                      - {name: GREETING, value: "$(POD_NAMESPACE)/$(POD_NAME) $$(POD_NAME) $(UNDEFINED)"}
                    volumeMounts:
                      - {name: dumps, mountPath: /dumps, subPathExpr: $(POD_NAMESPACE)/$(POD_NAME)}
                volumes:
                  - {name: dumps, hostPath: {path: /var/dumps, type: DirectoryOrCreate}}
                """);
        PodPlan.Container app = translator(new ClusterObjects("shop", List.of())).translate("shop", "app-1", spec)
                .container("app");
        assertThat(app.subPathDirs()).containsExactly(
                new PodPlan.SubPathDir(NODE.resolve("var/dumps"), NODE.resolve("var/dumps/shop/app-1")));
        assertThat(app.options()).containsSequence("--volume", "/node/var/dumps/shop/app-1:/dumps");
        assertThat(app.environment().get("GREETING")).isEqualTo("shop/app-1 $(POD_NAME) $(UNDEFINED)");
        assertThat(app.uid()).as("the image's user").isZero();
    }
}
