package dev.debshrew.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue 11 item 2: during a catch-up the daemon logs a progress line at a fixed interval with the
 * right numbers, one "caught up" line at the tip and one "fell behind" line past the hysteresis.
 * Driven by a fake clock and the follower's events: no sleeps.
 */
class ProgressReporterTest {

    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
    private final AtomicLong committed = new AtomicLong(-2); // before start-up
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private Logger logger;
    private ProgressReporter reporter;

    @BeforeEach
    void attach() {
        logger = (Logger) LoggerFactory.getLogger("dev.debshrew.progress");
        logger.setLevel(Level.INFO);
        lines.start();
        logger.addAppender(lines);
        reporter = new ProgressReporter(Duration.ofSeconds(10), 3, clock::get);
        reporter.bind(committed::get);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(lines);
        logger.setLevel(null);
    }

    /** The follower commits {@code n} blocks of {@code messages} messages, {@code nanosEach} apart, then polls. */
    private void commit(int n, int messages, long nanosEach, long tip) {
        for (int i = 0; i < n; i++) {
            clock.addAndGet(nanosEach);
            committed.incrementAndGet();
            reporter.blockCommitted(committed.get(), "h", messages, 0, 0);
            reporter.nodeHeight(tip); // the next poll
        }
    }

    private List<String> messages() {
        return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void progressLinesAtTheIntervalThenCaughtUpAndFellBehindOnceEach() {
        reporter.nodeHeight(1_000); // before start-up: nothing known about our height
        assertThat(messages()).isEmpty();

        committed.set(99); // start-up resolved: next block 100
        reporter.nodeHeight(1_000);
        assertThat(messages()).containsExactly(
                "catching up: height 99, node tip 1000, lag 901 blocks; progress every 10s");

        // 200 blocks of 3 messages, one every 50 ms: a line at 10 s (blocks 100..299)
        commit(200, 3, SECOND / 20, 1_000);
        assertThat(messages()).hasSize(2);
        assertThat(messages().get(1)).isEqualTo(
                "progress: height 299, node tip 1000, lag 701 blocks, 20.0 blocks/s, 60.0 messages/s, ETA 35s");
        assertThat(lines.list.get(1).getLevel()).isEqualTo(Level.INFO);

        // slower: 50 blocks of 1 message in 10 s, the tip moves on to 1010
        commit(50, 1, SECOND / 5, 1_010);
        assertThat(messages()).hasSize(3);
        assertThat(messages().get(2)).isEqualTo(
                "progress: height 349, node tip 1010, lag 661 blocks, 5.0 blocks/s, 5.0 messages/s, ETA 2m12s");

        // nothing more than one line per interval: 5 s of blocks
        commit(25, 1, SECOND / 5, 1_010);
        assertThat(messages()).hasSize(3);

        // the rest up to the tip (1010 - 374 = 636 blocks, 10 per second): one line per 10 s, then caught up
        commit(636, 0, SECOND / 10, 1_010);
        List<String> all = messages();
        assertThat(all.stream().filter(l -> l.startsWith("progress:")).count()).isEqualTo(2 + 6);
        assertThat(all.get(all.size() - 1)).isEqualTo(
                "caught up: height 1010 is the node's tip (911 blocks in 1m29s, 10.3 blocks/s)");

        // new blocks one at a time, and a lag of up to 3: no line (hysteresis)
        int before = messages().size();
        commit(1, 2, SECOND, 1_011);
        reporter.nodeHeight(1_014);
        commit(3, 0, SECOND, 1_014);
        clock.addAndGet(60 * SECOND);
        reporter.nodeHeight(1_014);
        assertThat(messages()).hasSize(before);

        // a lag of 4: fell behind, once; then progress lines again, and caught up again, once
        reporter.nodeHeight(1_018);
        reporter.nodeHeight(1_018);
        assertThat(messages()).hasSize(before + 1);
        assertThat(messages().get(before)).isEqualTo(
                "fell behind: height 1014, node tip 1018, lag 4 blocks (more than 3); progress every 10s");
        commit(4, 0, 5 * SECOND, 1_018);
        assertThat(messages().subList(before + 1, messages().size())).containsExactly(
                "progress: height 1016, node tip 1018, lag 2 blocks, 0.2 blocks/s, 0.0 messages/s, ETA 10s",
                "caught up: height 1018 is the node's tip (4 blocks in 20s, 0.2 blocks/s)");
        assertThat(messages().stream().filter(l -> l.startsWith("caught up")).count()).isEqualTo(2);
        assertThat(messages().stream().filter(l -> l.startsWith("fell behind")).count()).isEqualTo(1);
    }

    @Test
    void aFollowerStartingAtTheTipSaysCaughtUpOnceAndNoProgress() {
        committed.set(500);
        for (int i = 0; i < 10; i++) {
            clock.addAndGet(30 * SECOND);
            reporter.nodeHeight(500);
        }
        assertThat(messages()).containsExactly("caught up: height 500 is the node's tip");
    }

    @Test
    void durationsAreShort() {
        assertThat(ProgressReporter.duration(0)).isEqualTo("0s");
        assertThat(ProgressReporter.duration(59 * SECOND)).isEqualTo("59s");
        assertThat(ProgressReporter.duration(61 * SECOND)).isEqualTo("1m01s");
        assertThat(ProgressReporter.duration(7_380 * SECOND)).isEqualTo("2h03m");
    }
}
