package dev.debshrew.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.debshrew.config.DebshrewConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The systemd units: install instructions that leave the config readable by the service's group,
 * {@code systemd-analyze verify} without a warning, and an exposure rating of 2.0 or lower (both
 * skipped, with a message, where systemd-analyze is not installed).
 */
class SystemdUnitTest {

    private static final Pattern EXPOSURE = Pattern.compile("Overall exposure level for \\S+: (\\d+\\.\\d+)");

    @TempDir
    Path dir;

    @Test
    void systemdUnitInstallsItsConfigReadableByTheServiceGroup() throws Exception {
        for (String name : List.of("debshrew.service", "debshrew@.service")) {
            String unit = DeployFiles.read(DeployFiles.file("config/" + name));
            assertThat(unit).as(name).contains("\nUser=debshrew\n", "\nGroup=debshrew\n",
                    "\nRestartPreventExitStatus=2 3\n", "\nRestart=on-failure\n", "\nProtectSystem=strict\n");
            assertThat(unit).as("%s: no MemoryDenyWriteExecute (the JIT needs W+X memory)", name)
                    .doesNotContain("\nMemoryDenyWriteExecute=");
        }
        String unit = DeployFiles.read(DeployFiles.file("config/debshrew.service"));
        assertThat(unit).contains("useradd --system --user-group");
        Matcher config = Pattern.compile("install -o root -g debshrew -m 0640 (\\S+) (/etc/debshrew/\\S+)")
                .matcher(unit);
        assertThat(config.find()).as("install line of the config").isTrue();
        assertThat(unit).contains("install -d -o root -g debshrew -m 0750 /etc/debshrew");
        assertThat(unit).contains("--config " + config.group(2));
        DebshrewConfig sample = DeployFiles.loadSample(DeployFiles.file(config.group(1)));
        assertThat(unit).as("the install lines put the sample's transform in place")
                .containsPattern("install -D [^\\n]*\\.wasm " + Pattern.quote(sample.transformPath().toString()));
        assertThat(sample.dataDir()).startsWithRaw(Path.of("/var/lib/debshrew"));
        assertThat(sample.adminBind()).isEqualTo("127.0.0.1");

        String template = DeployFiles.read(DeployFiles.file("config/debshrew@.service"));
        assertThat(template).contains("--config /etc/debshrew/%i.json", "\nStateDirectory=debshrew/%i\n",
                "\nWorkingDirectory=/var/lib/debshrew/%i\n", "\nReadWritePaths=/var/lib/debshrew/%i\n");
    }

    @Test
    void systemdUnitsVerifyCleanlyAndRateTwoOrLower() throws Exception {
        Assumptions.assumeTrue(systemdAnalyzeAvailable(), "systemd-analyze is not installed: units not verified");
        for (String[] unit : new String[][] {{"debshrew.service", "debshrew.service"},
                {"debshrew@.service", "debshrew@pipeline1.service"}}) {
            String text = DeployFiles.read(DeployFiles.file("config/" + unit[0]));
            Path java = Path.of("/usr/bin/java");
            if (!Files.isExecutable(java)) { // verify checks ExecStart's binary: use this JVM's
                text = text.replace("/usr/bin/java", Path.of(System.getProperty("java.home"), "bin", "java")
                        .toString());
            }
            Path file = Files.writeString(dir.resolve(unit[1]), text);
            String[] verify = run("systemd-analyze", "verify", file.toString());
            assertThat(verify[0]).as("verify %s: exit status", unit[0]).isEqualTo("0");
            assertThat(verify[1]).as("verify %s: warnings", unit[0]).isBlank();

            String[] security = run("systemd-analyze", "security", "--offline=true", "--no-pager", file.toString());
            Matcher m = EXPOSURE.matcher(security[1]);
            assertThat(m.find()).as("security %s:\n%s", unit[0], security[1]).isTrue();
            assertThat(Double.parseDouble(m.group(1))).as("exposure of %s:\n%s", unit[0], security[1])
                    .isLessThanOrEqualTo(2.0);
        }
    }

    private static boolean systemdAnalyzeAvailable() {
        try {
            return run("systemd-analyze", "--version")[0].equals("0");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Exit status and combined output. */
    private static String[] run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish within 60 s:\n" + out);
        }
        return new String[] {String.valueOf(p.exitValue()), out};
    }
}
