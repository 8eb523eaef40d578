package dev.debshrew.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import dev.debshrew.util.Secrets;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The shipped logback.xml scrubs every message and stack trace of credentials (issue 9 item 9). */
class ScrubbedLoggingTest {

    @Test
    void shippedLogLayoutMasksSecretsInMessagesAndStackTraces() throws Exception {
        String registered = "LogSecret-3b8e1f60c2a7";
        Secrets.register(registered);
        LoggerContext ctx = new LoggerContext();
        JoranConfigurator jc = new JoranConfigurator();
        jc.setContext(ctx);
        jc.doConfigure(getClass().getClassLoader().getResource("logback.xml"));
        @SuppressWarnings("unchecked")
        ConsoleAppender<ILoggingEvent> appender = (ConsoleAppender<ILoggingEvent>) ctx.getLogger("ROOT").getAppender("STDERR");
        LayoutWrappingEncoder<ILoggingEvent> encoder = (LayoutWrappingEncoder<ILoggingEvent>) appender.getEncoder();

        Exception cause = new IllegalStateException("connect to http://bob:UrlInTrace-77c1@db/x failed; token " + registered);
        LoggingEvent event = new LoggingEvent("test", ctx.getLogger("dev.debshrew.test"), Level.WARN,
                "node {} answered with password=PairSecret-55d2 and {}", new Exception("outer", cause),
                new Object[] {"http://alice:UrlInMsg-91f0@gw:1/", registered});
        String line = new String(encoder.encode(event), StandardCharsets.UTF_8);
        ctx.stop();

        assertThat(line).contains("node http://***@gw:1/ answered with password=***")
                .contains("IllegalStateException: connect to http://***@db/x failed")
                .doesNotContain("UrlInMsg-91f0").doesNotContain("PairSecret-55d2").doesNotContain("UrlInTrace-77c1")
                .doesNotContain(registered);
    }
}
