package dev.debshrew.follow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.journal.InMemoryChainStore;
import dev.debshrew.journal.JournalEntry;
import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.metashrew.MetashrewClientListener;
import dev.debshrew.metashrew.MetashrewException;
import dev.debshrew.sink.file.FileSink;
import dev.debshrew.sink.file.FileSinkConfig;
import dev.debshrew.testing.Background;
import dev.debshrew.testing.Examples;
import dev.debshrew.testing.Pipeline;
import dev.debshrew.testing.SwitchedReference;
import dev.debshrew.testing.TableFold;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A module queued while a batch of 64 blocks runs with speculation cuts the batch: the swap comes
 * at a block boundary inside it (not at its end), the blocks already run ahead with the old module
 * are run again with the new one, and the output equals a strictly sequential run switched at
 * the reported height.
 */
class ModuleSwapMidBatchTest {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void aSwapQueuedDuringABatchCutsItAtABlockBoundary() throws Exception {
        Path v1 = Examples.assemblyScript("tally");
        Path v2 = Examples.assemblyScript("tally_v2");
        Path out = dir.resolve("out.jsonl");
        AtomicReference<CompletableFuture<Long>> applied = new AtomicReference<>();
        AtomicInteger views = new AtomicInteger();
        try (DevnetServer devnet = DevnetServer.builder().seed(77).initialHeight(120).latency(Duration.ofMillis(10))
                .build().start(0);
                Transform refA = Transform.load(v1, TransformLimits.defaults());
                Transform refB = Transform.load(v2, TransformLimits.defaults());
                ModuleSlot slot = new ModuleSlot(Transform.load(v1, TransformLimits.defaults()))) {
            Transform next = Transform.load(v2, TransformLimits.defaults());
            MetashrewClient client = MetashrewClient.builder(devnet.url()).readTimeout(Duration.ofSeconds(10))
                    .listener(new MetashrewClientListener() {
                        @Override
                        public void onCallCompleted(String method, Duration latency, int attempts,
                                MetashrewException failure) {
                            if ("metashrew_view".equals(method) && views.incrementAndGet() == 20) {
                                applied.set(slot.offer(next)); // while the first batch (0..63) runs
                            }
                        }
                    }).build();
            InMemoryChainStore store = new InMemoryChainStore(6);
            FollowerSettings settings = Pipeline.fastSettings().withStartHeight(0L)
                    .withEngine(new EngineSettings(false, 16, 64, 4, 1000, 50_000, 64L << 20, Duration.ofSeconds(1)));
            FileSink sink = new FileSink(new FileSinkConfig(out, true, false));
            BlockFollower follower = new BlockFollower(client, slot, store, List.of(sink), settings,
                    FollowerListener.NONE);
            Background run = Background.start("mid-batch-follower", follower::run);
            List<JournalEntry> window;
            try {
                Pipeline.awaitCaughtUp(devnet, store, follower, run::failure, WAIT);
                window = follower.window();
            } finally {
                follower.stop();
                run.awaitEnd(Duration.ofSeconds(30));
                sink.close();
                client.close();
            }
            assertThat(run.failure()).as("follower failure").isNull();
            assertThat(applied.get()).as("the module was queued during the first batch").isNotNull();
            long swap = applied.get().get(10, TimeUnit.SECONDS);
            // at the 20th view at most 20 + 4 (speculation) blocks had started: the batch 0..63 was cut
            assertThat(swap).as("swap height").isLessThanOrEqualTo(24);
            assertThat(slot.current().sha256()).isEqualTo(refB.sha256());
            for (JournalEntry e : window) {
                assertThat(e.module()).as("module of block %d", e.height()).isEqualTo(refB.sha256());
            }
            List<CdcMessage> reference = SwitchedReference.messages(devnet, h -> h < swap ? refA : refB);
            CdcCodec codec = new CdcCodec();
            assertThat(TableFold.readFile(out).stream().map(codec::encode).toList())
                    .isEqualTo(reference.stream().map(codec::encode).toList());
            System.out.printf("mid-batch swap at %d (batch 0..63, speculation 4): %d messages exact%n", swap,
                    reference.size());
        }
    }
}
