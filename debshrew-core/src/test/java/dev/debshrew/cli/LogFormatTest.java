package dev.debshrew.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.config.ConfigException;
import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.config.LogOptions;
import dev.debshrew.util.Secrets;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 item 2: the shipped text layout has ISO-8601 timestamps with date and zone;
 * {@code log_format: json} writes one JSON object per line with the MDC fields pipeline and height,
 * secrets scrubbed as in the text layout; {@code log_levels} sets third-party levels (quiet by default).
 */
class LogFormatTest {

    static LoggerContext shipped() throws Exception {
        LoggerContext ctx = new LoggerContext();
        JoranConfigurator jc = new JoranConfigurator();
        jc.setContext(ctx);
        jc.doConfigure(LogFormatTest.class.getClassLoader().getResource("logback.xml"));
        return ctx;
    }

    private static String encode(LoggerContext ctx, LoggingEvent event) {
        @SuppressWarnings("unchecked")
        OutputStreamAppender<ILoggingEvent> appender =
                (OutputStreamAppender<ILoggingEvent>) ctx.getLogger("ROOT").getAppender("STDERR");
        return new String(appender.getEncoder().encode(event), StandardCharsets.UTF_8);
    }

    private static LogOptions options(String json) throws ConfigException {
        return DebshrewConfig.fromJson(parse("{\"transform\": {\"path\": \"t.wasm\"}, " + json + "}"), "test")
                .logOptions();
    }

    private static JsonNode parse(String json) {
        try {
            return CdcCodec.mapper().readTree(json);
        } catch (Exception e) {
            throw new AssertionError(json, e);
        }
    }

    @Test
    void defaultLayoutHasIsoTimestampsWithDateAndZone() throws Exception {
        LoggerContext ctx = shipped();
        String line = encode(ctx, new LoggingEvent("t", ctx.getLogger("dev.debshrew.x"), Level.INFO, "hello", null,
                null));
        ctx.stop();
        assertThat(line).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2}) INFO"
                + "  \\[main] dev\\.debshrew\\.x - hello\\R");
    }

    @Test
    void jsonLogFormatWritesOneObjectPerLineWithMdcFieldsAndScrubbedSecrets() throws Exception {
        String registered = "JsonLogSecret-6d1f0a";
        Secrets.register(registered);
        LoggerContext ctx = shipped();
        Logging.configure(ctx, "info", options("\"log_format\": \"json\""));
        LoggingEvent event = new LoggingEvent("t", ctx.getLogger("dev.debshrew.follow.BlockFollower"), Level.WARN,
                "node {} said \"{}\"\nsecond line", new IllegalStateException("via http://u:UrlPw-81aa@db/x " + registered),
                new Object[] {"http://alice:MsgPw-2c9e@gw:1/", registered});
        event.setThreadName("debshrew-follower");
        event.setMDCPropertyMap(Map.of("pipeline", "txindex", "height", "840123"));
        String line = encode(ctx, event);
        ctx.stop();

        assertThat(line).endsWith("\n");
        assertThat(line.strip()).doesNotContain("\n"); // one line: newlines of message and trace are escaped
        JsonNode n = parse(line);
        assertThat(n.path("timestamp").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2})");
        assertThat(n.path("level").asText()).isEqualTo("WARN");
        assertThat(n.path("logger").asText()).isEqualTo("dev.debshrew.follow.BlockFollower");
        assertThat(n.path("thread").asText()).isEqualTo("debshrew-follower");
        assertThat(n.path("message").asText()).isEqualTo("node http://***@gw:1/ said \"***\"\nsecond line");
        assertThat(n.path("exception").asText()).contains("IllegalStateException: via http://***@db/x ***")
                .contains("at dev.debshrew.cli.LogFormatTest");
        assertThat(n.path("pipeline").asText()).isEqualTo("txindex");
        assertThat(n.path("height").isIntegralNumber()).isTrue();
        assertThat(n.path("height").asLong()).isEqualTo(840_123L);
        assertThat(line).doesNotContain("UrlPw-81aa").doesNotContain("MsgPw-2c9e").doesNotContain(registered);
    }

    @Test
    void thirdPartyLoggersAreAtWarnUnlessLogLevelsSaysOtherwise() throws Exception {
        LoggerContext ctx = shipped();
        Logging.configure(ctx, "debug", LogOptions.defaults());
        assertThat(ctx.getLogger("org.apache.kafka.clients.NetworkClient").isInfoEnabled()).isFalse();
        assertThat(ctx.getLogger("org.postgresql.Driver").isInfoEnabled()).isFalse();
        assertThat(ctx.getLogger("com.zaxxer.hikari.pool.HikariPool").isWarnEnabled()).isTrue();
        assertThat(ctx.getLogger("dev.debshrew.follow.BlockFollower").isDebugEnabled()).isTrue();

        Logging.configure(ctx, "warn", options("\"log_levels\": {\"org.apache.kafka\": \"INFO\", \"okhttp3\": \"off\"}"));
        assertThat(ctx.getLogger("org.apache.kafka.clients.NetworkClient").isInfoEnabled()).isTrue();
        assertThat(ctx.getLogger("okhttp3.OkHttpClient").isErrorEnabled()).isFalse();
        assertThat(ctx.getLogger("dev.debshrew.follow.BlockFollower").isInfoEnabled()).isFalse();
        ctx.stop();
    }

    @Test
    void badLogOptionsAreRejectedNamingTheKey() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> options("\"log_levels\": {\"org.apache.kafka\": \"loud\"}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("option 'log_levels.org.apache.kafka'").hasMessageContaining("'loud'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> options("\"log_format\": \"xml\""))
                .isInstanceOf(ConfigException.class).hasMessageContaining("option 'log_format'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> options("\"progress_interval_s\": 0"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("option 'progress_interval_s'");
    }
}
