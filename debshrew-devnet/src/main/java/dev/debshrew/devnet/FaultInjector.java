package dev.debshrew.devnet;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/** Active faults and their remaining counts; decides which faults hit a request. Thread-safe. */
final class FaultInjector {

    private static final class Active {
        final Fault fault;
        int remaining;

        Active(Fault fault) {
            this.fault = fault;
            this.remaining = fault.times();
        }
    }

    /**
     * The faults hitting one request: accumulated latency, at most one reorg to perform before
     * answering, plus at most one other fault.
     */
    record Hit(long latencyMillis, Fault terminal, long heightBackwards, Fault reorg) {
        static final Hit NONE = new Hit(0, null, 0, null);
    }

    private final List<Active> active = new ArrayList<>();
    private final Random rng;

    FaultInjector(long seed) {
        this.rng = new Random(seed ^ 0x5DEECE66DL);
    }

    synchronized void add(Fault f) {
        active.add(new Active(f));
    }

    synchronized void clear() {
        active.clear();
    }

    synchronized List<Fault> active() {
        List<Fault> r = new ArrayList<>();
        for (Active a : active) {
            r.add(a.fault);
        }
        return r;
    }

    /**
     * The faults hitting a request for {@code method} about {@code height} (the request's height
     * parameter, or null when it has none).
     */
    synchronized Hit match(String method, Long height) {
        if (active.isEmpty()) {
            return Hit.NONE;
        }
        long latency = 0;
        long backwards = 0;
        Fault terminal = null;
        Fault reorg = null;
        Iterator<Active> it = active.iterator();
        while (it.hasNext()) {
            Active a = it.next();
            Fault f = a.fault;
            if (!f.matches(method, height)) {
                continue;
            }
            boolean isTerminal = f.type() != Fault.Type.LATENCY && f.type() != Fault.Type.HEIGHT_BACKWARDS
                    && f.type() != Fault.Type.REORG;
            if (f.type() == Fault.Type.REORG && reorg != null) {
                continue;
            }
            if (isTerminal && terminal != null) {
                continue; // one terminal fault per request; others wait for later requests
            }
            if (f.type() == Fault.Type.HEIGHT_BACKWARDS && backwards != 0) {
                continue;
            }
            boolean hit;
            if (f.probability() > 0) {
                hit = rng.nextDouble() < f.probability();
            } else {
                hit = true;
                if (--a.remaining <= 0) {
                    it.remove();
                }
            }
            if (!hit) {
                continue;
            }
            switch (f.type()) {
                case LATENCY -> latency += f.delay().toMillis();
                case HEIGHT_BACKWARDS -> backwards = f.by();
                case REORG -> reorg = f;
                default -> terminal = f;
            }
        }
        return new Hit(latency, terminal, backwards, reorg);
    }
}
