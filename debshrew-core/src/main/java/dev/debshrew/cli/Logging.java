package dev.debshrew.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Applies the configured log level to debshrew's loggers (logs go to stderr, see logback.xml). */
final class Logging {
    private Logging() {
    }

    static void setLevel(String level) {
        Logger logger = (Logger) LoggerFactory.getLogger("dev.debshrew");
        logger.setLevel(Level.toLevel(level, Level.INFO));
    }
}
