package dev.debshrew.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void growsExponentiallyUpToTheCap() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 2.0, 0);
        assertThat(b.delay(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(b.delay(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(b.delay(4)).isEqualTo(Duration.ofMillis(800));
        assertThat(b.delay(5)).isEqualTo(Duration.ofSeconds(1));
        assertThat(b.delay(500)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void jitterStaysWithinItsBand() {
        Backoff b = new Backoff(Duration.ofMillis(1000), Duration.ofSeconds(10), 2.0, 0.2);
        for (int i = 0; i < 1000; i++) {
            assertThat(b.delay(1).toMillis()).isBetween(800L, 1200L);
        }
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), 0.5, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
