package dev.debshrew.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HexTest {
    @Test
    void encodesAndDecodesWithOptionalPrefix() {
        byte[] b = {0, 1, (byte) 0xab, (byte) 0xff};
        assertThat(Hex.encode(b)).isEqualTo("0001abff");
        assertThat(Hex.decode("0x0001ABff")).containsExactly(b);
        assertThat(Hex.decode("0x")).isEmpty();
        assertThat(Hex.strip0x("0Xab")).isEqualTo("ab");
    }

    @Test
    void rejectsOddLengthAndBadCharacters() {
        assertThatThrownBy(() -> Hex.decode("abc")).hasMessageContaining("odd length");
        assertThatThrownBy(() -> Hex.decode("zz")).hasMessageContaining("position 0");
    }
}
