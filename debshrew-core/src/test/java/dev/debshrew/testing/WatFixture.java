package dev.debshrew.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Compiles a WAT fixture of {@code src/test/resources/wat/} to a {@code .wasm} file with wabt's
 * {@code wat2wasm} (system property {@code wat2wasm}, else on the PATH), keeping the function
 * names (name section) so that trap reports can name them.
 */
public final class WatFixture {

    private WatFixture() {
    }

    /** Compiles {@code wat/<name>.wat} into {@code dir/<name>.wasm} and returns its path. */
    public static Path compile(String name, Path dir) throws Exception {
        Path src = dir.resolve(name + ".wat");
        try (InputStream in = WatFixture.class.getResourceAsStream("/wat/" + name + ".wat")) {
            assertThat(in).as("fixture /wat/%s.wat on the test class path", name).isNotNull();
            Files.write(src, in.readAllBytes());
        }
        Path wasm = dir.resolve(name + ".wasm");
        Process p = new ProcessBuilder(System.getProperty("wat2wasm", "wat2wasm"), "--debug-names", src.toString(),
                "-o", wasm.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("wat2wasm finished").isTrue();
        assertThat(p.exitValue()).as("wat2wasm: " + output).isZero();
        return wasm;
    }
}
