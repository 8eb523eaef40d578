package dev.debshrew.transform;

import static dev.debshrew.transform.Fixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StateChangesTest {

    @Test
    void overlaySemantics() {
        StateChanges c = new StateChanges();
        assertThat(c.isEmpty()).isTrue();
        byte[] key = utf8("a");
        byte[] value = utf8("1");
        c.put(key, value);
        value[0] = 'X'; // copied on the way in
        key[0] = 'z';
        assertThat(c.get(utf8("a"))).asString().isEqualTo("1");
        assertThat(c.contains(utf8("a"))).isTrue();
        assertThat(c.isDeleted(utf8("a"))).isFalse();
        assertThat(c.contains(utf8("z"))).isFalse();

        c.put(utf8("b"), utf8("2"));
        c.delete(utf8("a"));
        assertThat(c.contains(utf8("a"))).isTrue();
        assertThat(c.isDeleted(utf8("a"))).isTrue();
        assertThat(c.get(utf8("a"))).isNull();
        assertThat(c.get(utf8("never"))).isNull();
        assertThat(c.isDeleted(utf8("never"))).isFalse();

        c.put(utf8("a"), utf8("3"));
        assertThat(c.size()).isEqualTo(2);
        assertThat(c.entries()).containsExactly(
                new StateChanges.Entry(utf8("a"), utf8("3")),
                new StateChanges.Entry(utf8("b"), utf8("2")));
        c.delete(utf8("b"));
        assertThat(c.entries().get(1).isDelete()).isTrue();
        assertThat(c.toString()).contains("61=33", "62 deleted");
        assertThatThrownBy(() -> c.entries().add(null)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> c.put(utf8("x"), null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void blockContextValidatesAndCopies() {
        byte[] hash = new byte[32];
        hash[0] = 7;
        BlockContext b = new BlockContext(10, hash);
        hash[0] = 8;
        assertThat(b.blockHash()[0]).isEqualTo((byte) 7);
        b.blockHash()[0] = 9;
        assertThat(b.blockHash()[0]).isEqualTo((byte) 7);
        assertThat(b).isEqualTo(new BlockContext(10, b.blockHash()));
        assertThat(BlockContext.of(10, b.blockHashHex())).isEqualTo(b);
        assertThat(b.toString()).contains("height=10", "0700");
        assertThatThrownBy(() -> new BlockContext(1, new byte[31])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> new BlockContext(-1, new byte[32])).isInstanceOf(IllegalArgumentException.class);
    }
}
