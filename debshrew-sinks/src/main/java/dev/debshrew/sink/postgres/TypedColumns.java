package dev.debshrew.sink.postgres;

import com.fasterxml.jackson.core.JsonPointer;
import dev.debshrew.sink.postgres.PostgresSinkConfig.TypedColumn;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Parsing of the PostgreSQL sink's {@code columns} option (typed columns of materialized tables). */
final class TypedColumns {

    private static final String OWNER = PostgresSinkConfig.OWNER;

    /** SQL types accepted for typed columns (config name → SQL type). */
    static final Map<String, String> COLUMN_TYPES = Map.ofEntries(
            Map.entry("text", "text"),
            Map.entry("bigint", "bigint"),
            Map.entry("integer", "integer"),
            Map.entry("int", "integer"),
            Map.entry("smallint", "smallint"),
            Map.entry("numeric", "numeric"),
            Map.entry("boolean", "boolean"),
            Map.entry("double precision", "double precision"),
            Map.entry("double", "double precision"),
            Map.entry("real", "real"),
            Map.entry("jsonb", "jsonb"));

    /** Column names of materialized tables; typed columns may not reuse them. */
    static final Set<String> BUILTIN_COLUMNS = Set.of("key", "data", "block_height", "block_hash");

    private TypedColumns() {
    }

    /**
     * {@code {"<table>": {"<column>": {"type": .., "path": ..}}}} as typed columns per table.
     *
     * @throws IllegalArgumentException naming the table and column at fault
     */
    static Map<String, List<TypedColumn>> parse(Map<String, Object> cols) {
        Map<String, List<TypedColumn>> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> t : cols.entrySet()) {
            String where = OWNER + ": option 'columns', table '" + t.getKey() + "'";
            if (!(t.getValue() instanceof Map<?, ?> defs)) {
                throw new IllegalArgumentException(where + ": expected an object {column: {type, path}}");
            }
            List<TypedColumn> list = new ArrayList<>();
            for (Map.Entry<?, ?> d : defs.entrySet()) {
                String column = String.valueOf(d.getKey());
                String cw = where + ", column '" + column + "'";
                if (column.isEmpty() || column.indexOf('\0') >= 0
                        || SqlNames.utf8Length(column) > SqlNames.MAX_IDENTIFIER_BYTES) {
                    throw new IllegalArgumentException(cw + ": must be a non-empty name of at most 63 bytes without NUL");
                }
                if (BUILTIN_COLUMNS.contains(column)) {
                    throw new IllegalArgumentException(cw + ": the name is reserved for a built-in column " + BUILTIN_COLUMNS);
                }
                if (!(d.getValue() instanceof Map<?, ?> spec)) {
                    throw new IllegalArgumentException(cw + ": expected {\"type\": ..., \"path\": ...}");
                }
                for (Object k : spec.keySet()) {
                    if (!"type".equals(k) && !"path".equals(k)) {
                        throw new IllegalArgumentException(cw + ": unknown key '" + k + "' (expected type, path)");
                    }
                }
                Object type = spec.get("type");
                String sqlType = type instanceof String s ? COLUMN_TYPES.get(s.toLowerCase(Locale.ROOT).trim()) : null;
                if (sqlType == null) {
                    throw new IllegalArgumentException(cw + ": 'type' must be one of " + new java.util.TreeSet<>(COLUMN_TYPES.keySet())
                            + ", got " + type);
                }
                Object path = spec.get("path");
                if (!(path instanceof String p) || p.isEmpty()) {
                    throw new IllegalArgumentException(cw + ": 'path' must be a non-empty string");
                }
                list.add(new TypedColumn(column, sqlType, toPointer(p, cw)));
            }
            out.put(t.getKey(), List.copyOf(list));
        }
        return out;
    }

    /** A dotted path ({@code a.b}) or a JSON pointer ({@code /a/b}) as a JSON pointer. */
    static JsonPointer toPointer(String path, String where) {
        try {
            if (path.startsWith("/")) {
                return JsonPointer.compile(path);
            }
            StringBuilder sb = new StringBuilder();
            for (String seg : path.split("\\.", -1)) {
                if (seg.isEmpty()) {
                    throw new IllegalArgumentException("empty segment");
                }
                sb.append('/').append(seg.replace("~", "~0").replace("/", "~1"));
            }
            return JsonPointer.compile(sb.toString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": invalid path '" + path + "': " + e.getMessage(), e);
        }
    }
}
