package dev.debshrew.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.config.LogOptions;
import java.util.Iterator;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Applies the logging options to the logback configuration of {@code logback.xml} (logs go to
 * stderr): {@code log_level} for debshrew's own loggers, {@code log_levels} per logger,
 * {@code log_rate_limit} to the {@link LogRateLimit} filter, and {@code log_format: json} by
 * replacing the encoder of every console/file appender of the root logger with a {@link JsonLogEncoder}.
 */
final class Logging {
    private Logging() {
    }

    static void setLevel(String level) {
        Logger logger = (Logger) LoggerFactory.getLogger("dev.debshrew");
        logger.setLevel(Level.toLevel(level, Level.INFO));
    }

    /** Applies {@code log_level}, {@code log_levels}, {@code log_rate_limit} and {@code log_format} of {@code cfg}. */
    static void configure(DebshrewConfig cfg) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
            configure(ctx, cfg.logLevel(), cfg.logOptions());
        }
    }

    /** Applies the options to {@code ctx} (the process's logback context, or a test's). */
    static void configure(LoggerContext ctx, String level, LogOptions options) {
        ctx.getLogger("dev.debshrew").setLevel(Level.toLevel(level, Level.INFO));
        for (Map.Entry<String, String> e : options.levels().entrySet()) {
            ctx.getLogger(e.getKey()).setLevel(Level.toLevel(e.getValue(), Level.INFO));
        }
        ctx.getTurboFilterList().stream().filter(LogRateLimit.class::isInstance).map(LogRateLimit.class::cast)
                .forEach(f -> f.setLinesPerMinute(options.rateLimit()));
        if ("json".equals(options.format())) {
            Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
            for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
                if (it.next() instanceof OutputStreamAppender<ILoggingEvent> out
                        && !(out.getEncoder() instanceof JsonLogEncoder)) {
                    Encoder<ILoggingEvent> json = new JsonLogEncoder();
                    json.setContext(ctx);
                    json.start();
                    out.setEncoder(json);
                }
            }
        }
    }
}
