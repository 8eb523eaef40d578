package dev.debshrew.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Journal records name the module that produced their block (version 2), and version 1 records still read. */
class JournalRecordsModuleTest {

    private static final String SHA = "ab".repeat(32);

    @Test
    void theModuleRoundTrips() throws Exception {
        JournalEntry e = new JournalEntry(7, "h7", "h6", List.of(), List.of(new StateUndo(new byte[] {1}, null)), SHA);
        byte[] record = JournalRecords.encode(e);
        assertThat(record[4]).as("version").isEqualTo((byte) 2);
        JournalEntry back = JournalRecords.decode(7, record);
        assertThat(back.module()).isEqualTo(SHA);
        assertThat(back.undo()).hasSize(1);
        assertThat(back.undo().get(0).key()).containsExactly(1);
        JournalEntry unknown = new JournalEntry(7, "h7", "h6", List.of(), List.of());
        assertThat(JournalRecords.decode(7, JournalRecords.encode(unknown)).module()).isNull();
    }

    @Test
    void aVersion1RecordReadsWithoutModule() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0);
        out.writeByte(1);
        out.writeLong(5);
        for (String s : new String[] {"h5", "h4"}) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.writeInt(b.length);
            out.write(b);
        }
        out.writeInt(0); // messages
        out.writeInt(0); // undo records
        byte[] record = bytes.toByteArray();
        ByteBuffer.wrap(record).putInt(0, JournalRecords.crc(record));
        JournalEntry e = JournalRecords.decode(5, record);
        assertThat(e.hash()).isEqualTo("h5");
        assertThat(e.module()).isNull();

        record[4] = 3;
        ByteBuffer.wrap(record).putInt(0, JournalRecords.crc(record));
        assertThatThrownBy(() -> JournalRecords.decode(5, record)).hasMessageContaining("unknown record version 3");
    }
}
