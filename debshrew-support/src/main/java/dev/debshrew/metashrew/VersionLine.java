package dev.debshrew.metashrew;

import java.util.Locale;

/**
 * The release line of the metashrew node, which decides how {@code metashrew_height} is read and how
 * the height parameter of {@code metashrew_view} is encoded (see {@code shared/spec/metashrew-rpc.md}).
 *
 * <table>
 * <caption>Behaviour per line</caption>
 * <tr><th>Line</th><th>metashrew_height</th><th>view height sent as</th></tr>
 * <tr><td>{@link #V8}</td><td>string, NEXT height (last indexed + 1)</td><td>integer</td></tr>
 * <tr><td>{@link #RC}</td><td>number, last indexed</td><td>integer</td></tr>
 * <tr><td>{@link #RC11}</td><td>string, last indexed</td><td>decimal string (an integer would mean "latest")</td></tr>
 * <tr><td>{@link #CURRENT}</td><td>string, last indexed</td><td>decimal string</td></tr>
 * </table>
 * {@link #AUTO} asks the client to detect the line with side-effect-free probes.
 */
public enum VersionLine {
    /** v8 (2025-01..07). */
    V8,
    /** v9.0.0-rc1..rc10. */
    RC,
    /** v9.0.0-rc11..v9.0.1-alpha.4. */
    RC11,
    /** v9 current (v9.0.1-beta.1..v9.0.2). */
    CURRENT,
    /** Detect the line on first use. */
    AUTO;

    /** True when {@code metashrew_height} returns the next height to index rather than the last indexed one. */
    public boolean heightIsNext() {
        return this == V8;
    }

    /** True when the view height parameter must be a decimal string; false when it must be a JSON integer. */
    public boolean viewHeightAsString() {
        return this == RC11 || this == CURRENT;
    }

    /**
     * Parses a line name, case-insensitively: {@code v8}, {@code rc}, {@code rc11}, {@code current} or
     * {@code auto}.
     *
     * @throws IllegalArgumentException for any other name, listing the accepted ones
     */
    public static VersionLine parse(String name) {
        if (name != null) {
            String n = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            for (VersionLine v : values()) {
                if (v.name().equals(n)) {
                    return v;
                }
            }
        }
        throw new IllegalArgumentException("unknown metashrew version line '" + name + "' (expected one of v8, rc, rc11, current, auto)");
    }

    /** The lowercase name accepted by {@link #parse(String)}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
