package dev.debshrew.transform;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Test helper: compiles the WAT fixtures under {@code src/test/resources/wat/} to {@code .wasm}
 * with Debian's {@code wat2wasm} (package {@code wabt}) into {@code target/wat/}, once per JVM.
 * The tool is looked up in system property {@code wat2wasm}, then {@code /usr/bin/wat2wasm}, then
 * on the {@code PATH}. A fixture containing the comment {@code ;; wat2wasm --debug-names} is
 * compiled with that option (its function names kept in a name section).
 */
public final class Wat {

    private static final Map<String, Path> COMPILED = new ConcurrentHashMap<>();

    private Wat() {
    }

    /** The compiled {@code .wasm} of fixture {@code wat/<name>.wat}. */
    public static Path wasm(String name) {
        return COMPILED.computeIfAbsent(name, Wat::compile);
    }

    /** The bytes of the compiled fixture. */
    public static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(wasm(name));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The output directory, {@code target/wat} of this module. */
    public static Path outputDir() {
        return Path.of(System.getProperty("basedir", ".")).resolve("target").resolve("wat");
    }

    private static Path compile(String name) {
        try {
            Path dir = outputDir();
            Files.createDirectories(dir);
            Path src = dir.resolve(name + ".wat");
            byte[] text;
            try (InputStream in = Wat.class.getResourceAsStream("/wat/" + name + ".wat")) {
                if (in == null) {
                    throw new IllegalArgumentException("no WAT fixture /wat/" + name + ".wat on the test classpath");
                }
                text = in.readAllBytes();
            }
            Files.write(src, text);
            Path out = dir.resolve(name + ".wasm");
            java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(wat2wasm(), src.toString(),
                    "-o", out.toString()));
            if (new String(text, StandardCharsets.UTF_8).contains(";; wat2wasm --debug-names")) {
                command.add("--debug-names");
            }
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("wat2wasm timed out on " + src);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("wat2wasm failed on " + src + " (exit " + p.exitValue() + "):\n" + output);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot compile WAT fixture '" + name + "': " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String wat2wasm() {
        String configured = System.getProperty("wat2wasm");
        if (configured != null) {
            return configured;
        }
        if (Files.isExecutable(Path.of("/usr/bin/wat2wasm"))) {
            return "/usr/bin/wat2wasm";
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path candidate = Path.of(dir, "wat2wasm");
                if (Files.isExecutable(candidate)) {
                    return candidate.toString();
                }
            }
        }
        throw new IllegalStateException("wat2wasm not found (needed to build the WAT test fixtures): install "
                + "Debian's 'wabt' package (apt-get install wabt) or set -Dwat2wasm=/path/to/wat2wasm");
    }
}
