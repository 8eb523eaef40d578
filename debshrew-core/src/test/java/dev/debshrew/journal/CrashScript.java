package dev.debshrew.journal;

import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.transform.StateChanges;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The deterministic block sequence of the kill -9 test, shared by the child process that writes it
 * and the test that checks what survived.
 *
 * <p>Heights 0, 1, 2, ... on branch 0; every height divisible by 5 is first committed on branch 0,
 * then reverted (a one-block reorg) and committed again on branch 1. The events, from a position
 * (tip height + branch) and whether the last event was a revert, are a pure function.
 */
final class CrashScript {

    static final int KEYS = 300;
    static final int WINDOW = 6;
    static final String ZERO = "0".repeat(64);

    private CrashScript() {
    }

    /** The store's tip as (height, branch); height -1 = empty. */
    record Position(long height, int branch) {
        static final Position EMPTY = new Position(-1, 0);
    }

    /** One step of the script. */
    record Event(boolean revert, long height, int branch) {
        String line() {
            return (revert ? "R " : "C ") + height + " " + branch + " ;";
        }

        static Event parse(String line) {
            if (!line.matches("[CR] \\d+ [01] ;")) {
                return null; // log output, or a line cut by the kill
            }
            String[] p = line.split(" ");
            return new Event(p[0].equals("R"), Long.parseLong(p[1]), Integer.parseInt(p[2]));
        }

        Position after() {
            return revert ? (height == 0 ? Position.EMPTY : new Position(height - 1, finalBranch(height - 1)))
                    : new Position(height, branch);
        }
    }

    static int finalBranch(long height) {
        return height % 5 == 0 ? 1 : 0;
    }

    /** The next event from {@code pos}; {@code afterRevert} is the last event of this run being a revert. */
    static Event next(Position pos, boolean afterRevert) {
        if (afterRevert) {
            return new Event(false, pos.height() + 1, 1);
        }
        if (pos.height() >= 0 && pos.branch() == 0 && finalBranch(pos.height()) == 1) {
            return new Event(true, pos.height(), 0);
        }
        return new Event(false, pos.height() + 1, 0);
    }

    static String hash(long height, int branch) {
        return StoreTesting.hash("crash/" + height + "/" + branch);
    }

    static String parentHash(long height) {
        return height == 0 ? ZERO : hash(height - 1, finalBranch(height - 1));
    }

    static StateChanges changes(long height, int branch) {
        Random rnd = new Random(height * 1_000_003L + branch);
        StateChanges c = new StateChanges();
        int n = 1 + rnd.nextInt(30);
        for (int i = 0; i < n; i++) {
            byte[] key = StoreTesting.b("key-" + rnd.nextInt(KEYS));
            if (rnd.nextInt(5) == 0) {
                c.delete(key);
            } else {
                byte[] v = new byte[rnd.nextInt(100)];
                rnd.nextBytes(v);
                c.put(key, v);
            }
        }
        return c;
    }

    static List<CdcMessage> messages(long height, int branch) {
        return StoreTesting.messages(height, hash(height, branch), (int) ((height + branch) % 4));
    }

    /** Applies one event to a store. */
    static void apply(ChainStore store, Event e) {
        if (e.revert()) {
            JournalEntry undone = store.revertTip();
            if (undone.height() != e.height()) {
                throw new IllegalStateException("reverted " + undone.height() + ", expected " + e.height());
            }
        } else {
            store.commit(e.height(), hash(e.height(), e.branch()), parentHash(e.height()), messages(e.height(), e.branch()),
                    changes(e.height(), e.branch()));
        }
    }

    /** The state at {@code pos}: every block below it on its final branch, the tip on its own. */
    static void replay(Position pos, Map<String, byte[]> into) {
        for (long h = 0; h <= pos.height(); h++) {
            StoreTesting.apply(into, changes(h, h == pos.height() ? pos.branch() : finalBranch(h)));
        }
    }

    static Position position(ChainStore store) {
        return store.tip().map(t -> new Position(t.height(), t.hash().equals(hash(t.height(), 1)) ? 1 : 0))
                .orElse(Position.EMPTY);
    }
}
