package dev.debshrew.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.debshrew.transform.StateChanges;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksIterator;

/**
 * Smoke test at scale: keys committed in blocks of 10,000, then a block overwriting 10,000 keys and
 * two reverts, a reopen and a count. Prints wall and CPU timings (target/surefire-reports).
 *
 * <p>By default 100,000 keys (10 blocks), part of every build; the full 1,000,000 keys (100 blocks)
 * with {@code -Ddebshrew.test.scale=true}, as its wall time depends heavily on the disk's fsync
 * latency and on the machine's load.
 */
@Tag("scale")
class RocksChainStoreScaleTest {

    private static final int BLOCKS = Boolean.getBoolean("debshrew.test.scale") ? 100 : 10;
    private static final int KEYS_PER_BLOCK = 10_000;

    @TempDir
    Path tmp;

    /** A well-spread 16-byte key (not sequential, like hashes would be). */
    private static byte[] key(long i) {
        long x = i * 0x9E3779B97F4A7C15L;
        x ^= x >>> 29;
        return ByteBuffer.allocate(16).putLong(x).putLong(i).array();
    }

    private static byte[] value(long i, long height) {
        return ByteBuffer.allocate(32).putLong(i).putLong(height).putLong(~i).putLong(i * 31).array();
    }

    @Test
    void manyKeysInLargeBlocks() {
        Path dir = tmp.resolve("state");
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long c0 = mx.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        try (RocksChainStore store = RocksChainStore.open(dir, 6)) {
            for (int b = 0; b < BLOCKS; b++) {
                StateChanges c = new StateChanges();
                for (int j = 0; j < KEYS_PER_BLOCK; j++) {
                    long i = (long) b * KEYS_PER_BLOCK + j;
                    c.put(key(i), value(i, b));
                }
                store.commit(b, StoreTesting.hash("s" + b), StoreTesting.hash("s" + (b - 1)), List.of(), c);
            }
            long t1 = System.nanoTime();
            long c1 = mx.getCurrentThreadCpuTime();

            for (long i = 0; i < (long) BLOCKS * KEYS_PER_BLOCK; i += 997) {
                assertThat(store.get(key(i))).isEqualTo(value(i, i / KEYS_PER_BLOCK));
            }
            // a block overwriting 10,000 existing keys, then its revert
            StateChanges over = new StateChanges();
            for (int j = 0; j < KEYS_PER_BLOCK; j++) {
                over.put(key(j * 7L), value(-1, -1));
            }
            store.commit(BLOCKS, "over", StoreTesting.hash("s" + (BLOCKS - 1)), List.of(), over);
            assertThat(store.get(key(7))).isEqualTo(value(-1, -1));
            long t2 = System.nanoTime();
            store.revertTip();
            store.revertTip();
            long t3 = System.nanoTime();
            assertThat(store.get(key(7))).isEqualTo(value(7, 0));
            assertThat(store.get(key((long) (BLOCKS - 1) * KEYS_PER_BLOCK))).isNull();
            assertThat(store.tip().orElseThrow().height()).isEqualTo(BLOCKS - 2);
            System.out.printf("scale: %d keys in %d blocks committed in %d ms wall, %d ms CPU of the committing thread;"
                    + " two reverts of 10,000 writes each in %d ms%n", (long) BLOCKS * KEYS_PER_BLOCK, BLOCKS,
                    (t1 - t0) / 1_000_000, (c1 - c0) / 1_000_000, (t3 - t2) / 1_000_000);
        }
        long t4 = System.nanoTime();
        try (RocksChainStore store = RocksChainStore.open(dir, 6)) {
            long t5 = System.nanoTime();
            assertThat(store.window()).hasSize(4);
            System.out.printf("scale: reopen with %d window entries in %d ms%n", store.window().size(),
                    (t5 - t4) / 1_000_000);
        }
        try (RocksHandles rocks = RocksHandles.open(dir, false, true); RocksIterator it = rocks.db.newIterator(rocks.state)) {
            long n = 0;
            for (it.seekToFirst(); it.isValid(); it.next()) {
                n++;
            }
            assertThat(n).isEqualTo((long) (BLOCKS - 1) * KEYS_PER_BLOCK);
        }
        System.out.printf("scale: total %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    }
}
