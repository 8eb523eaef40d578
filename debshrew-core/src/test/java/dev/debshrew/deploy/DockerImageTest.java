package dev.debshrew.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.deploy.ParsedDockerfile.Instruction;
import dev.debshrew.deploy.ParsedDockerfile.Stage;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile, checked without a Docker engine (none on the build machines): layer order, paths,
 * the baked sample config, user, health check, volume, exposed port and JAVA_OPTS.
 */
class DockerImageTest {

    private final ParsedDockerfile dockerfile;

    DockerImageTest() throws Exception {
        dockerfile = ParsedDockerfile.parse(DeployFiles.file("Dockerfile"));
    }

    @Test
    void dockerImageDownloadsDependenciesInALayerBeforeTheSources() throws Exception {
        Stage build = dockerfile.stage("build");
        Instruction firstMaven = build.instructions().stream()
                .filter(i -> i.keyword().equals("RUN") && i.raw().contains("mvn ")).findFirst().orElseThrow();
        int mvnAt = build.indexOf(firstMaven);
        List<String> copiedBefore = new ArrayList<>();
        for (Instruction copy : build.all("COPY")) {
            List<String> sources = copy.args().subList(0, copy.args().size() - 1);
            if (build.indexOf(copy) < mvnAt) {
                assertThat(sources).as("layer before the dependency download: %s", copy.raw())
                        .allMatch(s -> s.endsWith("pom.xml") || s.endsWith("package.json")
                                || s.endsWith("package-lock.json"));
                copiedBefore.addAll(sources);
            }
        }
        // the default build's modules: those of opt-in profiles (-Pjmh) are not in the image
        String rootPom = DeployFiles.read(DeployFiles.file("pom.xml")).replaceAll("(?s)<profiles>.*</profiles>", "");
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(rootPom);
        List<String> modules = new ArrayList<>();
        while (module.find()) {
            modules.add(module.group(1));
        }
        assertThat(modules).isNotEmpty();
        assertThat(copiedBefore).contains("pom.xml");
        for (String m : modules) {
            assertThat(copiedBefore).as("pom of module %s copied before the dependency layer", m)
                    .contains(m + "/pom.xml");
        }
        assertThat(firstMaven.raw()).as("the dependency layer does not need the sources").contains("-DskipTests");
        Instruction sources = build.all("COPY").stream()
                .filter(c -> c.args().get(0).equals("debshrew-core/src")).findFirst().orElseThrow();
        assertThat(build.indexOf(sources)).as("sources come after the dependency layer").isGreaterThan(mvnAt);
        List<Instruction> maven = build.all("RUN").stream().filter(i -> i.raw().contains("mvn ")).toList();
        Instruction realBuild = maven.get(maven.size() - 1);
        assertThat(build.indexOf(realBuild)).isGreaterThan(build.indexOf(sources));
        List<String> copiedSources = build.all("COPY").stream()
                .filter(c -> build.indexOf(c) > mvnAt && build.indexOf(c) < build.indexOf(realBuild))
                .flatMap(c -> c.args().subList(0, c.args().size() - 1).stream()).toList();
        for (String m : modules) {
            if (Files.isDirectory(DeployFiles.root().resolve(m + "/src"))) {
                assertThat(copiedSources).as("sources of module %s copied before the real build", m)
                        .contains(m + "/src");
            }
        }
        assertThat(realBuild.raw()).as("the real build compiles the example transforms the image copies")
                .doesNotContain("exec.skip").doesNotContain("-pl");
    }

    @Test
    void dockerImageCopiesOnlyFilesThatExistWithAbsoluteDestinations() throws Exception {
        Path root = DeployFiles.root();
        List<String> ignored = Files.readAllLines(DeployFiles.file(".dockerignore")).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .map(l -> l.endsWith("/") ? l.substring(0, l.length() - 1) : l).toList();
        Stage build = dockerfile.stage("build");
        String buildDir = build.all("WORKDIR").get(0).args().get(0);
        for (Stage stage : dockerfile.stages()) {
            for (Instruction w : stage.all("WORKDIR")) {
                assertThat(w.args().get(0)).as(w.raw()).startsWith("/");
            }
            for (Instruction copy : stage.all("COPY")) {
                String dest = copy.args().get(copy.args().size() - 1);
                assertThat(dest).as("absolute destination: %s", copy.raw()).startsWith("/");
                for (String src : copy.args().subList(0, copy.args().size() - 1)) {
                    if (copy.flag("from") == null) {
                        assertThat(root.resolve(src)).as("COPY source %s exists", src).exists();
                        assertThat(ignored).as("COPY source %s is not excluded by .dockerignore", src)
                                .noneMatch(p -> matches(p, src));
                    } else {
                        assertThat(copy.flag("from")).isEqualTo("build");
                        assertThat(src).startsWith(buildDir + "/");
                        assertThat(producedByTheBuild(build, src.substring(buildDir.length() + 1)))
                                .as("%s is produced in the build stage", src).isTrue();
                    }
                }
            }
        }
    }

