package dev.debshrew.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Load-time validation: every unusable module is rejected with a message naming the module and the problem. */
class LoadTest {

    private static TransformLoadException loadFails(String fixture) {
        try (Transform t = Fixtures.load(fixture, TransformLimits.defaults())) {
            throw new AssertionError("expected " + fixture + " to be rejected, loaded " + t);
        } catch (TransformLoadException e) {
            assertThat(e.moduleName()).isEqualTo(fixture + ".wasm");
            assertThat(e.blockHeight()).isEmpty();
            assertThat(e.getMessage()).contains("transform '" + fixture + ".wasm'");
            return e;
        }
    }

    @Test
    void missingProcessBlock() {
        assertThat(loadFails("missing_process_block")).hasMessageContaining("missing required export 'process_block'");
    }

    @Test
    void processBlockWithWrongSignature() {
        assertThat(loadFails("wrong_process_block_type"))
                .hasMessageContaining("'process_block' has signature (i32) -> i32, expected () -> i32");
    }

    @Test
    void missingMemoryExport() {
        assertThat(loadFails("missing_memory")).hasMessageContaining("missing required export 'memory'");
    }

    @Test
    void wasiImportIsRejectedNamingTheImportAndWhatIsSupported() {
        assertThat(loadFails("wasi_import"))
                .hasMessageContaining("unsupported import 'wasi_snapshot_preview1.fd_write'")
                .hasMessageContaining("WASI is not provided")
                .hasMessageContaining("env.__height: () -> i32")
                .hasMessageContaining("env.__view: (i32, i32) -> i32")
                .hasMessageContaining("env.__push_cdc_message: (i32) -> i32");
    }

    @Test
    void unknownEnvImportIsRejected() {
        assertThat(loadFails("unknown_env_import"))
                .hasMessageContaining("unsupported import 'env.__secret_rng' (function () -> i64)")
                .hasMessageNotContaining("'env.__height'");
    }

    @Test
    void knownImportWithWrongSignatureIsRejected() {
        assertThat(loadFails("wrong_signature"))
                .hasMessageContaining("import 'env.__set_state' has signature (i32) -> i32, expected (i32, i32) -> i32");
    }

    @Test
    void importedMemoryIsRejected() {
        assertThat(loadFails("imported_memory")).hasMessageContaining("unsupported import 'env.memory' of kind memory");
    }

    @Test
    void malformedBytesNameTheFile(@TempDir Path dir) throws Exception {
        Path garbage = dir.resolve("garbage.wasm");
        Files.write(garbage, new byte[] {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x05, (byte) 0xff, 0x13});
        assertThatThrownBy(() -> Transform.load(garbage, TransformLimits.defaults()))
                .isInstanceOf(TransformLoadException.class)
                .hasMessageContaining("garbage.wasm")
                .hasMessageContaining(garbage.toString())
                .hasMessageContaining("not a valid WebAssembly module");

        Path text = dir.resolve("notwasm.wasm");
        Files.writeString(text, "this is not wasm");
        assertThatThrownBy(() -> Transform.load(text, TransformLimits.defaults()))
                .isInstanceOf(TransformLoadException.class)
                .hasMessageContaining("notwasm.wasm")
                .hasMessageContaining("not a valid WebAssembly module");
    }

    @Test
    void emptyBytesFromMemory() {
        assertThatThrownBy(() -> Transform.load("empty-module", new byte[0], TransformLimits.defaults()))
                .isInstanceOf(TransformLoadException.class)
                .hasMessageContaining("transform 'empty-module'")
                .hasMessageContaining("not a valid WebAssembly module");
    }

    @Test
    void missingFile(@TempDir Path dir) {
        Path missing = dir.resolve("nope.wasm");
        assertThatThrownBy(() -> Transform.load(missing, TransformLimits.defaults()))
                .isInstanceOf(TransformLoadException.class)
                .hasMessageContaining("cannot read " + missing);
    }

    @Test
    void loadFromBytesUsesTheGivenName() throws Exception {
        try (Transform t = Transform.load("my-transform", Wat.bytes("output"), TransformLimits.defaults())) {
            assertThat(t.name()).isEqualTo("my-transform");
            assertThat(t.abi()).isEqualTo(AbiVersion.V1);
            assertThat(t.hasRollbackExport()).isFalse();
            assertThat(t.loadedFromCompileCache()).isFalse();
        }
    }

    @Test
    void closedTransformRefusesBlocks() throws Exception {
        Transform t = Fixtures.load("output", TransformLimits.defaults());
        t.close();
        t.close();
        assertThatThrownBy(() -> t.process(Fixtures.block(1), Fixtures.NO_VIEWS, StateReader.EMPTY))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }
}
