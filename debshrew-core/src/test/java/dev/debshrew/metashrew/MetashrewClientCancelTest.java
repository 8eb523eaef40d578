package dev.debshrew.metashrew;

import static org.assertj.core.api.Assertions.assertThat;

import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.Fault;
import dev.debshrew.metashrew.MetashrewException.Kind;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link MetashrewClient#cancelInFlight()} (the daemon stopping): a call that hangs on the node, or
 * waits to retry, fails at once with a retriable "cancelled" failure, and so does every later call.
 */
@Timeout(60)
class MetashrewClientCancelTest {

    private static final Duration PROMPTLY = Duration.ofSeconds(5);

    private static MetashrewClient client(DevnetServer devnet) {
        // read timeout and backoff far beyond PROMPTLY: only the cancellation can end the calls in time
        return MetashrewClient.builder(devnet.url()).versionLine(VersionLine.CURRENT).maxRetries(3)
                .readTimeout(Duration.ofMinutes(5)).backoffInitial(Duration.ofMinutes(2))
                .backoffMax(Duration.ofMinutes(2)).build();
    }

    @Test
    void cancelInFlightEndsAHangingCallAtOnceAndEveryLaterCall() throws Exception {
        try (DevnetServer devnet = DevnetServer.builder().seed(5).initialHeight(12).build().start(0);
                MetashrewClient client = client(devnet)) {
            devnet.inject(Fault.timeout(Duration.ofMinutes(10)));
            CompletableFuture<Long> call = CompletableFuture.supplyAsync(() -> height(client));
            awaitFaultUsed(devnet);
            assertThat(call).as("the call hangs on the node").isNotDone();

            client.cancelInFlight();
            assertCancelled(call);
            assertCancelled(CompletableFuture.supplyAsync(() -> height(client)));
        }
    }

    @Test
    void cancelInFlightEndsAWaitBeforeARetry() throws Exception {
        try (DevnetServer devnet = DevnetServer.builder().seed(6).initialHeight(12).build().start(0);
                MetashrewClient client = client(devnet)) {
            devnet.inject(Fault.http500());
            CompletableFuture<Long> call = CompletableFuture.supplyAsync(() -> height(client));
            awaitFaultUsed(devnet);
            assertThat(call).as("the call waits 2 minutes before its retry").isNotDone();

            client.cancelInFlight();
            assertCancelled(call);
        }
    }

    private static long height(MetashrewClient client) {
        try {
            return client.height();
        } catch (MetashrewException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitFaultUsed(DevnetServer devnet) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!devnet.activeFaults().isEmpty()) {
            assertThat(System.nanoTime()).as("the request reached the devnet").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static void assertCancelled(CompletableFuture<Long> call) throws Exception {
        long started = System.nanoTime();
        try {
            call.get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("the call succeeded after cancelInFlight()");
        } catch (ExecutionException e) {
            assertThat(e.getCause().getCause()).isInstanceOf(MetashrewException.class);
            MetashrewException m = (MetashrewException) e.getCause().getCause();
            assertThat(m.kind()).isEqualTo(Kind.TRANSPORT);
            assertThat(m.isRetriable()).as("a stop is transient: the block is redone at the next start").isTrue();
            assertThat(m.getMessage()).contains("cancelled");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(PROMPTLY);
    }
}
