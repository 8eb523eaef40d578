package dev.debshrew.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cli.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code debshrew run} as a real child process (same classpath as the tests), to kill or terminate.
 * {@link #start} returns once the daemon logged that its SIGTERM handler is installed
 * ({@link Main#READY}), so a {@link #terminate} can never race the JVM's start-up.
 */
public final class DaemonProcess implements AutoCloseable {

    private final Process process;
    private final Path stderr;
    private final Path stdout;

    private DaemonProcess(Process process, Path stderr, Path stdout) {
        this.process = process;
        this.stderr = stderr;
        this.stdout = stdout;
    }

    /** How long {@link #start} waits for {@link Main#READY} (a JVM start-up on a loaded machine). */
    private static final Duration READY_WAIT = Duration.ofSeconds(60);

    /**
     * Starts {@code debshrew run --config config} and waits until it logged {@link Main#READY};
     * {@code pauseAt} (may be null) is a {@code point@height} crash point where the daemon will
     * wait to be killed; {@code runArgs} are added to the {@code run} command line.
     */
    public static DaemonProcess start(Path config, String pauseAt, Path logDir, String... runArgs) throws IOException {
        return startWrapped(List.of(), config, pauseAt, logDir, runArgs);
    }

    /**
     * Like {@link #start}, with the java command run through {@code wrapper} (e.g. {@code ip netns
     * exec NAME}: the daemon inside a network namespace).
     */
    public static DaemonProcess startWrapped(List<String> wrapper, Path config, String pauseAt, Path logDir,
            String... runArgs) throws IOException {
        DaemonProcess d = launch(wrapper, config, pauseAt, logDir, runArgs);
        try {
            d.awaitStderr(Main.READY, READY_WAIT);
        } catch (Exception | AssertionError e) {
            d.process.destroyForcibly();
            throw new IOException("the daemon did not get ready: " + e.getMessage(), e);
        }
        return d;
    }

    private static DaemonProcess launch(List<String> wrapper, Path config, String pauseAt, Path logDir,
            String... runArgs) throws IOException {
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-XX:TieredStopAtLevel=1");
        // the shipped logging config (logs on stderr, scrubbed), also when the reactor puts a module's
        // test resources (with a logback-test.xml) on the class path
        cmd.add("-Dlogback.configurationFile=logback.xml");
        if (pauseAt != null) {
            cmd.add("-Ddebshrew.test.pauseAt=" + pauseAt);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("dev.debshrew.cli.Main");
        cmd.add("run");
        cmd.add("--config");
        cmd.add(config.toString());
        cmd.addAll(List.of(runArgs));
        Files.createDirectories(logDir);
        Path err = Files.createTempFile(logDir, "daemon-", ".stderr");
        Path out = Files.createTempFile(logDir, "daemon-", ".stdout");
        Process p = new ProcessBuilder(cmd)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        return new DaemonProcess(p, err, out);
    }

    public String stderr() throws IOException {
        return Files.readString(stderr);
    }

    /** Everything the daemon wrote to stdout so far (the console sink's output). */
    public String stdout() throws IOException {
        return Files.readString(stdout);
    }

    /** Waits for {@code PAUSED <point> <height>} on stderr. */
    public void awaitPaused(Duration timeout) throws Exception {
        awaitStderr("PAUSED ", timeout);
    }

    public void awaitStderr(String text, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (stderr().contains(text)) {
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError("daemon exited with " + process.exitValue() + " before printing '" + text
                        + "':\n" + stderr());
            }
            Thread.sleep(20);
        }
        throw new AssertionError("daemon did not print '" + text + "' within " + timeout + ":\n" + stderr());
    }

    /** Waits until the file sink's cursor file names {@code height} (and {@code hash}). */
    public void awaitCursor(Path cursorFile, long height, String hash, Duration timeout) throws Exception {
        awaitCursor(cursorFile, "reach " + height + " " + hash, timeout,
                n -> n.path("height").asLong() == height && hash.equals(n.path("hash").asText()));
    }

    /** Waits until the file sink's cursor file names {@code height} or a higher block. */
    public void awaitCursorAtLeast(Path cursorFile, long height, Duration timeout) throws Exception {
        awaitCursor(cursorFile, "reach at least " + height, timeout, n -> n.path("height").asLong(-1) >= height);
    }

    private void awaitCursor(Path cursorFile, String what, Duration timeout, Predicate<JsonNode> done)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(cursorFile)) {
                try {
                    if (done.test(CdcCodec.mapper().readTree(cursorFile.toFile()))) {
                        return;
                    }
                } catch (IOException ignored) {
                    // replaced while reading; retry
                }
            }
            if (!process.isAlive()) {
                throw new AssertionError("daemon exited with " + process.exitValue() + ":\n" + stderr());
            }
            Thread.sleep(20);
        }
        throw new AssertionError("cursor did not " + what + " within " + timeout + ":\n" + stderr());
    }

    /** SIGKILL, then waits for the process to be gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    /** SIGTERM; returns the exit status. */
    public int terminate(Duration timeout) throws Exception {
        process.destroy();
        assertThat(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
                .as("daemon did not exit after SIGTERM:\n%s", stderr()).isTrue();
        return process.exitValue();
    }

    /** Waits for the process to exit by itself; returns the exit status. */
    public int awaitExit(Duration timeout) throws Exception {
        assertThat(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
                .as("daemon still running:\n%s", stderr()).isTrue();
        return process.exitValue();
    }

    /** The process id (to send it a signal, e.g. SIGHUP). */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

}
