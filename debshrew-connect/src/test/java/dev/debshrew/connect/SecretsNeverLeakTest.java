package dev.debshrew.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.runtime.rest.errors.ConnectRestException;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Secrets among {@code state.client.*} (a JAAS config, a trust store password, an undeclared
 * setting named like a token) never show in what the connector and its task log, return from
 * {@code validate}, print as {@code toString}, or throw, nor in the failed task's trace on a real
 * Connect worker. Every log event of the JVM is captured (root logger, down to DEBUG in the first test).
 */
class SecretsNeverLeakTest {

    private static final String JAAS_SECRET = "jaas-Secret-7a1f";
    private static final String TRUST_SECRET = "trust-Secret-93c2";
    private static final String TOKEN_SECRET = "token-Secret-55d0";
    private static final List<String> SECRETS = List.of(JAAS_SECRET, TRUST_SECRET, TOKEN_SECRET);

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private Level rootLevel;
    private EmbeddedConnectCluster connect;

    @BeforeEach
    void capture() {
        rootLevel = root.getLevel();
        log.start();
        root.addAppender(log);
    }

    @AfterEach
    void release() {
        if (connect != null) {
            connect.stop();
        }
        root.detachAppender(log);
        root.setLevel(rootLevel);
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Map<String, String> secretConfig(String bootstrap) {
        Map<String, String> p = DebshrewConnectorConfigTest.minimal(ConnectClusterTest.example("txindex"));
        p.put("name", "secretive");
        p.put(DebshrewConnectorConfig.STATE_BOOTSTRAP_SERVERS, bootstrap);
        p.put(DebshrewConnectorConfig.STATE_READ_TIMEOUT_MS, "1500");
        p.put("state.client.security.protocol", "SASL_PLAINTEXT");
        p.put("state.client.sasl.mechanism", "PLAIN");
        p.put("state.client.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required"
                + " username=\"u\" password=\"" + JAAS_SECRET + "\";");
        p.put("state.client.ssl.truststore.password", TRUST_SECRET);
        p.put("state.client.custom.auth.token", TOKEN_SECRET);
        return p;
    }

    private void assertNoSecretIn(String what, String text) {
        for (String s : SECRETS) {
            assertThat(text).as("%s must not hold a secret", what).doesNotContain(s);
        }
    }

    private void assertNoSecretLogged() {
        assertThat(log.list).as("captured log events").isNotEmpty();
        for (ILoggingEvent e : List.copyOf(log.list)) {
            if (e.getLoggerName().startsWith("org.apache.kafka.connect.util.clusters")) {
                continue; // the test's own REST client echoes the config it PUTs (see docs/connect.md, secrets)
            }
            assertNoSecretIn("log event of " + e.getLoggerName(), e.getFormattedMessage()
                    + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy())));
        }
    }

    @Test
    void theConnectorsConfigValidationAndStateClientNeverShowTheSecrets() throws Exception {
        root.setLevel(Level.DEBUG);
        Map<String, String> props = secretConfig("127.0.0.1:" + closedPort());
        DebshrewSourceConnector connector = new DebshrewSourceConnector();
        connector.start(props);

        Config validated = connector.validate(props);
        assertThat(validated.configValues()).allSatisfy(v -> assertThat(v.errorMessages()).as(v.name()).isEmpty());
        for (String key : List.of("state.client.sasl.jaas.config", "state.client.ssl.truststore.password",
                "state.client.custom.auth.token")) {
            ConfigValue v = validated.configValues().stream().filter(c -> c.name().equals(key)).findFirst()
                    .orElseThrow(() -> new AssertionError(key + " is not in validate's result"));
            assertThat(ConfigDef.convertToString(v.value(), null)).as(key).isEqualTo("[hidden]");
        }
        assertNoSecretIn("validate's result", validated.configValues().toString());
        assertThat(DebshrewConnectorConfig.CONFIG_DEF.configKeys().get("state.client.sasl.jaas.config").type)
                .isEqualTo(ConfigDef.Type.PASSWORD);

        DebshrewConnectorConfig config = new DebshrewConnectorConfig(props);
        assertNoSecretIn("the config", config + " " + config.values() + " " + config.stateClient());
        assertThat(config.stateClient().get("sasl.jaas.config").toString()).isEqualTo("[hidden]");

        // the task's start-up read of the changelog with these settings, against a closed port
        assertThatThrownBy(() -> ChangelogTopic.read(config.stateClient(), "secretive.debshrew-state",
                Duration.ofMillis(1500))).isInstanceOf(ConnectException.class).satisfies(e -> {
                    StringWriter trace = new StringWriter();
                    e.printStackTrace(new PrintWriter(trace));
                    assertNoSecretIn("the exception", trace.toString());
                    assertThat(e.getMessage()).contains("secretive.debshrew-state");
                });
        connector.stop();
        assertNoSecretLogged();
    }

    @Test
    void theTaskOnAWorkerNeverShowsTheSecrets() throws Exception {
        root.setLevel(Level.INFO);
        connect = EmbeddedCluster.start("debshrew-secrets-test", 1);
        // the broker speaks PLAINTEXT: the SASL client cannot read the changelog and the task fails at start
        Map<String, String> props = secretConfig(connect.kafka().bootstrapServers());
        props.remove("name");
        props.put("connector.class", DebshrewSourceConnector.class.getName());
        props.put("tasks.max", "1");
        connect.configureConnector("secretive", props);
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        ConnectorStateInfo.TaskState task = null;
        while (System.nanoTime() < deadline) {
            try {
                List<ConnectorStateInfo.TaskState> tasks = connect.connectorStatus("secretive").tasks();
                task = tasks.isEmpty() ? null : tasks.get(0);
                if (task != null && task.state().equals("FAILED")) {
                    break;
                }
            } catch (ConnectRestException notYet) {
                // no status yet: the connector is being created
            }
            Thread.sleep(50);
        }
        assertThat(task).as("the task").isNotNull();
        assertThat(task.state()).as("the task's state").isEqualTo("FAILED");
        assertThat(task.trace()).contains("secretive.debshrew-state");
        assertNoSecretIn("the task's trace", task.trace());
        assertNoSecretIn("validate on the worker", connect.validateConnectorConfig(
                DebshrewSourceConnector.class.getSimpleName(), props).toString());
        assertNoSecretLogged();
    }
}
