package dev.debshrew.config;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigOptionSecretTest {

    @Test
    void secretOptionErrorsNameTheTypeNeverTheValue() {
        ConfigOption<String> password = ConfigOption.string("password").secret().doc("a password").build();
        assertThatThrownBy(() -> password.get(Map.of("password", 90817263544L), "test sink"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("option 'password'").hasMessageContaining("long ***")
                .hasMessageNotContaining("90817263544");
        ConfigOption<String> checked = ConfigOption.string("token").secret().validate(s -> s.length() > 40, "too short")
                .doc("a token").build();
        assertThatThrownBy(() -> checked.get(Map.of("token", "TokenValue-11"), "test"))
                .hasMessageContaining("too short").hasMessageNotContaining("TokenValue-11");
    }

    @Test
    void quotedValuesAreScrubbed() {
        ConfigOption<String> url = ConfigOption.string("url").validate(s -> s.startsWith("jdbc:"), "must start with jdbc:")
                .doc("a URL").build();
        assertThatThrownBy(() -> url.get(Map.of("url", "postgres://u:UrlPw-4242@db/x"), "test"))
                .hasMessageContaining("must start with jdbc:").hasMessageContaining("postgres://***@db")
                .hasMessageNotContaining("UrlPw-4242");
    }
}
