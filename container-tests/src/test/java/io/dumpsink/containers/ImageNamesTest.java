package io.dumpsink.containers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The chart's default images are the ones tools/images/build.sh builds and pushes. Needs no podman. */
class ImageNamesTest {

    @Test
    void chartDefaultsAreTheImagesTheBuildMakes() throws Exception {
        Process process = new ProcessBuilder(Images.BUILD_SCRIPT.toString(), "--print-names")
                .directory(Chart.REPOSITORY.toFile()).redirectErrorStream(true).start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        List<String> built = new String(process.getInputStream().readAllBytes()).lines().toList();
        assertThat(process.exitValue()).as(String.join("\n", built)).isZero();

        String version = System.getProperty("project.version");
        ClusterObjects objects = new ClusterObjects("ops", Chart.render("dumps", "ops", Map.of()));
        String agent = image(objects.podTemplate("DaemonSet", "dumps-dumpsink-agent"));
        String presigner = image(objects.podTemplate("Deployment", "dumps-dumpsink-presigner"));
        assertThat(built).containsExactly(Images.repository(agent) + ":" + version,
                Images.repository(presigner) + ":" + version);
        assertThat(Images.tag(agent)).as("the chart's appVersion is the release of this version")
                .isEqualTo(version.replace("-SNAPSHOT", "")).isEqualTo(Images.tag(presigner));
        assertThat(Files.readString(Chart.CHART.resolve("Chart.yaml"))).contains("appVersion: \"" + Images.tag(agent) + "\"");
    }

    static String image(JsonNode podTemplate) {
        return podTemplate.path("spec").path("containers").get(0).path("image").asText();
    }
}
