package dev.debshrew.cli;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.debshrew.util.Secrets;

/**
 * Logback {@code %msg} that passes every formatted message through {@link Secrets#scrub}: the last
 * line of defence keeping credentials (URL user info, {@code password=} pairs, every configured
 * secret) out of the logs, also in messages from libraries. Installed by {@code logback.xml}.
 */
public final class ScrubbedMessageConverter extends MessageConverter {

    @Override
    public String convert(ILoggingEvent event) {
        return Secrets.scrub(super.convert(event));
    }
}
