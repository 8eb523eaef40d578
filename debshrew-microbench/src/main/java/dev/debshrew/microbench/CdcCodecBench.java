package dev.debshrew.microbench;

import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcFormatException;
import dev.debshrew.cdc.CdcMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The native CDC JSON codec: one typical message (a utxo update with before and after rows)
 * encoded and decoded, and a transform's output of 500 messages decoded and validated as the host
 * does after every block.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CdcCodecBench {

    private final CdcCodec codec = new CdcCodec();
    private CdcMessage message;
    private byte[] encoded;
    private byte[] output500;

    /** Builds the inputs and checks that they round-trip. */
    @Setup
    public void setup() throws CdcFormatException {
        message = Fixtures.message(1);
        encoded = codec.encodeBytes(message);
        if (!codec.decode(encoded).equals(message)) {
            throw new IllegalStateException("CDC codec does not round-trip " + new String(encoded, StandardCharsets.UTF_8));
        }
        List<CdcMessage> block = Fixtures.block(500);
        output500 = codec.encodeArray(block).getBytes(StandardCharsets.UTF_8);
        if (!codec.decodeArray(output500).equals(block)) {
            throw new IllegalStateException("CDC codec does not round-trip a block of 500 messages");
        }
    }

    /** One message to compact JSON bytes. */
    @Benchmark
    public byte[] encode() {
        return codec.encodeBytes(message);
    }

    /** One message from JSON bytes, validated (the journal's read path). */
    @Benchmark
    public CdcMessage decode() throws CdcFormatException {
        return codec.decode(encoded);
    }

    /** A transform's output array of 500 messages, validated incl. the NUL check (once per block). */
    @Benchmark
    public List<CdcMessage> decodeTransformOutput500() throws CdcFormatException {
        return codec.decodeArray(output500);
    }
}
