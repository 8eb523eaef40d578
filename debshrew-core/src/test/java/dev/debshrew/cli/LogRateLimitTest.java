package dev.debshrew.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.read.ListAppender;
import ch.qos.logback.core.spi.FilterReply;
import dev.debshrew.config.LogOptions;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Issue 11 item 2: third-party loggers are rate-limited (log_rate_limit lines per logger per minute,
 * then one "suppressing" line and, in the next minute, one "suppressed K lines" line). The issue's
 * case: a Kafka client whose broker is down warns on every reconnect attempt; its output is bounded.
 * A fake clock decides the minutes: no sleeps.
 */
class LogRateLimitTest {

    private static final long MINUTE = Duration.ofMinutes(1).toNanos();

    @Test
    void aBurstOfThirdPartyLinesIsCutToTheLimitWithOneSummary() throws Exception {
        LoggerContext ctx = LogFormatTest.shipped();
        Logging.configure(ctx, "info", new LogOptions("text", Map.of(), 5, Duration.ofSeconds(10), 3, null));
        AtomicLong clock = new AtomicLong();
        LogRateLimit filter = (LogRateLimit) ctx.getTurboFilterList().get(0);
        filter.setClock(clock::get);
        ListAppender<ILoggingEvent> out = new ListAppender<>();
        out.start();
        ctx.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(out);
        Logger kafka = ctx.getLogger("org.apache.kafka.clients.NetworkClient");
        Logger hikari = ctx.getLogger("com.zaxxer.hikari.pool.HikariPool");
        Logger ours = ctx.getLogger("dev.debshrew.follow.SinkFanOut");

        for (int i = 0; i < 1_000; i++) {
            kafka.warn("Connection to node -1 could not be established {}", i);
            kafka.debug("not enabled: not counted {}", i);
            ours.warn("debshrew's own line {}", i);
            if (i < 3) {
                hikari.error("pool error {}", i);
            }
        }
        assertThat(lines(out, kafka.getName())).containsExactly(
                "Connection to node -1 could not be established 0", "Connection to node -1 could not be established 1",
                "Connection to node -1 could not be established 2", "Connection to node -1 could not be established 3",
                "Connection to node -1 could not be established 4");
        assertThat(lines(out, hikari.getName())).hasSize(3);
        assertThat(lines(out, ours.getName())).hasSize(1_000);
        assertThat(lines(out, LogRateLimit.NOTICES)).containsExactly("org.apache.kafka.clients.NetworkClient: more"
                + " than 5 lines in a minute; suppressing its lines for the rest of the minute (log_rate_limit)");

        clock.addAndGet(MINUTE);
        kafka.warn("Connection to node -1 could not be established {}", 1_000);
        assertThat(lines(out, LogRateLimit.NOTICES)).hasSize(2).last().isEqualTo(
                "org.apache.kafka.clients.NetworkClient: suppressed 995 line(s) in the last minute (log_rate_limit 5"
                        + " per minute)");
        assertThat(lines(out, kafka.getName())).hasSize(6).last()
                .isEqualTo("Connection to node -1 could not be established 1000");

        Logging.configure(ctx, "info", new LogOptions("text", Map.of(), 0, Duration.ofSeconds(10), 3, null));
        for (int i = 0; i < 100; i++) {
            kafka.warn("unlimited {}", i);
        }
        assertThat(lines(out, kafka.getName())).hasSize(106);
        ctx.stop();
    }

