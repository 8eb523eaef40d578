package dev.debshrew.sink;

import dev.debshrew.config.ConfigOption;

/**
 * Options of the original Rust debshrew's sink configurations that have no effect here but are
 * accepted, so the original configuration files work unchanged.
 */
public final class CompatOptions {

    private CompatOptions() {
    }

    /**
     * {@code flush_interval} (milliseconds, the original's batching timer): validated, then ignored.
     *
     * @param commit how this sink commits instead, e.g. "each batch of blocks is committed in one transaction"
     */
    public static ConfigOption<Long> flushInterval(String commit) {
        return ConfigOption.longInt("flush_interval")
                .validate(v -> v >= 0, "must be at least 0")
                .doc("Accepted for compatibility with the original debshrew's configuration and ignored: " + commit
                        + " as soon as it is complete.")
                .build();
    }
}
