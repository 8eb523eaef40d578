package dev.debshrew.journal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * A full check of the journal column family and the stored tip: every record's checksum and
 * decoding, its key, the contiguity of heights and the parent links, and the tip in the metadata.
 * Used at open (the window is small) and by {@link JournalTool}.
 */
final class JournalScan {

    /** One journal record as found on disk: the decoded entry, or what is wrong with it. */
    record RecordStatus(long height, int sizeBytes, JournalEntry entry, String problem) {
        boolean ok() {
            return problem == null;
        }
    }

    /** A problem found by the scan; {@code height} is empty for store-wide problems. */
    record Problem(OptionalLong height, String what) {
        JournalCorruptedException toException(Path dataDir) {
            return new JournalCorruptedException(dataDir, height, what);
        }

        @Override
        public String toString() {
            return (height.isPresent() ? "height " + height.getAsLong() + ": " : "") + what;
        }
    }

    final List<RecordStatus> records;
    final List<Problem> problems;
    /** The decoded window, oldest first (meaningful only when {@link #problems} is empty). */
    final List<JournalEntry> window;

    private JournalScan(List<RecordStatus> records, List<Problem> problems, List<JournalEntry> window) {
        this.records = Collections.unmodifiableList(records);
        this.problems = Collections.unmodifiableList(problems);
        this.window = Collections.unmodifiableList(window);
    }

    boolean clean() {
        return problems.isEmpty();
    }

    static JournalScan run(RocksHandles h) throws RocksDBException {
        List<RecordStatus> records = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        List<JournalEntry> window = new ArrayList<>();
        JournalEntry previous = null;
        long previousHeight = -1;
        try (RocksIterator it = h.db.newIterator(h.journal)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] key = it.key();
                byte[] value = it.value();
                long height;
                try {
                    height = JournalRecords.height(key);
                } catch (JournalRecords.BadRecordException e) {
                    records.add(new RecordStatus(-1, value.length, null, e.getMessage()));
                    problems.add(new Problem(OptionalLong.empty(), e.getMessage()));
                    continue;
                }
                JournalEntry entry;
                try {
                    entry = JournalRecords.decode(height, value);
                } catch (JournalRecords.BadRecordException e) {
                    records.add(new RecordStatus(height, value.length, null, e.getMessage()));
                    problems.add(new Problem(OptionalLong.of(height), e.getMessage()));
                    previous = null;
                    previousHeight = height;
                    continue;
                }
                String linkProblem = null;
                if (previousHeight >= 0 && height != previousHeight + 1) {
                    linkProblem = "gap in the journal: the previous record is height " + previousHeight;
                } else if (previous != null && !entry.parentHash().equals(previous.hash())) {
                    linkProblem = "parent hash " + entry.parentHash() + " does not match the hash " + previous.hash()
                            + " of the record at height " + previous.height();
                }
                records.add(new RecordStatus(height, value.length, entry, linkProblem));
                if (linkProblem != null) {
                    problems.add(new Problem(OptionalLong.of(height), linkProblem));
                }
                window.add(entry);
                previous = entry;
                previousHeight = height;
            }
            it.status();
        }

        byte[] tip = h.db.get(h.meta, RocksHandles.META_TIP);
        Optional<RecordStatus> last = records.isEmpty() ? Optional.empty() : Optional.of(records.get(records.size() - 1));
        if (tip == null) {
            if (last.isPresent()) {
                problems.add(new Problem(OptionalLong.empty(), "the metadata has no tip but the journal holds records up to"
                        + " height " + last.get().height()));
            }
        } else if (tip.length < 8) {
            problems.add(new Problem(OptionalLong.empty(), "the stored tip is malformed (" + tip.length + " bytes)"));
        } else {
            long tipHeight = ByteBuffer.wrap(tip).getLong();
            String tipHash = new String(tip, 8, tip.length - 8, StandardCharsets.UTF_8);
            if (last.isEmpty()) {
                problems.add(new Problem(OptionalLong.of(tipHeight), "the metadata names tip " + tipHeight + ":" + tipHash
                        + " but the journal is empty"));
            } else if (last.get().height() != tipHeight
                    || (last.get().entry() != null && !last.get().entry().hash().equals(tipHash))) {
                RecordStatus l = last.get();
                problems.add(new Problem(OptionalLong.of(tipHeight), "the metadata names tip " + tipHeight + ":" + tipHash
                        + " but the newest journal record is " + l.height()
                        + (l.entry() != null ? ":" + l.entry().hash() : "")));
            }
        }
        return new JournalScan(records, problems, window);
    }
}
