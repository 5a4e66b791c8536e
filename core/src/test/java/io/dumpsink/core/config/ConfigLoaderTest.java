package io.dumpsink.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path tmp;

    private static Config parse(String hocon) {
        return ConfigFactory.parseString(hocon);
    }

    @Test
    void misspelledKeyFailsWithTheKeyItsFileAndASuggestion() throws Exception {
        Path file = tmp.resolve("agent.conf");
        Files.writeString(file, "dumpsink {\n  clster = prod\n  s3 { bucket = dumps, endpiont = \"http://x\" }\n}\n");
        Config application = ConfigFactory.parseFile(file.toFile());

        assertThatThrownBy(() -> new ConfigReader(ConfigLoader.load(application, Map.of())).validate())
                .isInstanceOf(InvalidConfigException.class)
                .satisfies(e -> assertThat(((InvalidConfigException) e).problems()).hasSize(2))
                .hasMessageContaining("dumpsink.clster: unknown key")
                .hasMessageContaining("agent.conf: 2")
                .hasMessageContaining("did you mean 'dumpsink.cluster'?")
                .hasMessageContaining("dumpsink.s3.endpiont: unknown key")
                .hasMessageContaining("did you mean 'dumpsink.s3.endpoint'?");
    }

    @Test
    void theOtherProgramsSectionIsLeftToIt() {
        Config loaded = ConfigLoader.load(parse("dumpsink.presigner { port = 8080, anything = 1 }"), Map.of());
        assertThat(loaded.getInt("dumpsink.presigner.port")).isEqualTo(8080);
    }

    @Test
    void deploymentEnvironmentVariablesOverrideTheFile() {
        Config loaded = ConfigLoader.load(parse("dumpsink { cluster = from-file, s3.bucket = file-bucket }"),
                Map.of("DUMPSINK_CLUSTER", "prod-eu1", "NODE_NAME", "ip-10-0-0-1",
                        "DUMPSINK_S3_ENDPOINT", "http://minio:9000"));
        ClusterSettings cluster = ClusterSettings.from(new ConfigReader(loaded));
        assertThat(cluster).isEqualTo(new ClusterSettings("prod-eu1", "ip-10-0-0-1"));
        S3Settings s3 = S3Settings.from(new ConfigReader(loaded));
        assertThat(s3.endpoint()).hasValueSatisfying(uri -> assertThat(uri).hasToString("http://minio:9000"));
        assertThat(s3.bucket()).isEqualTo("file-bucket");
    }

    @Test
    void precedenceIsSystemPropertiesThenDeploymentVariablesThenTheFileThenReferenceConf() {
        Config file = parse("""
                dumpsink {
                  cluster = file-cluster, node = file-node
                  s3 { bucket = file-bucket, endpoint = "http://file:9000", region = eu-west-1 }
                }""");
        Map<String, String> environment = Map.of("DUMPSINK_CLUSTER", "env-cluster", "NODE_NAME", "env-node",
                "DUMPSINK_S3_BUCKET", "env-bucket", "DUMPSINK_S3_ENDPOINT", "http://env:9000");
        System.setProperty("dumpsink.s3.bucket", "property-bucket");
        try {
            Config loaded = ConfigLoader.load(file, environment);
            assertThat(loaded.getString("dumpsink.cluster")).as("variable over file").isEqualTo("env-cluster");
            assertThat(loaded.getString("dumpsink.node")).as("variable over file").isEqualTo("env-node");
            assertThat(loaded.getString("dumpsink.s3.endpoint")).as("variable over file").isEqualTo("http://env:9000");
            assertThat(loaded.getString("dumpsink.s3.bucket")).as("-D over variable").isEqualTo("property-bucket");
            assertThat(loaded.getString("dumpsink.s3.region")).as("file over reference.conf").isEqualTo("eu-west-1");
            assertThat(loaded.getBoolean("dumpsink.s3.path-style")).as("reference.conf").isFalse();
        } finally {
            System.clearProperty("dumpsink.s3.bucket");
        }
    }

    @Test
    void aBlankDeploymentVariableLeavesTheFilesValue() {
        Config loaded = ConfigLoader.load(parse("dumpsink { cluster = file-cluster, s3.bucket = file-bucket }"),
                Map.of("DUMPSINK_CLUSTER", "", "DUMPSINK_S3_BUCKET", "  "));
        assertThat(loaded.getString("dumpsink.cluster")).isEqualTo("file-cluster");
        assertThat(loaded.getString("dumpsink.s3.bucket")).isEqualTo("file-bucket");
    }

    @Test
    void everyBadValueIsReportedAtOnceNamingItsKey() {
        Config loaded = ConfigLoader.load(parse("""
                dumpsink {
                  cluster = "prod eu"
                  s3 { endpoint = "minio:9000", bucket = "Bad_Bucket", access-key = "only-one-half",
                       request-checksums = "when-requird" }
                }"""), Map.of());
        ConfigReader reader = new ConfigReader(loaded);
        ClusterSettings.from(reader);
        S3Settings.from(reader);
        assertThatThrownBy(reader::validate)
                .isInstanceOf(InvalidConfigException.class)
                .satisfies(e -> assertThat(((InvalidConfigException) e).problems()).hasSize(5))
                .hasMessageContaining("dumpsink.cluster: 'prod eu' is not usable in an object key")
                .hasMessageContaining("for example 'prod_eu'")
                .hasMessageContaining("dumpsink.s3.endpoint: expected an http:// or https:// URL")
                .hasMessageContaining("dumpsink.s3.bucket: 'Bad_Bucket' is not a valid bucket name")
                .hasMessageContaining("dumpsink.s3.secret-key: set both")
                .hasMessageContaining("dumpsink.s3.request-checksums: unknown value 'when-requird'")
                .hasMessageContaining("did you mean 'when-required'?");
    }

    @Test
    void secretsAreMaskedInTheEffectiveConfiguration() {
        Config loaded = ConfigLoader.load(parse("dumpsink.s3 { access-key = AKIA123, secret-key = s3cr3t }"),
                Map.of());
        String described = ConfigLoader.describe(loaded);
        assertThat(described).doesNotContain("AKIA123").doesNotContain("s3cr3t").contains("***")
                .contains("bucket");
    }

    @Test
    void checksumModeAutoDependsOnTheEndpoint() {
        S3Settings aws = S3Settings.from(new ConfigReader(ConfigLoader.load(parse(""), Map.of())));
        S3Settings minio = S3Settings.from(new ConfigReader(ConfigLoader.load(
                parse("dumpsink.s3.endpoint = \"http://minio:9000\""), Map.of())));
        assertThat(aws.checksumsWhenRequired()).isFalse();
        assertThat(minio.checksumsWhenRequired()).isTrue();
    }

    @Test
    void aMissingConfigFileIsAnError() {
        System.setProperty("config.file", tmp.resolve("nope.conf").toString());
        try {
            assertThatThrownBy(ConfigLoader::load).hasMessageContaining("config.file: no such file");
        } finally {
            System.clearProperty("config.file");
        }
    }
}
