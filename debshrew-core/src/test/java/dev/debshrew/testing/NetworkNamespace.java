package dev.debshrew.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A Linux network namespace joined to the test's namespace by a veth pair on a private /30
 * (iproute2's {@code ip} and {@code tc}), on which a test puts real network conditions: a
 * partition (the link down), a slow link ({@code tbf}), latency and loss ({@code netem}). Names
 * and addresses are unique per instance; {@link #close} removes both, also after a failure.
 * {@link #create} aborts the test (a JUnit assumption, one clear message) where namespaces cannot
 * be created (not root, no iproute2).
 */
public final class NetworkNamespace implements AutoCloseable {

    private static final SecureRandom RND = new SecureRandom();

    private final String name;
    private final String hostIf;
    private final String nsIf;
    private final InetAddress hostAddress;
    private final InetAddress nsAddress;

    private NetworkNamespace(String name, int b3, int b4) throws IOException {
        this.name = name;
        this.hostIf = name + "h";
        this.nsIf = name + "n";
        this.hostAddress = InetAddress.getByName("10.213." + b3 + "." + (b4 + 1));
        this.nsAddress = InetAddress.getByName("10.213." + b3 + "." + (b4 + 2));
    }

    /** Creates the namespace and the veth pair, both ends up; aborts the test where that is impossible. */
    public static NetworkNamespace create() throws IOException, InterruptedException {
        String name = String.format("dbs%05x", RND.nextInt(1 << 20));
        NetworkNamespace ns = new NetworkNamespace(name, RND.nextInt(256), 4 * RND.nextInt(64));
        Result r = exec(List.of("ip", "netns", "add", name));
        Assumptions.assumeTrue(r.ok(), () -> "skipped: network namespaces cannot be created here (needs root and"
                + " iproute2's ip): 'ip netns add' said: " + r.output().strip());
        try {
            ns.run("ip", "link", "add", ns.hostIf, "type", "veth", "peer", "name", ns.nsIf);
            ns.run("ip", "link", "set", ns.nsIf, "netns", name);
            ns.run("ip", "addr", "add", ns.hostAddress.getHostAddress() + "/30", "dev", ns.hostIf);
            ns.run("ip", "link", "set", ns.hostIf, "up");
            ns.inNs("ip", "addr", "add", ns.nsAddress.getHostAddress() + "/30", "dev", ns.nsIf);
            ns.inNs("ip", "link", "set", ns.nsIf, "up");
            ns.inNs("ip", "link", "set", "lo", "up");
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** The command prefix running a program inside the namespace. */
    public List<String> exec() {
        return List.of("ip", "netns", "exec", name);
    }

    /** The address of the test's (host) end of the link. */
    public InetAddress hostAddress() {
        return hostAddress;
    }

    /** The address of the namespace's end of the link. */
    public InetAddress nsAddress() {
        return nsAddress;
    }

    /** Cuts the link (both directions) until {@link #heal()}. */
    public void partition() throws IOException, InterruptedException {
        run("ip", "link", "set", hostIf, "down");
    }

    /** Brings the link up again. */
    public void heal() throws IOException, InterruptedException {
        run("ip", "link", "set", hostIf, "up");
    }

    /** A slow link both ways: {@code tc tbf} at {@code rate} (e.g. {@code 512kbit}): queueing delay under load. */
    public void limitRate(String rate) throws IOException, InterruptedException {
        List<String> tbf = List.of("root", "tbf", "rate", rate, "burst", "16kbit", "latency", "400ms");
        run(concat(List.of("tc", "qdisc", "replace", "dev", hostIf), tbf));
        inNs(concat(List.of("tc", "qdisc", "replace", "dev", nsIf), tbf).toArray(String[]::new));
    }

    /**
     * {@code tc netem} with {@code args} (e.g. {@code delay 30ms loss 5%}) on both ends; aborts the
     * test with one clear message when the kernel has no netem (module {@code sch_netem}).
     */
    public void netem(String... args) throws IOException, InterruptedException {
        Result r = exec(concat(List.of("tc", "qdisc", "replace", "dev", hostIf, "root", "netem"), List.of(args)));
        Assumptions.assumeTrue(r.ok(), () -> "skipped: tc netem is not available here (the kernel lacks sch_netem):"
                + " 'tc qdisc ... netem' said: " + r.output().strip());
        inNs(concat(List.of("tc", "qdisc", "replace", "dev", nsIf, "root", "netem"), List.of(args))
                .toArray(String[]::new));
    }

    /** Removes every condition put on the link (and brings it up). */
    public void clearConditions() throws IOException, InterruptedException {
        exec(List.of("tc", "qdisc", "del", "dev", hostIf, "root"));
        exec(concat(exec(), List.of("tc", "qdisc", "del", "dev", nsIf, "root")));
        heal();
    }

    /** Deletes the veth pair and the namespace (best effort, never throws). */
    @Override
    public void close() {
        try {
            exec(List.of("ip", "link", "del", hostIf));
            exec(List.of("ip", "netns", "del", name));
        } catch (IOException e) {
            // best effort
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void inNs(String... cmd) throws IOException, InterruptedException {
        run(concat(exec(), List.of(cmd)));
    }

    private void run(String... cmd) throws IOException, InterruptedException {
        run(List.of(cmd));
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Result r = exec(cmd);
        if (!r.ok()) {
            throw new IOException(String.join(" ", cmd) + " failed: " + r.output().strip());
        }
    }

    private record Result(boolean ok, String output) {
    }

    private static Result exec(List<String> cmd) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Result(false, e.getMessage()); // no such program
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(false, String.join(" ", cmd) + " did not finish within 30 s");
        }
        return new Result(p.exitValue() == 0, out);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
