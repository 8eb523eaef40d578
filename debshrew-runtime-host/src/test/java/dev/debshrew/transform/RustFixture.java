package dev.debshrew.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Test helper: compiles a single-file Rust transform of {@code src/test/resources/rust/} to
 * {@code wasm32-unknown-unknown} with the offline toolchain of {@code scripts/build-rust-examples.sh}
 * (its rustc and wasm-ld, and the standard library that script built for the examples), keeping
 * the name section. The toolchain is {@code -Ddebshrew.toolchain.dir}, else
 * {@code $DEBSHREW_TOOLCHAIN_DIR}, else {@code ../.toolchain}; the standard library is
 * {@code -Ddebshrew.rust.std.dir}, else {@code ../examples/rust/target/wasm32-unknown-unknown/release/deps}.
 * When either is missing (the Rust examples were not built) the calling test is skipped, never passed,
 * and with {@code -Ddebshrew.requireRust=true} it fails.
 */
final class RustFixture {

    private RustFixture() {
    }

    /**
     * Skips the calling test when the toolchain part is missing, except with
     * {@code -Ddebshrew.requireRust=true} (scripts/test.sh, CI), where a missing part fails it.
     */
    private static void available(boolean present, String what) {
        if (Boolean.getBoolean("debshrew.requireRust")) {
            assertThat(present).as(what + "; -Ddebshrew.requireRust=true requires it").isTrue();
        }
        assumeTrue(present, what);
    }

    static Path compile(String name, Path dir) throws Exception {
        String tcProp = System.getProperty("debshrew.toolchain.dir", System.getenv("DEBSHREW_TOOLCHAIN_DIR"));
        Path tc = tcProp != null ? Path.of(tcProp) : Path.of("../.toolchain").toAbsolutePath().normalize();
        Path std = Path.of(System.getProperty("debshrew.rust.std.dir",
                "../examples/rust/target/wasm32-unknown-unknown/release/deps")).toAbsolutePath().normalize();
        Path rustc = tc.resolve("root/usr/bin/rustc");
        Path linker = tc.resolve("bin/wasm-ld");
        available(Files.isExecutable(rustc) && Files.isExecutable(linker),
                "the offline Rust toolchain is not at " + tc + " (scripts/build-rust-examples.sh builds it)");
        Path libstd = single(std, "libstd-");
        Path panicAbort = single(std, "libpanic_abort-");
        available(libstd != null && panicAbort != null, "the wasm32 standard library is not built in " + std
                + " (scripts/build-rust-examples.sh builds it)");
        Path src = dir.resolve(name + ".rs");
        try (InputStream in = RustFixture.class.getResourceAsStream("/rust/" + name + ".rs")) {
            assertThat(in).as("fixture /rust/%s.rs", name).isNotNull();
            Files.write(src, in.readAllBytes());
        }
        Path out = dir.resolve(name + ".wasm");
        ProcessBuilder pb = new ProcessBuilder(List.of(rustc.toString(), "--edition", "2021",
                "--target", "wasm32-unknown-unknown", "--crate-type", "cdylib", "-C", "panic=abort",
                "-C", "opt-level=s", "-C", "strip=none", "-Z", "unstable-options", "--sysroot=" + dir.resolve("none"),
                "--extern", "std=" + libstd, "--extern", "noprelude:panic_abort=" + panicAbort,
                "-L", "dependency=" + std, "-C", "linker=" + linker, src.toString(), "-o", out.toString()))
                .redirectErrorStream(true);
        pb.environment().put("RUSTC_BOOTSTRAP", "1");
        String lib = tc.resolve("root/usr/lib/x86_64-linux-gnu").toString();
        String old = System.getenv("LD_LIBRARY_PATH");
        pb.environment().put("LD_LIBRARY_PATH", old == null ? lib : lib + File.pathSeparator + old);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("rustc finished").isTrue();
        assertThat(p.exitValue()).as("rustc: " + output).isZero();
        return out;
    }

    private static Path single(Path dir, String prefix) throws Exception {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> found = files.filter(f -> f.getFileName().toString().startsWith(prefix)
                    && f.getFileName().toString().endsWith(".rlib")).toList();
            return found.size() == 1 ? found.get(0) : null;
        }
    }
}
