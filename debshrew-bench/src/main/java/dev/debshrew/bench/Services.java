package dev.debshrew.bench;

/**
 * The PostgreSQL server and Kafka broker of a bench run, each started on first use and stopped by
 * {@link #close()}: a throw-away PostgreSQL 15 cluster unless a URL was given, an in-process broker.
 */
final class Services implements AutoCloseable {

    private final String givenPostgresUrl;
    private PostgresCluster postgres;
    private KafkaBroker kafka;

    /** @param postgresUrl the {@code --postgres-url}, or null for a throw-away cluster */
    Services(String postgresUrl) {
        this.givenPostgresUrl = postgresUrl;
    }

    /** The JDBC URL, starting the throw-away cluster first if needed. */
    synchronized String postgresUrl() {
        if (givenPostgresUrl != null) {
            return givenPostgresUrl;
        }
        if (postgres == null) {
            System.err.println("debshrew bench: starting a throw-away PostgreSQL 15 cluster...");
            try {
                postgres = PostgresCluster.start();
            } catch (Exception e) {
                throw new IllegalStateException("cannot start PostgreSQL 15: " + e.getMessage(), e);
            }
        }
        return postgres.jdbcUrl();
    }

    /** The broker's bootstrap servers, starting it first if needed. */
    synchronized String kafkaBootstrap() {
        if (kafka == null) {
            System.err.println("debshrew bench: starting an in-process Kafka broker...");
            try {
                kafka = KafkaBroker.start();
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the in-process Kafka broker: " + e.getMessage(), e);
            }
        }
        return kafka.bootstrapServers();
    }

    @Override
    public synchronized void close() throws Exception {
        try {
            if (kafka != null) {
                kafka.close();
            }
        } finally {
            if (postgres != null) {
                postgres.close();
            }
        }
    }
}
