package dev.debshrew.follow;

import dev.debshrew.follow.SinkFanOut.SinkState;
import dev.debshrew.journal.ChainStore;
import dev.debshrew.journal.JournalEntry;
import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.metashrew.MetashrewException;
import dev.debshrew.sink.Cursor;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a (re)started pipeline begins: after the store's tip when its journal has blocks (each
 * sink's cursor must be on the store's chain), after its base when the journal was emptied, after
 * the sinks' cursor with an empty in-memory store, else at {@code start_height} or the node's tip.
 * Refuses, naming what to do, when the store and the sinks do not belong together.
 */
final class StartPosition {

    private static final Logger log = LoggerFactory.getLogger(StartPosition.class);

    private final ChainStore store;
    private final MetashrewClient node;
    private final FollowerSettings settings;
    private final List<SinkState> sinks;

    StartPosition(ChainStore store, MetashrewClient node, FollowerSettings settings, List<SinkState> sinks) {
        this.store = store;
        this.node = node;
        this.settings = settings;
        this.sinks = sinks;
    }

    /**
     * Brings every sink in line with the store and returns the first height to process. The store
     * is never behind a sink (it commits first); a sink that is behind the store (a crash between
     * the two commits, or a sink that failed while others went on) receives the missing blocks
     * from the journal, exactly as they were computed.
     */
    long resolve() throws MetashrewException, PipelineException {
        Optional<JournalEntry> tip = store.tip();
        if (tip.isEmpty()) {
            Optional<Cursor> base = store.base();
            return base.isPresent() ? startAtBase(base.get()) : startWithEmptyStore();
        }
        JournalEntry t = tip.get();
        for (SinkState s : sinks) {
            if (s.cursor == null) {
                if (s.sink.keepsCursor() && journalHoldsEverySinceStart()) {
                    // a crash after the store committed the first group, before this sink did
                    log.info("sink {} has no cursor yet; the journal holds every block since start_height {}: it will"
                            + " receive them", s.sink.name(), settings.startHeight());
                } else if (s.sink.keepsCursor()) {
                    throw new PipelineException("the sink " + s.sink.name() + " has no cursor but the state store has"
                            + " blocks up to " + t.height() + "; the data directory belongs to another output."
                            + " Use a fresh data directory for a new sink, or re-sync (docs/operations.md)");
                }
                continue;
            }
            checkOnStoreChain(s, t);
        }
        checkStartHeight(t.height() + 1, "the state store's tip " + t.height() + " (" + t.hash() + ")");
        log.info("resuming after block {} ({})", t.height(), t.hash());
        return t.height() + 1;
    }

    /**
     * Whether the journal still holds the first block this pipeline ever committed (at
     * {@code start_height}), so a sink that never committed can receive everything from it.
     */
    boolean journalHoldsEverySinceStart() {
        List<JournalEntry> window = store.window();
        return settings.startHeight() != null && !window.isEmpty()
                && window.get(0).height() == settings.startHeight();
    }

    /** Checks that a sink's cursor is a block of the store's chain (the journal or its parent). */
    void checkOnStoreChain(SinkState s, JournalEntry tip) throws PipelineException {
        Cursor c = s.cursor;
        List<JournalEntry> window = store.window();
        JournalEntry oldest = window.get(0);
        boolean onChain = c.height() >= oldest.height() && c.height() <= tip.height()
                ? store.entry(c.height()).map(e -> e.hash().equals(c.hash())).orElse(false)
                : c.height() == oldest.height() - 1 && c.hash().equals(oldest.parentHash());
        if (!onChain) {
            throw new PipelineException("the sink " + s.sink.name() + " cursor " + c + " is not on the state store's"
                    + " chain (journal " + oldest.height() + ".." + tip.height() + ", tip " + tip.hash() + "): the"
                    + (c.height() > tip.height() ? " store is behind the sink" : " sink is behind the journal window")
                    + "; the data directory does not belong to this output. Restore the matching data directory,"
                    + " or re-sync (docs/operations.md)");
        }
        if (c.height() < tip.height()) {
            log.info("sink {} is at {}, behind the state store's tip {}; it will catch up from the journal",
                    s.sink.name(), c, tip.height());
        }
    }

    /** Checks that every sink with a cursor is on the store's chain (before a rewind). */
    void checkSinksOnStoreChain(JournalEntry tip) throws PipelineException {
        for (SinkState s : sinks) {
            if (s.cursor != null) {
                checkOnStoreChain(s, tip);
            }
        }
    }

