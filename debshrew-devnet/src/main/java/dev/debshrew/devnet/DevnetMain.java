package dev.debshrew.devnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.metashrew.VersionLine;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Command-line entry of the devnet: starts a {@link DevnetServer} on 127.0.0.1, plays an optional
 * {@link DevnetScenario}, prints the URL and serves until the process is stopped.
 *
 * <pre>
 * devnet [--port P] [--scenario FILE] [--version-line v8|rc|rc11|current] [--blocks N]
 *        [--block-interval-ms MS] [--seed S] [--latency-ms MS]
 * </pre>
 * Options given on the command line override the scenario file's values.
 */
public final class DevnetMain {

    /** Default port. */
    public static final int DEFAULT_PORT = 8080;

    static final String USAGE = "usage: devnet [--port P] [--scenario FILE] [--version-line v8|rc|rc11|current] [--blocks N]"
            + " [--block-interval-ms MS] [--seed S] [--latency-ms MS]\n"
            + "  --port P               listen on 127.0.0.1:P (default 8080; 0 = ephemeral)\n"
            + "  --scenario FILE        JSON scenario (see docs/devnet.md)\n"
            + "  --version-line LINE    simulated metashrew line (default current)\n"
            + "  --blocks N             initial tip height (default 10)\n"
            + "  --block-interval-ms MS mine one block every MS ms (default 0 = never)\n"
            + "  --seed S               chain seed (default 1)\n"
            + "  --latency-ms MS        add MS ms to every request's round trip; concurrent requests wait in\n"
            + "                         parallel (default 0)";

    private DevnetMain() {
    }

    /** A devnet started by {@link #launch}. */
    public static final class Running implements AutoCloseable {
        private final DevnetServer server;
        private final DevnetScenario.Run run;

        private Running(DevnetServer server, DevnetScenario.Run run) {
            this.server = server;
            this.run = run;
        }

        /** The server. */
        public DevnetServer server() {
            return server;
        }

        /** The scenario being played. */
        public DevnetScenario.Run scenario() {
            return run;
        }

        @Override
        public void close() {
            run.close();
            server.close();
        }
    }

    /** Process entry point. */
    public static void main(String[] args) {
        int code = run(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * Starts the devnet and serves until the JVM shuts down or the thread is interrupted.
     *
     * @return 0 after a normal stop, 1 if the devnet could not start, 2 on a usage error
     */
    public static int run(String[] args) {
        Running r;
        try {
            r = launch(args, System.out);
        } catch (IllegalArgumentException e) {
            System.err.println("devnet: " + e.getMessage());
            System.err.println(USAGE);
            return 2;
        } catch (IOException e) {
            System.err.println("devnet: cannot start: " + e);
            return 1;
        }
        if (r == null) {
            return 0; // --help
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            r.close();
            stopped.countDown();
        }, "devnet-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            r.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
        }
        return 0;
    }

    /**
     * Parses {@code args}, starts the server and the scenario, and prints the URL (first line) and a
     * summary to {@code out}.
     *
     * @return the running devnet, or null when help was requested (usage printed to {@code out})
     * @throws IllegalArgumentException on a usage or scenario error
     */
    public static Running launch(String[] args, PrintStream out) throws IOException {
        int port = DEFAULT_PORT;
        Path scenarioFile = null;
        ObjectNode overrides = new ObjectMapper().createObjectNode();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                v = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            if (a.equals("--help") || a.equals("-h")) {
                out.println(USAGE);
                return null;
            }
            if (v == null) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option " + a + " needs a value");
                }
                v = args[++i];
            }
            switch (a) {
                case "--port" -> port = (int) number(a, v, 0, 65535);
                case "--scenario" -> scenarioFile = Path.of(v);
                case "--version-line" -> {
                    VersionLine l = VersionLine.parse(v);
                    if (l == VersionLine.AUTO) {
                        throw new IllegalArgumentException("--version-line must be v8, rc, rc11 or current");
                    }
                    overrides.put("version_line", l.id());
                }
                case "--blocks" -> overrides.put("initial_height", number(a, v, 0, Long.MAX_VALUE));
                case "--block-interval-ms" -> overrides.put("block_interval_ms", number(a, v, 0, Long.MAX_VALUE));
                case "--seed" -> overrides.put("seed", number(a, v, Long.MIN_VALUE, Long.MAX_VALUE));
                case "--latency-ms" -> overrides.put("latency_ms", number(a, v, 0, RpcLatency.MAX_MS));
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        ObjectNode tree;
        if (scenarioFile != null) {
            JsonNode n = new ObjectMapper().readTree(Files.readString(scenarioFile));
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException(scenarioFile + ": a scenario must be a JSON object");
            }
            tree = (ObjectNode) n;
        } else {
            tree = new ObjectMapper().createObjectNode();
        }
        tree.setAll(overrides);
        DevnetScenario scenario;
        try {
            scenario = DevnetScenario.parse(tree);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException((scenarioFile == null ? "" : scenarioFile + ": ") + e.getMessage(), e);
        }
        DevnetServer server = scenario.serverBuilder().build().start(port);
        DevnetScenario.Run run = scenario.start(server);
        out.println(server.url());
        out.println("devnet: metashrew " + scenario.versionLine().id() + " simulator at " + server.url() + " (seed " + scenario.seed()
                + ", tip " + server.height() + ", block interval " + scenario.blockIntervalMs() + " ms, latency "
                + scenario.latencyMs() + " ms, " + scenario.stepCount()
                + " scenario steps)");
        out.flush();
        return new Running(server, run);
    }

    private static long number(String option, String v, long min, long max) {
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs an integer, got '" + v + "'");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(option + " must be within " + min + ".." + max + ", got " + n);
        }
        return n;
    }
}
