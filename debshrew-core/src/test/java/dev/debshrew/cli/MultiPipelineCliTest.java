package dev.debshrew.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code check-config}, {@code reload} and {@code run} with a config listing {@code pipelines} (issue 14 item 4). */
@Timeout(120)
class MultiPipelineCliTest {

    @TempDir
    Path dir;

    private Path config(String secondEntry) throws Exception {
        Path wasm = Files.writeString(dir.resolve("t.wasm"), "not loaded by check-config");
        Path cfg = dir.resolve("multi.yaml");
        Files.writeString(cfg, """
                metashrew:
                  url: http://127.0.0.1:1/
                admin:
                  port: 1
                data_dir: %s
                pipelines:
                  - name: first
                    transform: {path: %s}
                    sink: {type: file, path: %s}
                  - %s
                """.formatted(dir.resolve("data"), wasm, dir.resolve("a.jsonl"), secondEntry));
        return cfg;
    }

    @Test
    void checkConfigValidatesEveryPipeline() throws Exception {
        Path wasm = dir.resolve("t.wasm");
        CliTest.Result ok = CliTest.run("check-config", config("{name: second, transform: {path: " + wasm
                + "}, sink: {type: file, path: " + dir.resolve("b.jsonl") + "}}").toString());
        assertThat(ok.status()).as(ok.out()).isZero();
        assertThat(ok.out()).contains("valid (2 pipelines: first, second)");

        CliTest.Result bad = CliTest.run("check-config", config("{name: second, transform: {path: "
                + dir.resolve("missing.wasm") + "}, cache_size: 0, sink: {type: file, path: " + dir.resolve("a.jsonl")
                + "}}").toString());
        assertThat(bad.status()).isEqualTo(2);
        assertThat(bad.out()).contains("pipelines[1] (name \"second\"): option 'cache_size'")
                .contains("pipelines[1] (name \"second\"): option 'transform.path'").contains("missing.wasm");

        CliTest.Result shared = CliTest.run("check-config", config("{name: second, transform: {path: " + wasm
                + "}, sink: {type: file, path: " + dir.resolve("a.jsonl") + "}}").toString());
        assertThat(shared.status()).isEqualTo(2);
        assertThat(shared.out()).contains("pipelines[1] (name \"second\"): option 'sink' writes to the same file");
    }

    @Test
    void runRefusesADaemonWideKeyInAPipelineWithStatus2NamingIt() throws Exception {
        Path wasm = dir.resolve("t.wasm");
        Path cfg = config("{name: second, log_level: debug, transform: {path: " + wasm + "}, sink: {type: console}}");
        CliTest.Result r = CliTest.run("run", "--config", cfg.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("pipelines[1] (name \"second\"): option 'log_level' is daemon-wide");

        Path valid = config("{name: second, transform: {path: " + wasm + "}, sink: {type: console}}");
        CliTest.Result b = CliTest.run("run", "--config", valid.toString(), "-b", "5");
        assertThat(b.status()).isEqualTo(2);
        assertThat(b.err()).contains("-b/--start-height and -t/--transform name one pipeline");
    }

    @Test
    void reloadNamesAnUnknownPipelineAndNeedsOneForAModule() throws Exception {
        Path wasm = dir.resolve("t.wasm");
        Path cfg = config("{name: second, transform: {path: " + wasm + "}, sink: {type: console}}");
        CliTest.Result unknown = CliTest.run("reload", "--config", cfg.toString(), "--pipeline", "third");
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err()).contains("no pipeline named 'third'").contains("[first, second]");
        CliTest.Result module = CliTest.run("reload", "--config", cfg.toString(), "--module", wasm.toString());
        assertThat(module.status()).isEqualTo(2);
        assertThat(module.err()).contains("--module needs --pipeline NAME");
    }
}
