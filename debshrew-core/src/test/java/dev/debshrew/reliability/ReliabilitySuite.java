package dev.debshrew.reliability;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Marks a test class of the reliability suite: tagged {@code reliability} and run only when
 * {@code -Ddebshrew.reliability=quick|full} is set (scripts/reliability.sh), never by a plain
 * {@code mvn verify}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("reliability")
@EnabledIfSystemProperty(named = "debshrew.reliability", matches = "quick|full",
        disabledReason = "the reliability suite runs with scripts/reliability.sh")
public @interface ReliabilitySuite {
}
