package dev.debshrew.transform;

import static dev.debshrew.transform.Fixtures.NO_VIEWS;
import static dev.debshrew.transform.Fixtures.block;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The on-disk compile cache (Chicory 1.7.5 {@code MachineFactoryCompiler.Builder.withCache}). */
class CompileCacheTest {

    private static List<Path> cacheFiles(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }

    @Test
    void secondLoadWithTheSameCacheDirHitsTheCache(@TempDir Path dir) throws Exception {
        Path cacheDir = dir.resolve("cache");
        TransformLimits limits = TransformLimits.builder().compileCacheDir(cacheDir).build();
        BlockOutput first;
        String sha;
        try (Transform t = Fixtures.load("output", limits)) {
            assertThat(t.loadedFromCompileCache()).isFalse();
            first = t.process(block(1), NO_VIEWS, StateReader.EMPTY);
            sha = t.sha256();
        }
        List<Path> files = cacheFiles(cacheDir);
        assertThat(files).hasSize(1);
        assertThat(files.get(0).getFileName().toString()).startsWith(sha).endsWith(".bin").contains("chicory-1.7.5");
        long size = Files.size(files.get(0));
        assertThat(size).isPositive();

        try (Transform t = Fixtures.load("output", limits)) {
            assertThat(t.loadedFromCompileCache()).isTrue();
            assertThat(t.process(block(1), NO_VIEWS, StateReader.EMPTY)).isEqualTo(first);
        }
        assertThat(cacheFiles(cacheDir)).hasSize(1);

        // a different module gets its own entry
        try (Transform t = Fixtures.load("state", limits)) {
            assertThat(t.loadedFromCompileCache()).isFalse();
        }
        assertThat(cacheFiles(cacheDir)).hasSize(2);
    }

    @Test
    void corruptCacheEntryIsReplaced(@TempDir Path dir) throws Exception {
        TransformLimits limits = TransformLimits.builder().compileCacheDir(dir).build();
        try (Transform t = Fixtures.load("block_info", limits)) {
            assertThat(t.loadedFromCompileCache()).isFalse();
        }
        Path entry = cacheFiles(dir).get(0);
        Files.write(entry, new byte[] {1, 2, 3, 4, 5});

        try (Transform t = Fixtures.load("block_info", limits)) {
            assertThat(t.loadedFromCompileCache()).isFalse();
            assertThat(t.process(block(5), NO_VIEWS, StateReader.EMPTY).stateChanges().size()).isEqualTo(2);
        }
        assertThat(Files.size(entry)).isGreaterThan(5);
        try (Transform t = Fixtures.load("block_info", limits)) {
            assertThat(t.loadedFromCompileCache()).isTrue();
        }
    }

    @Test
    void cacheEntryWithValidChecksumButUnloadableClassesIsReplaced(@TempDir Path dir) throws Exception {
        TransformLimits limits = TransformLimits.builder().compileCacheDir(dir).build();
        byte[] wasm = Wat.bytes("view");
        String key = "sha-256:" + java.util.Base64.getEncoder().encodeToString(
                java.security.MessageDigest.getInstance("SHA-256").digest(wasm));
        // simulate an entry written by an incompatible compiler: well-framed, but not a class jar
        new dev.debshrew.transform.internal.FileCompileCache(dir).putIfAbsent(key, "not a jar".getBytes());
        assertThat(cacheFiles(dir)).hasSize(1);

        try (Transform t = Transform.load("view", wasm, limits)) {
            assertThat(t.loadedFromCompileCache()).isFalse();
            BlockOutput out = t.process(block(1), (n, i, h) -> new byte[] {9}, StateReader.EMPTY);
            assertThat(out.stateChanges().get("v1".getBytes())).containsExactly(9);
        }
        try (Transform t = Transform.load("view", wasm, limits)) {
            assertThat(t.loadedFromCompileCache()).isTrue();
        }
    }

    @Test
    void interpreterModeDoesNotUseTheCache(@TempDir Path dir) throws Exception {
        TransformLimits limits = TransformLimits.builder().compileCacheDir(dir).useInterpreter(true).build();
        try (Transform t = Fixtures.load("output", limits)) {
            assertThat(t.loadedFromCompileCache()).isFalse();
            assertThat(t.process(block(1), NO_VIEWS, StateReader.EMPTY).messages()).hasSize(2);
        }
        assertThat(cacheFiles(dir)).isEmpty();
    }
}