    @Test
    void dockerImageSampleConfigNamesATransformInTheImageAndServesAdminOnAllInterfaces() throws Exception {
        Stage run = dockerfile.last();
        List<String> cmd = jsonArray(run.all("CMD").get(0));
        String configInImage = cmd.get(cmd.indexOf("--config") + 1);
        Instruction configCopy = copyTo(run, configInImage);
        DebshrewConfig config = DeployFiles.loadSample(DeployFiles.file(configCopy.args().get(0)));

        assertThat(copyTo(run, config.transformPath().toString()))
                .as("the image contains the transform %s", config.transformPath()).isNotNull();
        assertThat(config.adminBind()).isEqualTo("0.0.0.0");
        assertThat(run.all("EXPOSE").get(0).args()).containsExactly(String.valueOf(config.adminPort()));
        String health = run.all("HEALTHCHECK").get(0).raw();
        assertThat(health).contains("http://127.0.0.1:" + config.adminPort() + "/health");
        String probe = health.replaceAll(".*CMD\\s*\\[\\s*\"([^\"]+)\".*", "$1");
        assertThat(run.all("RUN")).as("the health probe %s is installed in the runtime image", probe)
                .anyMatch(r -> r.raw().matches(".*apt-get install[^&]* " + Pattern.quote(probe) + "( .*|$)"));
        String volume = jsonArray(run.all("VOLUME").get(0)).get(0);
        assertThat(config.dataDir()).as("data_dir lies in the volume").startsWithRaw(Path.of(volume));

        List<Instruction> users = run.all("USER");
        assertThat(users).hasSize(1);
        String user = users.get(0).args().get(0).split(":")[0];
        assertThat(user).isNotIn("root", "0");
        assertThat(run.all("RUN")).as("user %s is created", user).anyMatch(r -> r.raw().contains("useradd")
                && r.raw().contains(" " + user) && r.raw().contains("chown " + user));
        assertThat(run.indexOf(users.get(0))).isLessThan(run.indexOf(run.all("ENTRYPOINT").get(0)));
    }

    @Test
    void dockerImageEntrypointPassesJavaOptsToTheJvm() throws Exception {
        Stage run = dockerfile.last();
        String entrypoint = jsonArray(run.all("ENTRYPOINT").get(0)).get(0);
        Path script = DeployFiles.file(copyTo(run, entrypoint).args().get(0));
        Path anyJar = Path.of(picocli.CommandLine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ProcessBuilder pb = new ProcessBuilder("sh", script.toString(), "run", "--config", "/nonexistent.json")
                .redirectErrorStream(true);
        pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":"
                + pb.environment().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().put("DEBSHREW_JAR", anyJar.toString());
        pb.environment().put("JAVA_OPTS", "-Ddebshrew.probe=from_java_opts -XshowSettings:properties -version");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("debshrew.probe = from_java_opts");
    }

    private static boolean producedByTheBuild(Stage build, String relative) throws Exception {
        String module = relative.split("/")[0];
        boolean moduleCopied = build.all("COPY").stream().anyMatch(c -> c.args().get(0).startsWith(module + "/"));
        if (!moduleCopied) {
            return false;
        }
        if (relative.equals("debshrew-core/target/debshrew.jar")) {
            return DeployFiles.read(DeployFiles.file("debshrew-core/pom.xml"))
                    .contains("<finalName>debshrew</finalName>");
        }
        // the examples' outputs exist here because the Maven build made them (tests need them too)
        return Files.isRegularFile(DeployFiles.root().resolve(relative));
    }

    private static Instruction copyTo(Stage stage, String destination) {
        return stage.all("COPY").stream().filter(c -> c.args().get(c.args().size() - 1).equals(destination))
                .findFirst().orElse(null);
    }

    private static List<String> jsonArray(Instruction i) {
        String raw = i.raw().substring(i.raw().indexOf('[') + 1, i.raw().lastIndexOf(']'));
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\"([^\"]*)\"").matcher(raw);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static boolean matches(String ignorePattern, String source) {
        var matcher = FileSystems.getDefault().getPathMatcher("glob:" + ignorePattern);
        for (Path p = Path.of(source); p != null; p = p.getParent()) {
            if (matcher.matches(p) || matcher.matches(Path.of("x").resolve(p))) {
                return true;
            }
        }
        return false;
    }
}
