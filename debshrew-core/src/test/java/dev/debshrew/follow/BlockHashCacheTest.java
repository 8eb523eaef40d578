package dev.debshrew.follow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.ReorgStyle;
import dev.debshrew.metashrew.MetashrewClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The block-hash hints the pipelines of one daemon share, against the devnet's real JSON-RPC. */
class BlockHashCacheTest {

    private static final String METHOD = "metashrew_getblockhash";

    private DevnetServer devnet;
    private MetashrewClient client;

    @BeforeEach
    void start() throws Exception {
        devnet = DevnetServer.builder().seed(5).initialHeight(10).build().start(0);
        client = MetashrewClient.builder(devnet.url()).build();
    }

    @AfterEach
    void stop() {
        client.close();
        devnet.close();
    }

    @Test
    void aHeightIsReadFromTheNodeOnceForEveryPipelineAsking() throws Exception {
        BlockHashCache cache = new BlockHashCache(100);
        long before = devnet.requestCount(METHOD);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<String>> asks = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                asks.add(() -> cache.hint(client, 7));
            }
            for (Future<String> f : pool.invokeAll(asks, 60, TimeUnit.SECONDS)) {
                assertThat(f.get()).isEqualTo(devnet.blockHash(7));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(devnet.requestCount(METHOD) - before).as("one node call for 16 concurrent hints").isEqualTo(1);
    }

    @Test
    void aFreshReadThatDiffersDropsTheHeightAndEveryHeightAbove() throws Exception {
        BlockHashCache cache = new BlockHashCache(100);
        for (long h = 5; h <= 10; h++) {
            cache.hint(client, h);
        }
        String old8 = devnet.blockHash(8);
        devnet.reorg(3, 3, ReorgStyle.INSTANT).get(60, TimeUnit.SECONDS);
        assertThat(cache.hint(client, 8)).as("a hint may be stale: the chain check re-reads it").isEqualTo(old8);

        cache.fresh(8, client.blockHash(8)); // the chain check's read after a batch's views
        assertThat(cache.size()).as("the stale 8..10 dropped, 5..7 kept, 8 the fresh hash").isEqualTo(4);
        long before = devnet.requestCount(METHOD);
        assertThat(cache.hint(client, 9)).isEqualTo(devnet.blockHash(9)).isNotEqualTo(old8);
        assertThat(cache.hint(client, 8)).isEqualTo(devnet.blockHash(8)).isNotEqualTo(old8);
        assertThat(devnet.requestCount(METHOD) - before).as("8 was cached by the fresh read, 9 read again")
                .isEqualTo(1);
    }

    @Test
    void aFollowerUndoingAReorgDropsTheCacheAboveTheAncestor() throws Exception {
        BlockHashCache cache = new BlockHashCache(100);
        for (long h = 0; h <= 10; h++) {
            cache.hint(client, h);
        }
        cache.invalidateFrom(8);
        assertThat(cache.size()).isEqualTo(8);
        long before = devnet.requestCount(METHOD);
        cache.hint(client, 7);
        assertThat(devnet.requestCount(METHOD) - before).isZero();
        cache.hint(client, 8);
        assertThat(devnet.requestCount(METHOD) - before).isEqualTo(1);
    }

    @Test
    void itKeepsAtMostItsCapacityDroppingTheLowestHeights() throws Exception {
        BlockHashCache cache = new BlockHashCache(3);
        for (long h = 0; h <= 6; h++) {
            cache.hint(client, h);
        }
        assertThat(cache.size()).isEqualTo(3);
        long before = devnet.requestCount(METHOD);
        cache.hint(client, 6);
        cache.hint(client, 4);
        assertThat(devnet.requestCount(METHOD) - before).as("4..6 kept").isZero();
        cache.hint(client, 0);
        assertThat(devnet.requestCount(METHOD) - before).as("0 was evicted").isEqualTo(1);
    }
}
