package dev.debshrew.cdc;

/** The kind of row change a CDC message describes. Serialised in lowercase ({@code "create"}, ...). */
public enum Operation {
    CREATE("create"),
    UPDATE("update"),
    DELETE("delete");

    private final String wireName;

    Operation(String wireName) {
        this.wireName = wireName;
    }

    /** The lowercase name used on the wire. */
    public String wireName() {
        return wireName;
    }

    /**
     * Parses the wire name. Only the exact lowercase names are accepted (the original debshrew
     * rejected other spellings too).
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public static Operation fromWireName(String name) {
        for (Operation op : values()) {
            if (op.wireName.equals(name)) {
                return op;
            }
        }
        throw new IllegalArgumentException(
                "unknown operation '" + name + "' (expected one of: create, update, delete, lowercase)");
    }
}
