package dev.debshrew.metashrew;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetashrewClientConfigTest {

    @Test
    void defaults() {
        MetashrewClientConfig c = MetashrewClientConfig.builder("http://node:8080/rpc/x").build();
        assertThat(c.url()).isEqualTo("http://node:8080/rpc/x");
        assertThat(c.versionLine()).isEqualTo(VersionLine.AUTO);
        assertThat(c.readTimeout()).isGreaterThanOrEqualTo(Duration.ofSeconds(60));
        assertThat(c.maxRetries()).isEqualTo(5);
        assertThat(c.headers()).isEmpty();
    }

    @Test
    void validation() {
        assertThatThrownBy(() -> MetashrewClientConfig.builder(null)).hasMessageContaining("url is required");
        assertThatThrownBy(() -> MetashrewClientConfig.builder("ftp://x/")).hasMessageContaining("http:// or https://");
        assertThatThrownBy(() -> MetashrewClientConfig.builder("http://")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MetashrewClientConfig.builder("http://a b/")).hasMessageContaining("not a valid URI");
        MetashrewClientConfig.Builder b = MetashrewClientConfig.builder("https://x/");
        assertThatThrownBy(() -> b.connectTimeout(Duration.ZERO)).hasMessageContaining("connectTimeout must be positive");
        assertThatThrownBy(() -> b.readTimeout(Duration.ofSeconds(-1))).hasMessageContaining("readTimeout");
        assertThatThrownBy(() -> b.maxRetries(-1)).hasMessageContaining("maxRetries");
        assertThatThrownBy(() -> b.backoffMultiplier(0.5)).hasMessageContaining("backoffMultiplier");
        assertThatThrownBy(() -> b.backoffJitter(1.5)).hasMessageContaining("backoffJitter");
        assertThatThrownBy(() -> b.basicAuth("a:b", "c")).hasMessageContaining("':'");
        assertThatThrownBy(() -> b.header("Content-Type", "text/plain")).hasMessageContaining("cannot be configured");
        assertThatThrownBy(() -> b.header("X-A", "a\nb")).hasMessageContaining("invalid value");
        assertThatThrownBy(() -> b.backoffInitial(Duration.ofSeconds(5)).backoffMax(Duration.ofSeconds(1)).build())
                .hasMessageContaining("backoffMax");
        assertThat(MetashrewClientConfig.builder("https://x/").headers(Map.of("X-Api-Key", "k")).build().headers())
                .containsEntry("X-Api-Key", "k");
    }

    @Test
    void versionLineParsing() {
        assertThat(VersionLine.parse("rc11")).isEqualTo(VersionLine.RC11);
        assertThat(VersionLine.parse(" Current ")).isEqualTo(VersionLine.CURRENT);
        assertThatThrownBy(() -> VersionLine.parse("v9")).hasMessageContaining("v8, rc, rc11, current, auto");
        assertThat(VersionLine.V8.heightIsNext()).isTrue();
        assertThat(VersionLine.RC.viewHeightAsString()).isFalse();
        assertThat(VersionLine.RC11.viewHeightAsString()).isTrue();
    }
}
