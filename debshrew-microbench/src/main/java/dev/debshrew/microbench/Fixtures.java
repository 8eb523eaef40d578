package dev.debshrew.microbench;

import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcFormatException;
import dev.debshrew.cdc.CdcMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Inputs shared by the benchmarks: typical CDC messages and the example transforms' .wasm files. */
final class Fixtures {

    /** System property naming the {@code examples/} directory (default {@code examples}, from the repository root). */
    static final String EXAMPLES_DIR = "debshrew.examples.dir";

    private static final CdcCodec CODEC = new CdcCodec();
    private static final String HASH = "5e3f1a9c0d4b7e2f8a6c1d3e5f7a9b0c2d4e6f8a1b3c5d7e9f0a2b4c6d8e0f1a";
    private static final String TXID = "c0ffee0000000000000000000000000000000000000000000000000000abcdef";

    private Fixtures() {
    }

    /**
     * Message {@code i} of a block at height 840000: a utxo row like the txindex example's, the
     * operation cycling create, update, delete with {@code i}.
     */
    static CdcMessage message(int i) {
        String row = "{\"height\":840000,\"script\":\"0014" + "ab".repeat(20) + "\",\"txid\":\"" + TXID
                + "\",\"value\":" + (546 + 1000L * i) + ",\"vout\":" + i + "}";
        String changed = row.replace("\"height\":840000", "\"height\":840001");
        String payload = switch (i % 3) {
            case 0 -> "\"operation\":\"create\",\"table\":\"utxos\",\"key\":\"" + TXID + ":" + i + "\",\"after\":" + row;
            case 1 -> "\"operation\":\"update\",\"table\":\"utxos\",\"key\":\"" + TXID + ":" + i + "\",\"before\":" + row
                    + ",\"after\":" + changed;
            default -> "\"operation\":\"delete\",\"table\":\"utxos\",\"key\":\"" + TXID + ":" + i + "\",\"before\":" + row;
        };
        String json = "{\"header\":{\"source\":\"txindex\",\"timestamp\":1713571767000,\"block_height\":840000,"
                + "\"block_hash\":\"" + HASH + "\",\"transaction_id\":\"" + TXID + "\"},\"payload\":{" + payload + "}}";
        try {
            return CODEC.decode(json);
        } catch (CdcFormatException e) {
            throw new IllegalStateException("benchmark fixture is not a valid CDC message: " + json, e);
        }
    }

    /** The {@code n} messages of one block, {@link #message(int)} for i = 0..n-1. */
    static List<CdcMessage> block(int n) {
        List<CdcMessage> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(message(i));
        }
        return out;
    }

    /** The hash the fixtures' messages carry as their block hash. */
    static String blockHash() {
        return HASH;
    }

    /** {@code examples/assemblyscript/build/<name>.wasm}, failing clearly when it was not built. */
    static Path assemblyScript(String name) {
        Path dir = Path.of(System.getProperty(EXAMPLES_DIR, "examples")).toAbsolutePath().normalize();
        Path p = dir.resolve("assemblyscript/build/" + name + ".wasm");
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException(p + " is missing: build the examples first (mvn -B -q package -DskipTests,"
                    + " or mvn -pl examples compile), and run the benchmarks from the repository root or pass -jvmArgsAppend -D"
                    + EXAMPLES_DIR + "=/path/to/examples");
        }
        return p;
    }
}
