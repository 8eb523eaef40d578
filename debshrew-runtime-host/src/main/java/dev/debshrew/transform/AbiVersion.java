package dev.debshrew.transform;

/** The guest ABI a transform module was built for, detected from its imports at load time. */
public enum AbiVersion {
    /**
     * Current ABI (the original Rust debshrew's): {@code process_block} returns a pointer to an LP
     * buffer holding a JSON array of CDC messages, or 0 for none, or a negative value for an error.
     */
    V1,
    /**
     * Older push-style ABI: the module imports {@code env.__push_cdc_message(ptr) -> i32} and pushes
     * one JSON message per call; {@code process_block} returns 0 for success and -1 for an error.
     */
    LEGACY
}
