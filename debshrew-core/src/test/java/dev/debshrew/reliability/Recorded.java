package dev.debshrew.reliability;

import dev.debshrew.cdc.CdcMessage;
import java.util.List;

/**
 * Lets a test of the default suite (the node, sink and network fault tests, which check their own
 * output strictly) add its scenario to the reliability summary when it runs within
 * scripts/reliability.sh ({@code -Ddebshrew.reliability} set); otherwise does nothing.
 */
public final class Recorded {

    private Recorded() {
    }

    /**
     * Records {@code scenario} on {@code sink}: its kills and reorgs, and the lost / duplicated
     * counts of {@code delivered} against {@code canonical}; {@code startedNanos} is when it began.
     */
    public static void stream(String scenario, String sink, int kills, int reorgs, long startedNanos,
            List<CdcMessage> canonical, List<CdcMessage> delivered) {
        if (System.getProperty("debshrew.reliability") == null) {
            return;
        }
        Report r = new Report(scenario, sink, Reliability.seed());
        for (int i = 0; i < kills; i++) {
            r.kill();
        }
        for (int i = 0; i < reorgs; i++) {
            r.reorg();
        }
        Throwable failure = null;
        try {
            r.compareStream(scenario, canonical, delivered);
        } catch (AssertionError e) {
            failure = e;
        }
        Reliability.record(r.result((System.nanoTime() - startedNanos) / 1e9, failure));
    }
}
