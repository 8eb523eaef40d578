package dev.debshrew.sink.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.debshrew.sink.SinkException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link KafkaSink#abort()} (the daemon stopping while a sink call hangs) makes the hanging call
 * fail at once instead of after the client's own timeouts (60 s here).
 */
class KafkaSinkAbortTest {

    @Test
    void abortMakesACallHangingOnAnUnresponsiveBrokerFailPromptly() throws Exception {
        // a "broker" that accepts connections and never answers
        try (ServerSocket blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            AtomicInteger accepted = new AtomicInteger();
            List<Socket> held = new CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                while (!blackHole.isClosed()) {
                    try {
                        held.add(blackHole.accept());
                        accepted.incrementAndGet();
                    } catch (Exception e) {
                        return;
                    }
                }
            }, "black-hole");
            acceptor.setDaemon(true);
            acceptor.start();

            KafkaSink sink = KafkaSink.create(Map.of("bootstrap_servers", "127.0.0.1:" + blackHole.getLocalPort(),
                    "topic", "t", "transactional_id", "abort-test"));
            CompletableFuture<Object> open = CompletableFuture.supplyAsync(() -> {
                try {
                    return sink.open();
                } catch (SinkException e) {
                    throw new IllegalStateException(e);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (accepted.get() == 0) {
                assertThat(open).as("open still in progress").isNotDone();
                assertThat(System.nanoTime()).as("the sink connected to the broker").isLessThan(deadline);
                Thread.sleep(10);
            }
            assertThat(open).as("open hangs on the unresponsive broker").isNotDone();

            long started = System.nanoTime();
            sink.abort();
            assertThatThrownBy(() -> open.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().hasCauseInstanceOf(SinkException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            sink.close();
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
