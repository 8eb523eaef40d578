package dev.debshrew.sink.file;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Options of the file sink.
 *
 * @param path   data file (JSON lines); required. The cursor lives next to it in {@code <path>.cursor}
 * @param append {@code true} (default): continue the existing file after its cursor;
 *               {@code false}: start a new, empty file on every start
 * @param fsync  {@code true} (default): fsync data and cursor at each block commit; {@code false}
 *               only for throwaway output (a crash may then lose committed blocks)
 */
public record FileSinkConfig(Path path, boolean append, boolean fsync) {

    public FileSinkConfig {
        Objects.requireNonNull(path, "path");
    }

    /** Builds the config from the sink's JSON keys ({@code path}, {@code append}, {@code fsync}). */
    public static FileSinkConfig fromMap(Map<String, Object> map) {
        Object path = map.get("path");
        if (!(path instanceof String s) || s.isBlank()) {
            throw new IllegalArgumentException("sink 'file': option 'path' is required (a file path), got " + path);
        }
        return new FileSinkConfig(Path.of(s), bool(map, "append", true), bool(map, "fsync", true));
    }

    private static boolean bool(Map<String, Object> map, String key, boolean dflt) {
        Object v = map.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw new IllegalArgumentException("sink 'file': option '" + key + "' must be true or false, got " + v);
    }
}
