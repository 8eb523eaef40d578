package dev.debshrew.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Marker;

/**
 * Logback turbo filter bounding the lines of third-party loggers (any logger outside
 * {@code dev.debshrew}): each may write at most {@link #setLinesPerMinute linesPerMinute} lines per
 * minute; past that, one WARN line says its lines are suppressed until the minute ends, and the
 * first line of a later minute is preceded by one WARN line counting what was dropped. A Kafka
 * client warning every second while its broker is down thus writes a bounded number of lines.
 * Installed by {@code logback.xml}; the limit comes from {@code log_rate_limit} (0: no limit).
 */
public final class LogRateLimit extends TurboFilter {

    /** The length of one counting window. */
    public static final Duration WINDOW = Duration.ofMinutes(1);

    /** The logger of the filter's own notices (exempt from the limit). */
    public static final String NOTICES = "dev.debshrew.log";

    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private volatile int linesPerMinute = 10;
    private volatile LongSupplier nanoClock = System::nanoTime;

    /** Most lines per minute of one third-party logger; 0 disables the limit. */
    public void setLinesPerMinute(int linesPerMinute) {
        if (linesPerMinute < 0) {
            throw new IllegalArgumentException("linesPerMinute must be >= 0, got " + linesPerMinute);
        }
        this.linesPerMinute = linesPerMinute;
    }

    public int getLinesPerMinute() {
        return linesPerMinute;
    }

    /** The monotonic clock (nanoseconds) the windows are measured with; a fake one in tests. */
    public void setClock(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        int limit = linesPerMinute;
        if (limit == 0 || logger == null || level == null || (format == null && t == null)
                || logger.getName().startsWith("dev.debshrew") || !level.isGreaterOrEqual(logger.getEffectiveLevel())) {
            return FilterReply.NEUTRAL; // our own loggers, disabled levels and isXxxEnabled() checks are not counted
        }
        Window w = windows.computeIfAbsent(logger.getName(), k -> new Window());
        long now = nanoClock.getAsLong();
        long dropped;
        boolean first;
        synchronized (w) {
            dropped = 0;
            if (now - w.start >= WINDOW.toNanos() || !w.started) {
                dropped = w.suppressed;
                w.started = true;
                w.start = now;
                w.lines = 0;
                w.suppressed = 0;
            }
            w.lines++;
            if (w.lines > limit) {
                w.suppressed++;
                first = w.lines == limit + 1;
                if (!first) {
                    return FilterReply.DENY;
                }
            } else {
                first = false;
            }
        }
        Logger notices = logger.getLoggerContext().getLogger(NOTICES);
        if (dropped > 0) {
            notices.warn("{}: suppressed {} line(s) in the last minute (log_rate_limit {} per minute)",
                    logger.getName(), dropped, limit);
        }
        if (first) {
            notices.warn("{}: more than {} lines in a minute; suppressing its lines for the rest of the minute"
                    + " (log_rate_limit)", logger.getName(), limit);
            return FilterReply.DENY;
        }
        return FilterReply.NEUTRAL;
    }

    private static final class Window {
        boolean started;
        long start;
        long lines;
        long suppressed;
    }
}
