package dev.debshrew.cli;

import org.slf4j.LoggerFactory;

/**
 * Turns SIGTERM and SIGINT into a graceful stop request instead of a JVM shutdown, so the daemon
 * finishes its block, closes its sinks and exits with status 0. Falls back to the shutdown hook
 * where the JVM does not allow handling a signal.
 */
final class Signals {

    private Signals() {
    }

    @SuppressWarnings("restriction")
    static void onTerminate(Runnable action) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> action.run());
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                LoggerFactory.getLogger(Signals.class).debug("cannot handle SIG{}: {}", name, e.getMessage());
            }
        }
    }
}
