package dev.debshrew.metashrew;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.Fault;
import dev.debshrew.metashrew.MetashrewException.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

@Timeout(60)
class MetashrewClientFaultTest {

    private DevnetServer devnet;
    private MetashrewClient client;
    private final List<Duration> retryDelays = new ArrayList<>();
    private ListAppender<ILoggingEvent> logs;
    private Logger logger;

    @BeforeEach
    void setUp() throws Exception {
        devnet = DevnetServer.builder().seed(5).initialHeight(12).build().start(0);
        client = MetashrewClient.builder(devnet.url()).versionLine(VersionLine.CURRENT).maxRetries(3)
                .backoffInitial(Duration.ofMillis(20)).backoffMax(Duration.ofMillis(100)).backoffJitter(0.5)
                .readTimeout(Duration.ofMillis(500)).connectTimeout(Duration.ofSeconds(2))
                .listener(new MetashrewClientListener() {
                    @Override
                    public void onRetry(String method, int attempt, Duration delay, MetashrewException cause) {
                        retryDelays.add(delay);
                    }
                }).build();
        logger = (Logger) LoggerFactory.getLogger("dev.debshrew.metashrew.MetashrewClient");
        logs = new ListAppender<>();
        logs.start();
        logger.setLevel(Level.INFO); // whatever an earlier test left the process's log levels at
        logger.addAppender(logs);
    }

    @AfterEach
    void tearDown() {
        logger.detachAppender(logs);
        logger.setLevel(null);
        client.close();
        devnet.close();
    }

    @Test
    void transientHttp500IsRetried() throws Exception {
        devnet.inject(Fault.http500().times(2));
        assertThat(client.height()).isEqualTo(12);
        assertThat(devnet.requestCount("metashrew_height")).isEqualTo(3);
        assertThat(client.stats().get("metashrew_height").retries()).isEqualTo(2);
        assertThat(retryDelays).hasSize(2);
        assertThat(retryDelays.get(0)).isBetween(Duration.ofMillis(10), Duration.ofMillis(30));
        assertThat(retryDelays.get(1)).isBetween(Duration.ofMillis(20), Duration.ofMillis(60));
        List<String> warns = logs.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(warns).hasSize(2);
        assertThat(warns.get(0)).contains("metashrew_height", "attempt 1/4", "HTTP_STATUS", "HTTP 500", "retrying in");
        assertThat(warns.get(1)).contains("attempt 2/4");
    }

    @Test
    void malformedJsonIsRetried() throws Exception {
        devnet.inject(Fault.malformedJson().forMethod("metashrew_getblockhash"));
        assertThat(client.blockHash(4)).isEqualTo(devnet.blockHash(4));
        assertThat(devnet.requestCount("metashrew_getblockhash")).isEqualTo(2);
    }

    @Test
    void droppedConnectionIsRetried() throws Exception {
        devnet.inject(Fault.dropConnection().times(2).forMethod("metashrew_view"));
        assertThat(client.view("getblock", new byte[0], 3)).isEqualTo(devnet.chain().block(0, 3).raw());
        assertThat(devnet.requestCount("metashrew_view")).isEqualTo(3);
        assertThat(logs.list).anyMatch(e -> e.getFormattedMessage().contains("TRANSPORT"));
    }

    @Test
    void timeoutIsRetried() throws Exception {
        devnet.inject(Fault.timeout(Duration.ofSeconds(3)));
        long t0 = System.nanoTime();
        assertThat(client.height()).isEqualTo(12);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        assertThat(devnet.requestCount("metashrew_height")).isEqualTo(2);
        assertThat(logs.list).anyMatch(e -> e.getFormattedMessage().contains("TIMEOUT"));
    }

    @Test
    void latencyBelowTheReadTimeoutIsNotAFailure() throws Exception {
        devnet.inject(Fault.latency(Duration.ofMillis(200)).times(3));
        assertThat(client.height()).isEqualTo(12);
        assertThat(devnet.requestCount()).isEqualTo(1);
    }

    @Test
    void deterministicErrorsAreNotRetried() throws Exception {
        assertThatThrownBy(() -> client.view("unknown_view", new byte[] {1}, 2))
                .isInstanceOfSatisfying(MetashrewException.class, e -> assertThat(e.kind()).isEqualTo(Kind.RPC_ERROR));
        assertThatThrownBy(() -> client.blockHash(13))
                .isInstanceOfSatisfying(MetashrewException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND));
        assertThat(devnet.requestCount("metashrew_view")).isEqualTo(1);
        assertThat(devnet.requestCount("metashrew_getblockhash")).isEqualTo(1);
        assertThat(logs.list).noneMatch(e -> e.getLevel() == Level.WARN);
    }

    @Test
    void retriesAreBounded() throws Exception {
        devnet.inject(Fault.http500().times(10));
        assertThatThrownBy(() -> client.height()).isInstanceOfSatisfying(MetashrewException.class, e -> {
            assertThat(e.kind()).isEqualTo(Kind.HTTP_STATUS);
            assertThat(e.httpStatus()).isEqualTo(500);
            assertThat(e.isRetriable()).isTrue();
            assertThat(e.getMessage()).contains("after 4 attempts");
        });
        assertThat(devnet.requestCount("metashrew_height")).isEqualTo(4);
        MethodStats st = client.stats().get("metashrew_height");
        assertThat(st.failures()).isEqualTo(1);
        assertThat(st.attempts()).isEqualTo(4);
    }

    @Test
    void nodeDownIsATransportError() throws Exception {
        String url = devnet.url();
        devnet.close();
        try (MetashrewClient c = MetashrewClient.builder(url).versionLine(VersionLine.CURRENT).maxRetries(1)
                .backoffInitial(Duration.ofMillis(5)).connectTimeout(Duration.ofSeconds(1)).build()) {
            assertThatThrownBy(c::height).isInstanceOfSatisfying(MetashrewException.class, e -> {
                assertThat(e.kind()).isIn(Kind.TRANSPORT, Kind.TIMEOUT);
                assertThat(e.isRetriable()).isTrue();
            });
        }
    }

    @Test
    void heightGoingBackwardsIsReportedAsIs() throws Exception {
        devnet.inject(Fault.heightBackwards(2));
        assertThat(client.height()).isEqualTo(10);
        assertThat(client.height()).isEqualTo(12);
    }

    @Test
    void autoDetectionSurvivesTransientFaults() throws Exception {
        try (MetashrewClient c = MetashrewClient.builder(devnet.url()).backoffInitial(Duration.ofMillis(5)).build()) {
            devnet.inject(Fault.http500().forMethod("metashrew_stateroot"));
            devnet.inject(Fault.dropConnection().forMethod("metashrew_view"));
            assertThat(c.detectVersionLine()).isEqualTo(VersionLine.CURRENT);
        }
    }
}