    /**
     * The journal is empty but the store has a base: every block above it was undone (a rewind, or
     * a reorg back to the window's base), and the state is the state as of the base block. The
     * sinks must be at the base too; the node must still have the base block, else the chain
     * changed below the window while the daemon was down.
     */
    private long startAtBase(Cursor base) throws MetashrewException, PipelineException {
        for (SinkState s : sinks) {
            if (s.cursor == null ? s.sink.keepsCursor() : !s.cursor.equals(base)) {
                throw new PipelineException("the sink " + s.sink.name() + (s.cursor == null ? " has no cursor"
                        : " cursor " + s.cursor + " is not") + " at the state store's base block " + base
                        + " (its journal is empty: the state is as of that block); the data directory does not belong"
                        + " to this output. Restore the matching data directory, or re-sync (docs/operations.md)");
            }
        }
        if (settings.startHeight() != null && base.height() == settings.startHeight() - 1) {
            // everything processed was undone (a reorg forking below start_height): nothing below it was used
            log.info("the state store's base {} is just below start_height: starting at {}", base,
                    settings.startHeight());
            return settings.startHeight();
        }
        String nodeHash = node.blockHash(base.height());
        if (!nodeHash.equals(base.hash())) {
            throw new DeepReorgException("chain reorganisation deeper than the reorg window of " + store.windowSize()
                    + " blocks: the state store's journal is empty and its base block " + base + " is not on the"
                    + " node's chain any more (the node has " + nodeHash + " at height " + base.height() + ")."
                    + " Stopping without emitting anything for the new branch."
                    + " Recovery: docs/operations.md#deep-reorgs; raise cache_size to survive deeper reorgs",
                    base.height(), base.height());
        }
        checkStartHeight(base.height() + 1, "the state store's base block " + base);
        log.info("resuming after the state store's base block {} (journal empty)", base);
        return base.height() + 1;
    }

    /**
     * {@code start_height} against where the output resumes ({@code resume}): equal or unset is fine;
     * given on the command line ({@code -b}) and different, or above {@code resume} (a gap in the
     * output) anyhow, it is refused naming every sink's cursor and the way to re-process. A
     * {@code start_height} below {@code resume} in the config file is the one the output started at.
     */
    private void checkStartHeight(long resume, String resumeAfter) throws PipelineException {
        Long h = settings.startHeight();
        if (h == null || h == resume || (h < resume && !settings.strictStartHeight())) {
            return;
        }
        StringBuilder cursors = new StringBuilder();
        for (SinkState s : sinks) {
            cursors.append(cursors.length() == 0 ? "" : ", ").append(s.sink.name()).append(" at ")
                    .append(s.cursor == null ? "no cursor" : s.cursor.toString());
        }
        throw new PipelineException("start height " + h + (settings.strictStartHeight() ? " (--start-height)"
                : " (start_height, above where the output is)") + " does not match the existing output: it resumes"
                + " at " + resume + ", after " + resumeAfter + " (sink cursors: " + cursors + "). A cursor is never"
                + " skipped or moved silently: to continue, drop " + (settings.strictStartHeight() ? "-b" :
                "start_height or set it to at most " + resume) + "; to re-process from a lower height, or to skip"
                + " ahead, see docs/operations.md#re-indexing-from-a-height (debshrew reindex, or a new output with a"
                + " fresh data directory)");
    }

    /** No durable state: the in-memory store, or a fresh data directory. */
    private long startWithEmptyStore() throws MetashrewException, PipelineException {
        Cursor c = null;
        for (SinkState s : sinks) {
            if (s.cursor == null) {
                continue;
            }
            if (c != null && !c.equals(s.cursor)) {
                throw new PipelineException("the sinks have different cursors (" + c + ", " + s.sink.name() + " at "
                        + s.cursor + ") and there is no journal to bring them in line; use the durable state store");
            }
            c = s.cursor;
        }
        if (c != null && settings.startHeight() != null && c.height() == settings.startHeight() - 1) {
            // everything emitted was undone (a reorg forking below start_height): nothing needs state
            log.info("sink cursor {} is just below start_height: starting at {}", c, settings.startHeight());
            return settings.startHeight();
        }
        if (c != null) {
            if (store.durable()) {
                throw new PipelineException("the sink(s) have committed up to " + c + " but the state store is empty;"
                        + " continuing would run the transform without its state."
                        + " Restore the data directory, or re-sync (docs/operations.md)");
            }
            String nodeHash = node.blockHash(c.height());
            if (!nodeHash.equals(c.hash())) {
                throw new DeepReorgException("the chain changed below the sink cursor " + c + " while the daemon was"
                        + " down (node has " + nodeHash + " at height " + c.height() + ") and the in-memory store"
                        + " has no journal to undo it; re-sync (docs/operations.md)", c.height(), c.height());
            }
            checkStartHeight(c.height() + 1, "the sink cursor " + c);
            log.warn("no durable state store: resuming after sink cursor {} with empty transform state", c);
            return c.height() + 1;
        }
        if (settings.startHeight() != null) {
            log.info("no cursor: starting at start_height {}", settings.startHeight());
            return settings.startHeight();
        }
        long nodeTip = node.height();
        long h = Math.max(0, settings.confirmedTip(nodeTip));
        if (settings.confirmations() > 1) {
            log.info("no cursor and no start_height: starting at {}, the node's tip {} less confirmations - 1",
                    h, nodeTip);
        } else {
            log.info("no cursor and no start_height: starting at the node's tip {}", h);
        }
        return h;
    }
}
