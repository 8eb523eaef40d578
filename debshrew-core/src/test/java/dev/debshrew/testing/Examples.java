package dev.debshrew.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the example transforms built from source by the Maven build (module {@code examples}). */
public final class Examples {

    private Examples() {
    }

    /** The root of {@code examples/}. */
    public static Path dir() {
        String prop = System.getProperty("debshrew.examples.dir");
        Path p = prop != null ? Path.of(prop) : Path.of("../examples");
        return p.toAbsolutePath().normalize();
    }

    /** {@code examples/assemblyscript/build/<name>.wasm}; fails clearly when it was not built. */
    public static Path assemblyScript(String name) {
        Path p = dir().resolve("assemblyscript/build/" + name + ".wasm");
        assertThat(Files.isRegularFile(p))
                .as("%s is missing: build the examples first (mvn -pl examples compile)", p).isTrue();
        return p;
    }

    /** The Rust build of example {@code name}, or null when the Rust examples were not built. */
    public static Path rustOrNull(String name) {
        for (String rel : new String[] {"rust/build/" + name + ".wasm",
                "rust/target/wasm32-unknown-unknown/release/" + name + ".wasm"}) {
            Path p = dir().resolve(rel);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }
}
