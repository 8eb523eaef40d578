package dev.debshrew.journal;

import java.nio.file.Path;

/** Test helper for other packages: damages a journal record on disk, as a bad disk would. */
public final class JournalCorruption {

    private JournalCorruption() {
    }

    /** Flips one bit in the middle of the stored journal record at {@code height}. */
    public static void flipByte(Path stateDir, long height) throws Exception {
        RocksChainStoreTest.corrupt(stateDir, height, value -> value[value.length / 2] ^= 0x01);
    }
}