    @Test
    void kafkaClientWarningsWhileTheBrokerIsDownAreBounded() throws Exception {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        List<TurboFilter> shippedFilters = ctx.getTurboFilterList().stream().filter(LogRateLimit.class::isInstance)
                .toList();
        ctx.getTurboFilterList().removeAll(shippedFilters);
        AtomicInteger attempts = new AtomicInteger(); // every enabled Kafka line, before the limit
        TurboFilter counter = new TurboFilter() {
            @Override
            public FilterReply decide(Marker m, Logger logger, Level level, String format, Object[] p, Throwable t) {
                if (format != null && logger.getName().startsWith("org.apache.kafka")
                        && level.isGreaterOrEqual(logger.getEffectiveLevel())) {
                    attempts.incrementAndGet();
                }
                return FilterReply.NEUTRAL;
            }
        };
        LogRateLimit limit = new LogRateLimit();
        limit.setLinesPerMinute(3);
        AtomicLong clock = new AtomicLong();
        limit.setClock(clock::get);
        ctx.addTurboFilter(counter);
        ctx.addTurboFilter(limit);
        Logger kafkaLogger = ctx.getLogger("org.apache.kafka");
        Level kafkaLevel = kafkaLogger.getLevel();
        kafkaLogger.setLevel(Level.WARN);
        ListAppender<ILoggingEvent> out = new ListAppender<>();
        out.start();
        kafkaLogger.addAppender(out);
        ctx.getLogger(LogRateLimit.NOTICES).addAppender(out);
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort(); // closed again: connections are refused, like a broker that is down
        }
        Properties p = new Properties();
        p.put("bootstrap.servers", "127.0.0.1:" + deadPort);
        p.put("reconnect.backoff.ms", "10");
        p.put("reconnect.backoff.max.ms", "20");
        p.put("max.block.ms", "120000");
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer());
        try {
            CompletableFuture<?> waiting = CompletableFuture.runAsync(() -> producer.partitionsFor("t"));
            awaitAttempts(attempts, 40);
            List<String> kafkaLines = snapshot(out).stream().filter(e -> e.getLoggerName().startsWith("org.apache.kafka"))
                    .map(ILoggingEvent::getFormattedMessage).toList();
            assertThat(kafkaLines).as("Kafka lines let through of %s", attempts.get()).hasSizeBetween(1, 3 * 3);
            assertThat(snapshot(out).stream().filter(e -> e.getLoggerName().equals(LogRateLimit.NOTICES))
                    .map(ILoggingEvent::getFormattedMessage))
                    .anyMatch(l -> l.startsWith("org.apache.kafka.clients.NetworkClient: more than 3 lines in a minute"));

            clock.addAndGet(MINUTE); // the next minute: one line counting what was dropped
            int seen = attempts.get();
            awaitAttempts(attempts, seen + 5);
            assertThat(snapshot(out).stream().filter(e -> e.getLoggerName().equals(LogRateLimit.NOTICES))
                    .map(ILoggingEvent::getFormattedMessage))
                    .anyMatch(l -> l.matches("org\\.apache\\.kafka\\.clients\\.NetworkClient: suppressed \\d+ line\\(s\\)"
                            + " in the last minute \\(log_rate_limit 3 per minute\\)"));
            producer.close(Duration.ZERO);
            waiting.handle((v, e) -> null).join();
        } finally {
            producer.close(Duration.ZERO);
            kafkaLogger.detachAppender(out);
            ctx.getLogger(LogRateLimit.NOTICES).detachAppender(out);
            kafkaLogger.setLevel(kafkaLevel);
            ctx.getTurboFilterList().remove(counter);
            ctx.getTurboFilterList().remove(limit);
            ctx.getTurboFilterList().addAll(shippedFilters);
        }
    }

    private static void awaitAttempts(AtomicInteger attempts, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (attempts.get() < n) {
            assertThat(System.nanoTime()).as("Kafka client lines seen: %s, waiting for %s", attempts.get(), n)
                    .isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** The lines so far (the appender is written by Kafka's thread; its appends synchronize on it). */
    private static List<ILoggingEvent> snapshot(ListAppender<ILoggingEvent> out) {
        synchronized (out) {
            return new ArrayList<>(out.list);
        }
    }

    private static List<String> lines(ListAppender<ILoggingEvent> out, String logger) {
        return out.list.stream().filter(e -> e.getLoggerName().equals(logger)).map(ILoggingEvent::getFormattedMessage)
                .toList();
    }
}
