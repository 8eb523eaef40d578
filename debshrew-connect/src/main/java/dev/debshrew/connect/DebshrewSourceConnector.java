package dev.debshrew.connect;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.ConnectorTransactionBoundaries;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;

/**
 * The debshrew source connector: one task per pipeline, which runs the daemon's engine against a
 * metashrew node and writes each block group's CDC records and cursor in one transaction
 * ({@code exactly.once.source.support=enabled}). Transactions per poll (the default) or
 * connector-defined both end exactly at a block group; {@code transaction.boundary=interval} could
 * split a block and is refused. Configuration: {@link DebshrewConnectorConfig}.
 */
public final class DebshrewSourceConnector extends SourceConnector {

    /** The plugin's version, as the worker lists it. */
    static final String VERSION = versionOf(DebshrewSourceConnector.class);

    static final String TRANSACTION_BOUNDARY = "transaction.boundary";

    private Map<String, String> props;

    private static String versionOf(Class<?> c) {
        String v = c.getPackage() == null ? null : c.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0-SNAPSHOT";
    }

    @Override
    public String version() {
        return VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        new DebshrewConnectorConfig(props); // fail the connector early on a bad config
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return DebshrewSourceTask.class;
    }

    /** One task: a pipeline is one sequential chain of blocks. */
    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        return List.of(props);
    }

    @Override
    public void stop() {
    }

    @Override
    public ConfigDef config() {
        return DebshrewConnectorConfig.CONFIG_DEF;
    }

    /**
     * Adds to the per-option validation the refusal of {@code transaction.boundary=interval} and of
     * converters that do not fit {@code value.format}, each naming its option.
     */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config config = super.validate(connectorConfigs);
        boolean debezium = "debezium".equalsIgnoreCase(
                String.valueOf(connectorConfigs.get(DebshrewConnectorConfig.VALUE_FORMAT)).trim());
        for (String converter : new String[] {DebshrewConnectorConfig.KEY_CONVERTER,
                DebshrewConnectorConfig.VALUE_CONVERTER}) {
            String problem = DebshrewConnectorConfig.converterProblem(debezium, converter,
                    connectorConfigs.get(converter));
            if (problem != null) {
                ConfigValue v = new ConfigValue(converter);
                v.value(connectorConfigs.get(converter));
                v.addErrorMessage(problem);
                config.configValues().add(v);
            }
        }
        // secrets among state.client.* the connector does not declare: shown as [hidden], as PASSWORD options
        connectorConfigs.forEach((k, v) -> {
            if (k.startsWith(DebshrewConnectorConfig.STATE_CLIENT_PREFIX) && v != null
                    && !config.configValues().stream().anyMatch(c -> c.name().equals(k))
                    && ClientSecrets.isSecret(k.substring(DebshrewConnectorConfig.STATE_CLIENT_PREFIX.length()))) {
                ConfigValue secret = new ConfigValue(k);
                secret.value(new Password(v));
                config.configValues().add(secret);
            }
        });
        String boundary = connectorConfigs.get(TRANSACTION_BOUNDARY);
        if (boundary != null && boundary.trim().equalsIgnoreCase("interval")) {
            ConfigValue v = new ConfigValue(TRANSACTION_BOUNDARY);
            v.value(boundary);
            v.addErrorMessage("transaction.boundary=interval could commit part of a block with its cursor;"
                    + " use poll (default) or connector: both make each block group one transaction");
            config.configValues().add(v);
        }
        return config;
    }

    @Override
    public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
        return ExactlyOnceSupport.SUPPORTED;
    }

    @Override
    public ConnectorTransactionBoundaries canDefineTransactionBoundaries(Map<String, String> connectorConfig) {
        return ConnectorTransactionBoundaries.SUPPORTED;
    }
}
