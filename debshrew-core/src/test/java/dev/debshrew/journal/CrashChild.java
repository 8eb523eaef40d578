package dev.debshrew.journal;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Child process of {@link RocksChainStoreCrashTest}: opens the store, then follows the
 * {@link CrashScript} for ever, printing each event after it is durable. Killed with SIGKILL.
 */
public final class CrashChild {

    private CrashChild() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        PrintStream out = System.out;
        try (RocksChainStore store = RocksChainStore.open(dir, CrashScript.WINDOW)) {
            CrashScript.Position pos = CrashScript.position(store);
            out.println("ready " + pos.height() + " " + pos.branch());
            out.flush();
            boolean afterRevert = false;
            long limit = pos.height() + 100_000;
            while (pos.height() < limit) {
                CrashScript.Event e = CrashScript.next(pos, afterRevert);
                CrashScript.apply(store, e);
                out.println(e.line());
                out.flush();
                pos = e.after();
                afterRevert = e.revert();
            }
        }
    }
}
