package dev.debshrew.cli;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Turns SIGTERM and SIGINT into a graceful stop request instead of a JVM shutdown, so the daemon
 * stops, closes its sinks and exits with status 0; and SIGHUP into a hot reload of the transform
 * module ({@link #onHangup}). {@link #close()} restores the previous handlers
 * (the command may run inside another JVM, e.g. a test). Where the JVM does not allow handling a
 * signal, the command's shutdown hook covers it.
 */
@SuppressWarnings("restriction")
final class Signals implements AutoCloseable {

    private record Installed(Signal signal, SignalHandler previous) {
    }

    private final List<Installed> installed;

    private Signals(List<Installed> installed) {
        this.installed = installed;
    }

    /** Installs {@code action} (given the signal's name, e.g. {@code TERM}) for SIGTERM and SIGINT. */
    static Signals onTerminate(java.util.function.Consumer<String> action) {
        return install(action, "TERM", "INT");
    }

    /**
     * Installs {@code action} for SIGHUP (hot reload). It runs on a thread of its own, so the
     * signal dispatcher is never held by a reload.
     */
    static Signals onHangup(Runnable action) {
        return install(sig -> {
            Thread t = new Thread(action, "debshrew-sighup");
            t.setDaemon(true);
            t.start();
        }, "HUP");
    }

    private static Signals install(java.util.function.Consumer<String> action, String... names) {
        List<Installed> done = new ArrayList<>();
        for (String name : names) {
            try {
                Signal signal = new Signal(name);
                done.add(new Installed(signal, Signal.handle(signal, sig -> action.accept(sig.getName()))));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                LoggerFactory.getLogger(Signals.class).debug("cannot handle SIG{}: {}", name, e.getMessage());
            }
        }
        return new Signals(done);
    }

    /** Restores the handlers that were in place before. */
    @Override
    public void close() {
        for (Installed i : installed) {
            try {
                Signal.handle(i.signal(), i.previous());
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                LoggerFactory.getLogger(Signals.class).debug("cannot restore SIG{}: {}", i.signal().getName(),
                        e.getMessage());
            }
        }
    }
}
