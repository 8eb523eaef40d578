package dev.debshrew.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.transform.TransformLimits;
import org.junit.jupiter.api.Test;

/** Issue 9, item 8: {@code transform.max_state_bytes} reaches the transform's limits, with its default and validation. */
class TransformStateLimitConfigTest {

    private static DebshrewConfig parse(String transform) throws Exception {
        return DebshrewConfig.fromJson(CdcCodec.mapper().readTree("{\"transform\":{\"path\":\"t.wasm\"" + transform + "}}"),
                "test.json");
    }

    @Test
    void maxStateBytesIsReadWithA64MiBDefaultAndValidated() throws Exception {
        assertThat(parse("").transformLimits().maxStateBytes())
                .isEqualTo(TransformLimits.DEFAULT_MAX_STATE_BYTES).isEqualTo(64L * 1024 * 1024);
        assertThat(parse(",\"max_state_bytes\":1048576").transformLimits().maxStateBytes()).isEqualTo(1_048_576);
        assertThatThrownBy(() -> parse(",\"max_state_bytes\":0")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("transform.max_state_bytes");
    }
}
