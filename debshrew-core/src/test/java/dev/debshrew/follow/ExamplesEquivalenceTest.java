package dev.debshrew.follow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcHeader;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.ReorgStyle;
import dev.debshrew.journal.InMemoryChainStore;
import dev.debshrew.sink.file.FileSink;
import dev.debshrew.sink.file.FileSinkConfig;
import dev.debshrew.testing.Examples;
import dev.debshrew.testing.Pipeline;
import dev.debshrew.testing.TableFold;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Rust and AssemblyScript builds of each example produce identical CDC output on the same
 * devnet chain with reorgs (examples/README.md is their shared contract). The Rust modules are
 * built by scripts/build-rust-examples.sh; scripts/test.sh (and CI) set
 * {@code -Ddebshrew.requireRust=true}, so there a missing build fails instead of skipping.
 */
class ExamplesEquivalenceTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"blocks", "txindex"})
    void rustAndAssemblyScriptEmitTheSameStream(String example) throws Exception {
        Path rust = Examples.rustOrNull(example);
        if (Boolean.getBoolean("debshrew.requireRust")) {
            assertThat(rust).as("Rust build of %s (run scripts/build-rust-examples.sh)", example).isNotNull();
        }
        assumeTrue(rust != null, "Rust examples not built; run scripts/build-rust-examples.sh");

        List<String> fromAs = run(Examples.assemblyScript(example), dir.resolve("as.jsonl"));
        List<String> fromRust = run(rust, dir.resolve("rust.jsonl"));
        assertThat(fromAs).hasSizeGreaterThan(20);
        assertThat(fromRust).containsExactlyElementsOf(fromAs);
    }

    /** Same seed, same steps: two reorgs (depth 2 and 4); returns the output with undo times zeroed. */
    private List<String> run(Path wasm, Path out) throws Exception {
        try (Transform t = Transform.load(wasm, TransformLimits.defaults());
                DevnetServer devnet = DevnetServer.builder().seed(42).initialHeight(12).build().start(0);
                Pipeline p = new Pipeline(devnet, t, new InMemoryChainStore(6),
                        new FileSink(new FileSinkConfig(out, true, true)), 0L)) {
            p.awaitCaughtUp(WAIT);
            devnet.reorg(2, 3, ReorgStyle.INSTANT).get(30, TimeUnit.SECONDS);
            p.awaitCaughtUp(WAIT);
            devnet.mine(2);
            p.awaitCaughtUp(WAIT);
            devnet.reorg(4, 4, ReorgStyle.INSTANT).get(30, TimeUnit.SECONDS);
            p.awaitCaughtUp(WAIT);
        }
        CdcCodec codec = new CdcCodec();
        return TableFold.readFile(out).stream().map(m -> m.header().inverse()
                ? new CdcMessage(new CdcHeader(m.header().source(), 0, m.header().blockHeight(), m.header().blockHash(),
                        m.header().transactionId(), true), m.payload())
                : m).map(codec::encode).toList();
    }
}
