package dev.debshrew.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.debshrew.config.DebshrewConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml, read as text (the block structure of its services; no YAML library in this
 * module): every mounted file exists and loads, the services they name exist, the metashrew URL comes
 * from the environment.
 */
class ComposeExampleTest {

    @Test
    void composeExampleMountsConfigsThatLoadAndNameItsOwnServices() throws Exception {
        String compose = DeployFiles.read(DeployFiles.file("docker-compose.yml"));
        Map<String, String> services = blocks(topLevel(compose, "services"), 2);
        assertThat(services).containsKeys("kafka", "postgres");
        String anchor = topLevel(compose, "x-debshrew");
        assertThat(anchor).contains("build: .");
        DeployFiles.file("Dockerfile");
        ParsedDockerfile dockerfile = ParsedDockerfile.parse(DeployFiles.file("Dockerfile"));
        List<String> inImage = dockerfile.last().all("COPY").stream()
                .map(c -> c.args().get(c.args().size() - 1)).toList();
        String imageVolume = dockerfile.last().all("VOLUME").get(0).raw().replaceAll(".*\"(.*)\".*", "$1");
        List<String> declaredVolumes = new ArrayList<>(blocks(topLevel(compose, "volumes"), 2).keySet());

        List<String> sinkTypes = new ArrayList<>();
        for (Map.Entry<String, String> service : services.entrySet()) {
            String body = service.getValue();
            for (String dep : list(body, "depends_on")) {
                assertThat(services).as("%s depends on a service of this file", service.getKey()).containsKey(dep);
            }
            if (!body.contains("<<: *debshrew")) {
                continue;
            }
            assertThat(body).as(service.getKey()).contains("\"--metashrew-url\", \"${METASHREW_URL:?");
            Matcher mount = Pattern.compile("- \\./([^:\\s]+):(/etc/debshrew/config\\.json):ro").matcher(body);
            assertThat(mount.find()).as("%s mounts its config", service.getKey()).isTrue();
            Path configFile = DeployFiles.file(mount.group(1));
            assertThat(body).contains("\"--config\", \"" + mount.group(2) + "\"");
            DebshrewConfig config = DeployFiles.loadSample(configFile);
            assertThat(inImage).as("%s: transform in the image", configFile)
                    .contains(config.transformPath().toString());
            assertThat(config.adminBind()).isEqualTo("0.0.0.0");
            assertThat(body).containsPattern("\"127\\.0\\.0\\.1:\\d+:" + config.adminPort() + "\"");
            Matcher data = Pattern.compile("- ([\\w-]+):(/\\S+)").matcher(body);
            assertThat(data.find()).isTrue();
            assertThat(declaredVolumes).contains(data.group(1));
            assertThat(data.group(2)).isEqualTo(imageVolume);
            assertThat(config.dataDir()).startsWithRaw(Path.of(imageVolume));

            DebshrewConfig.SinkSpec sink = config.sinks().get(0);
            sinkTypes.add(sink.type());
            if (sink.type().equals("kafka")) {
                String broker = String.valueOf(sink.options().get("bootstrap_servers"));
                assertThat(services).containsKey(broker.split(":")[0]);
                assertThat(services.get(broker.split(":")[0]))
                        .contains("KAFKA_ADVERTISED_LISTENERS: PLAINTEXT://" + broker);
            } else {
                URI url = URI.create(String.valueOf(sink.options().get("url")).substring("jdbc:".length()));
                String db = services.get(url.getHost());
                assertThat(db).as("database service %s", url.getHost()).isNotNull();
                assertThat(db).contains("POSTGRES_USER: " + sink.options().get("user"))
                        .contains("POSTGRES_PASSWORD: " + sink.options().get("password"))
                        .contains("POSTGRES_DB: " + url.getPath().substring(1));
            }
        }
        assertThat(sinkTypes).containsExactlyInAnyOrder("kafka", "postgres");
    }

    /** The indented body of top-level key {@code key}. */
    private static String topLevel(String yaml, String key) {
        String body = blocks(yaml, 0).get(key);
        assertThat(body).as("top-level key %s", key).isNotNull();
        return body;
    }

    /** Keys at {@code indent} spaces (comments skipped) mapped to the lines below them. */
    private static Map<String, String> blocks(String yaml, int indent) {
        Map<String, String> out = new LinkedHashMap<>();
        Pattern key = Pattern.compile(" ".repeat(indent) + "([\\w.-]+):.*");
        String current = null;
        StringBuilder body = new StringBuilder();
        for (String line : yaml.split("\n")) {
            if (line.isBlank() || line.strip().startsWith("#")) {
                continue;
            }
            int lead = line.length() - line.stripLeading().length();
            Matcher m = key.matcher(line);
            if (lead == indent && m.matches()) {
                if (current != null) {
                    out.put(current, body.toString());
                }
                current = m.group(1);
                body.setLength(0);
            } else if (lead > indent && current != null) {
                body.append(line).append('\n');
            } else if (lead < indent) {
                break;
            }
        }
        if (current != null) {
            out.put(current, body.toString());
        }
        return out;
    }

    /** The keys under {@code key} inside a service body (e.g. depends_on's service names). */
    private static List<String> list(String serviceBody, String key) {
        Map<String, String> keys = blocks(serviceBody, 4);
        return keys.containsKey(key) ? new ArrayList<>(blocks(keys.get(key), 6).keySet()) : List.of();
    }
}
