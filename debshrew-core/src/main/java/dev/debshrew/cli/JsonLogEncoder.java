package dev.debshrew.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.debshrew.util.Secrets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Set;

/**
 * Logback encoder writing one JSON object per line ({@code log_format: json}): {@code timestamp}
 * (ISO-8601 with date, milliseconds and offset), {@code level}, {@code logger}, {@code thread},
 * {@code message}, {@code exception} (the stack trace, when there is one), then each MDC field
 * ({@code pipeline}; {@code height} as a number). Message and stack trace are scrubbed of
 * credentials ({@link Secrets#scrub}), like the text layout's.
 */
public final class JsonLogEncoder extends EncoderBase<ILoggingEvent> {

    private static final JsonFactory JSON = new JsonFactory();
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    private static final Set<String> FIXED = Set.of("timestamp", "level", "logger", "thread", "message", "exception");
    private static final byte[] NONE = new byte[0];

    private final ZoneId zone;

    /** An encoder writing timestamps in the JVM's default time zone. */
    public JsonLogEncoder() {
        this(ZoneId.systemDefault());
    }

    /** An encoder writing timestamps in {@code zone}. */
    public JsonLogEncoder(ZoneId zone) {
        this.zone = zone;
    }

    @Override
    public byte[] headerBytes() {
        return NONE;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("timestamp", TIMESTAMP.format(Instant.ofEpochMilli(event.getTimeStamp()).atZone(zone)));
            g.writeStringField("level", event.getLevel().toString());
            g.writeStringField("logger", event.getLoggerName());
            g.writeStringField("thread", event.getThreadName());
            g.writeStringField("message", Secrets.scrub(event.getFormattedMessage()));
            IThrowableProxy tp = event.getThrowableProxy();
            if (tp != null) {
                g.writeStringField("exception", Secrets.scrub(ThrowableProxyUtil.asString(tp)));
            }
            Map<String, String> mdc = event.getMDCPropertyMap();
            if (mdc != null) {
                for (Map.Entry<String, String> e : mdc.entrySet()) {
                    if (FIXED.contains(e.getKey()) || e.getValue() == null) {
                        continue;
                    }
                    if (e.getKey().equals("height") && e.getValue().matches("-?\\d{1,18}")) {
                        g.writeNumberField("height", Long.parseLong(e.getValue()));
                    } else {
                        g.writeStringField(e.getKey(), Secrets.scrub(e.getValue()));
                    }
                }
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    @Override
    public byte[] footerBytes() {
        return NONE;
    }
}
