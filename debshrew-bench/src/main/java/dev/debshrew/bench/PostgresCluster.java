package dev.debshrew.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away Debian PostgreSQL 15 cluster with its real durability settings ({@code fsync} and
 * {@code synchronous_commit} on): {@code initdb} and {@code pg_ctl} run as the {@code postgres}
 * user ({@code runuser -u postgres --}, PostgreSQL refuses to run as root) on a fresh temporary data
 * directory, listening on 127.0.0.1 on a free port with trust authentication. {@link #close()} stops
 * it and deletes the directory (also at JVM exit if it was not closed).
 */
final class PostgresCluster implements AutoCloseable {

    /** Where Debian's postgresql-15 package puts the server binaries. */
    static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    private static final long STEP_TIMEOUT_S = 120;

    private final Path dir;
    private final Path data;
    private final int port;
    private final Thread cleanup;
    private boolean closed;

    private PostgresCluster(Path dir, int port) {
        this.dir = dir;
        this.data = dir.resolve("data");
        this.port = port;
        this.cleanup = new Thread(this::stopAndDelete, "debshrew-bench-pg-cleanup");
    }

    /**
     * Why a throw-away cluster cannot be started here, or empty when it can: PostgreSQL 15 must be
     * installed and this process must be root (for {@code runuser}) with a {@code postgres} user.
     */
    static Optional<String> unavailable() {
        if (!Files.isExecutable(BIN.resolve("initdb")) || !Files.isExecutable(BIN.resolve("pg_ctl"))) {
            return Optional.of("PostgreSQL 15 is not installed (" + BIN + "/initdb missing; apt-get install -y postgresql)"
                    + " and no --postgres-url was given");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("starting PostgreSQL as user 'postgres' needs root (runuser -u postgres); running as '"
                    + System.getProperty("user.name") + "': pass --postgres-url instead");
        }
        try {
            Process p = new ProcessBuilder("id", "-u", "postgres").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return Optional.of("there is no 'postgres' system user to run PostgreSQL 15 as");
            }
        } catch (IOException e) {
            return Optional.of("cannot check for the 'postgres' user: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
        return Optional.empty();
    }

    /** Creates and starts a fresh cluster; fails with the failing step's output. */
    static PostgresCluster start() throws IOException, InterruptedException {
        unavailable().ifPresent(reason -> {
            throw new IllegalStateException(reason);
        });
        Path dir = Files.createTempDirectory("debshrew-bench-pg-");
        PostgresCluster pg = new PostgresCluster(dir, freePort());
        Runtime.getRuntime().addShutdownHook(pg.cleanup);
        try {
            run(dir, "chown", "postgres:postgres", dir.toString());
            pg.asPostgres("initdb", "-D", pg.data.toString(), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                    "--locale=C");
            pg.asPostgres("pg_ctl", "-D", pg.data.toString(), "-l", dir.resolve("server.log").toString(), "-w", "-t",
                    String.valueOf(STEP_TIMEOUT_S), "-o", "-p " + pg.port + " -c listen_addresses=127.0.0.1 -k " + dir
                            + " -c fsync=on -c synchronous_commit=on -c full_page_writes=on", "start");
            return pg;
        } catch (IOException | RuntimeException | InterruptedException e) {
            pg.close();
            throw e;
        }
    }

    /** JDBC URL of the {@code postgres} database as superuser {@code postgres} (trust authentication). */
    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    /** The data directory (removed by {@link #close()}). */
    Path dataDirectory() {
        return data;
    }

    /** Whether the server answers a query. */
    boolean isUp() {
        try (Connection c = DriverManager.getConnection(jdbcUrl())) {
            return c.isValid(5);
        } catch (SQLException e) {
            return false;
        }
    }

    /** Stops the server (fast shutdown) and deletes its directory. Idempotent. */
    @Override
    public void close() {
        stopAndDelete();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs (or ran) stopAndDelete itself
        }
    }

    private synchronized void stopAndDelete() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (Files.exists(data.resolve("postmaster.pid"))) {
                asPostgres("pg_ctl", "-D", data.toString(), "-m", "fast", "-w", "-t", String.valueOf(STEP_TIMEOUT_S),
                        "stop");
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("debshrew bench: stopping PostgreSQL in " + dir + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            deleteTree(dir);
        }
    }

    private void asPostgres(String tool, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", "postgres", "--", BIN.resolve(tool).toString()));
        cmd.addAll(List.of(args));
        run(dir, cmd.toArray(String[]::new));
    }

    private static void run(Path dir, String... cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile("debshrew-bench-pg-step-", ".log");
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            if (!p.waitFor(STEP_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish within " + STEP_TIMEOUT_S + " s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed with exit code " + p.exitValue() + ":\n"
                        + Files.readString(out));
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
