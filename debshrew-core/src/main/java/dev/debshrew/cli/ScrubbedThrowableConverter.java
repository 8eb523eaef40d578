package dev.debshrew.cli;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import dev.debshrew.util.Secrets;

/**
 * Logback {@code %ex} that passes every stack trace (messages of the exception and its causes)
 * through {@link Secrets#scrub}. Installed by {@code logback.xml}.
 */
public final class ScrubbedThrowableConverter extends ThrowableProxyConverter {

    @Override
    protected String throwableProxyToString(IThrowableProxy tp) {
        return Secrets.scrub(super.throwableProxyToString(tp));
    }
}
