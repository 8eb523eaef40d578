package dev.debshrew.init;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes a new transform project ({@code debshrew init}): the language's template (resources under
 * {@code dev/debshrew/init/<lang>/}), the shared golden test ({@code test.sh}, {@code expected.jsonl})
 * and a copy of the language's SDK, bundled from {@code examples/} at build time (see
 * debshrew-core's pom.xml), so it works from the shaded jar without a checkout.
 *
 * <p>Rust: the SDK crate is vendored as {@code debshrew-runtime/} (path dependency). AssemblyScript:
 * the SDK package is vendored as {@code debshrew-sdk/} ({@code file:} dependency), with a
 * {@code package-lock.json} pinning the same {@code assemblyscript} compiler as the repository's
 * examples, so {@code npm install} can run from the npm cache offline.
 */
public final class ProjectScaffold {

    /** Supported languages, by their {@code --lang} name. */
    public enum Lang {
        RUST("rust", "debshrew-runtime"),
        ASSEMBLYSCRIPT("assemblyscript", "debshrew-sdk");

        private final String id;
        private final String sdkDir;

        Lang(String id, String sdkDir) {
            this.id = id;
            this.sdkDir = sdkDir;
        }

        /** The {@code --lang} value. */
        public String id() {
            return id;
        }

        /**
         * @param id a {@code --lang} value (case-insensitive)
         * @throws IllegalArgumentException naming the value and the supported ones
         */
        public static Lang of(String id) {
            for (Lang l : values()) {
                if (l.id.equalsIgnoreCase(id)) {
                    return l;
                }
            }
            throw new IllegalArgumentException("unknown --lang '" + id + "': expected rust or assemblyscript");
        }
    }

    private static final String ROOT = "/dev/debshrew/init/";
    /** Files of the shared golden test, next to the language directories. */
    private static final List<String> SHARED = List.of("test.sh", "expected.jsonl");
    private static final ObjectMapper JSON = new ObjectMapper();

    private ProjectScaffold() {
    }

    /**
     * Writes the project into {@code dir}, which must not exist or be an empty directory.
     *
     * @return the files written, in order
     * @throws IllegalArgumentException if {@code dir} is a file or a non-empty directory
     * @throws IOException if writing fails
     */
    public static List<Path> create(Lang lang, Path dir) throws IOException {
        checkTarget(dir);
        String name = projectName(dir);
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        withResourceRoot(root -> {
            copyTree(root.resolve(lang.id()), dir, name, true, written);
            for (String f : SHARED) {
                write(dir.resolve(f), Files.readAllBytes(root.resolve(f)), written);
            }
            copyTree(root.resolve("sdk").resolve(lang.id()), dir.resolve(lang.sdkDir), name, false, written);
            if (lang == Lang.ASSEMBLYSCRIPT) {
                write(dir.resolve("package-lock.json"),
                        lockFile(root.resolve("sdk/assemblyscript-lock/package-lock.json"), name), written);
            }
        });
        for (String script : new String[] {"build.sh", "test.sh"}) {
            Path p = dir.resolve(script);
            if (Files.exists(p)) {
                try {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system: run it with `sh`
                }
            }
        }
        return written;
    }

    /** The package / crate name for a project directory: its lower-cased name, or "transform". */
    static String projectName(Path dir) {
        Path fn = dir.toAbsolutePath().normalize().getFileName();
        String n = fn == null ? "" : fn.toString().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]+", "-");
        n = n.replaceAll("^[^a-z]+", "").replaceAll("-+$", "");
        return n.isEmpty() ? "transform" : n;
    }

    private static void checkTarget(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + " exists and is not a directory");
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<String> entries = s.limit(4).map(p -> p.getFileName().toString()).sorted().toList();
            if (!entries.isEmpty()) {
                throw new IllegalArgumentException(dir + " is not empty (it holds " + String.join(", ", entries)
                        + (entries.size() == 4 ? ", ..." : "") + "): init writes a new project into a new or empty directory");
            }
        }
    }

    /** The repository's examples lock file, renamed: pins the assemblyscript compiler. */
    private static byte[] lockFile(Path source, String name) throws IOException {
        ObjectNode lock = (ObjectNode) JSON.readTree(Files.readAllBytes(source));
        lock.put("name", name);
        ObjectNode packages = (ObjectNode) lock.get("packages");
        ObjectNode self = (ObjectNode) packages.get("");
        self.put("name", name);
        self.remove("license");
        ObjectNode devDeps = (ObjectNode) self.get("devDependencies");
        devDeps.put("debshrew-sdk", "file:debshrew-sdk");
        return (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(lock) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** The assemblyscript version the repository's examples use (from their lock file). */
    private static String assemblyScriptVersion(Path root) throws IOException {
        JsonNode v = JSON.readTree(Files.readAllBytes(root.resolve("sdk/assemblyscript-lock/package-lock.json")))
                .path("packages").path("node_modules/assemblyscript").path("version");
        if (!v.isTextual()) {
            throw new IllegalStateException("bundled package-lock.json has no node_modules/assemblyscript version");
        }
        return v.textValue();
    }

    private static void copyTree(Path from, Path to, String name, boolean template, List<Path> written)
            throws IOException {
        if (!Files.isDirectory(from)) {
            throw new IllegalStateException("template " + from + " is missing from the debshrew jar");
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(from)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        String asVersion = template ? assemblyScriptVersion(from.getParent()) : null;
        for (Path f : files) {
            String rel = from.relativize(f).toString();
            if (rel.equals("gitignore")) {
                rel = ".gitignore"; // Maven's resource copy drops dot-files: stored without the dot
            }
            byte[] bytes = Files.readAllBytes(f);
            if (template) {
                bytes = new String(bytes, StandardCharsets.UTF_8)
                        .replace("{{name}}", name)
                        .replace("{{assemblyscript_version}}", asVersion)
                        .getBytes(StandardCharsets.UTF_8);
            }
            Path dst = to;
            for (String part : rel.split("/")) {
                dst = dst.resolve(part);
            }
            write(dst, bytes, written);
        }
    }

    private static void write(Path dst, byte[] bytes, List<Path> written) throws IOException {
        Files.createDirectories(dst.getParent());
        Files.write(dst, bytes);
        written.add(dst);
    }

    @FunctionalInterface
    private interface RootAction {
        void run(Path root) throws IOException;
    }

    /** Runs {@code action} on the resource root, as a directory or inside the (shaded) jar. */
    private static void withResourceRoot(RootAction action) throws IOException {
        URL url = ProjectScaffold.class.getResource(ROOT + "test.sh");
        if (url == null) {
            throw new IllegalStateException("the project templates (" + ROOT + ") are missing from the class path");
        }
        URI uri;
        try {
            uri = url.toURI();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        if (!"jar".equals(uri.getScheme())) {
            action.run(Path.of(uri).getParent());
            return;
        }
        FileSystem fs;
        boolean mine = false;
        try {
            fs = FileSystems.newFileSystem(uri, Map.of());
            mine = true;
        } catch (FileSystemAlreadyExistsException e) {
            fs = FileSystems.getFileSystem(uri);
        }
        try {
            action.run(fs.getPath(ROOT));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            if (mine) {
                fs.close();
            }
        }
    }
}
