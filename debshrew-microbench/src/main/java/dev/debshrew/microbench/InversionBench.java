package dev.debshrew.microbench;

import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.cdc.Inversion;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Undoing one block on a reorg: {@link Inversion#invertBlock} of a block of 500 mixed messages. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class InversionBench {

    private List<CdcMessage> block;

    /** Builds the block and checks that inverting twice gives back its payloads. */
    @Setup
    public void setup() {
        block = Fixtures.block(500);
        List<CdcMessage> twice = Inversion.invertBlock(Inversion.invertBlock(block, "00", 1), "00", 1);
        for (int i = 0; i < block.size(); i++) {
            if (!twice.get(i).payload().equals(block.get(i).payload())) {
                throw new IllegalStateException("inverting twice changed message " + i);
            }
        }
    }

    /** The 500 inverse messages, newest first. */
    @Benchmark
    public List<CdcMessage> invertBlock500() {
        return Inversion.invertBlock(block, Fixtures.blockHash(), 1_713_571_767_000L);
    }
}
