package dev.debshrew.sink.kafka;

import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.cdc.Operation;
import dev.debshrew.sink.BlockChange;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.Sink;
import dev.debshrew.sink.SinkBatch;
import dev.debshrew.sink.SinkException;
import dev.debshrew.sink.format.KeyFormat;
import dev.debshrew.sink.format.OutputFormat;
import dev.debshrew.sink.kafka.KafkaErrors.Kind;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes CDC messages to Kafka with exactly-once delivery.
 *
 * <p>One idempotent, transactional producer per pipeline ({@code transactional_id}), tuned for
 * throughput ({@link ProducerSettings}). Each {@link #commit(SinkBatch)} is one Kafka transaction
 * holding the records of all the batch's blocks and one cursor record
 * ({@code {"height":H,"hash":HEX}}, key = transactional id) in the compacted cursor topic, so the
 * data and the cursor become visible to {@code read_committed} consumers atomically.
 * {@link #open()} calls {@code initTransactions()}, which aborts whatever a previous instance left
 * unfinished and fences it, then reads the last committed cursor back.
 *
 * <p>Errors (classified by {@link KafkaErrors}): fencing, authorization, invalid configuration and
 * other fatal producer errors make the sink unusable and raise a non-retriable
 * {@link SinkException}; an oversized or otherwise unacceptable record raises a non-retriable one
 * (the transaction is aborted); transient and abortable errors (including a transaction the
 * coordinator aborted after {@code transaction.timeout.ms}) abort the transaction, or re-create the
 * producer when that fails, and raise a retriable one, after which the caller commits the same
 * batch again. {@link #open()} gives up after {@code open_timeout_ms} when the cluster does not answer
 * (retriable); after a failed open it may be called again. When a commit fails with an unknown
 * outcome the producer is re-created at the next commit, and if the cursor topic then shows that
 * the commit did land, the retried batch is recognised by its cursor and not written twice.
 *
 * <p>Used from a single thread, like every {@link Sink}.
 */
public final class KafkaSink implements Sink {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSink.class);
    private static final String OWNER = KafkaSinkConfig.OWNER;

    private enum State { NEW, OPEN, FAILED, CLOSED }

    private final KafkaSinkConfig config;
    private final OutputFormat format;
    private final KeyFormat keyFormat;
    private final byte[] cursorKey;
    private final Map<String, String> topicByTable = new HashMap<>();
    private final TopicCreator topics;
    private final AtomicReference<Exception> sendError = new AtomicReference<>();
    /**
     * Incremented whenever a transaction ends; send callbacks of an earlier transaction (records
     * failed because their transaction was aborted) are ignored.
     */
    private final AtomicLong generation = new AtomicLong();
    private Callback callback = newCallback();

    private State state = State.NEW;
    private String failure;
    private volatile Admin admin;
    private volatile Producer<byte[], byte[]> producer;
    private boolean inTransaction;
    private Optional<Cursor> committed = Optional.empty();
    /** The cursor of a batch whose commit outcome is unknown; resolved at the next commit. */
    private Cursor uncertainCommit;
    /** Test hook run right after a successful commitTransaction (to simulate a lost reply). */
    Runnable afterCommitForTest;
    /** Test hook run once every record of a batch is handed to the producer, before the cursor record. */
    Runnable afterRecordsForTest;

    public KafkaSink(KafkaSinkConfig config) {
        this.config = config;
        this.format = config.outputFormat();
        this.keyFormat = config.keyFormat();
        this.cursorKey = CursorTopic.key(config);
        this.topics = new TopicCreator(config, this::name);
    }

    /**
     * Builds a Kafka sink from its JSON config section (see {@link KafkaSinkConfig}).
     *
     * @throws IllegalArgumentException naming the offending option
     */
    public static KafkaSink create(Map<String, ?> config) {
        return new KafkaSink(KafkaSinkConfig.from(config));
    }

    public KafkaSinkConfig config() {
        return config;
    }

    @Override
    public String name() {
        return "kafka:" + (config.topicTemplate() != null ? config.topicTemplate() : config.topic())
                + "[" + config.transactionalId() + "]";
    }

    // ------------------------------------------------------------------ open

    @Override
    public Optional<Cursor> open() throws SinkException {
        if (state != State.NEW) {
            throw new IllegalStateException(name() + " was already opened");
        }
        if (config.transactionalIdDerived()) {
            LOG.info("{}: no transactional_id configured; using '{}', derived from client_id and the topic (set "
                    + "transactional_id to choose another)", name(), config.transactionalId());
        }
        try {
            admin = Admin.create(config.commonClientProperties());
            topics.ensure(admin, config.cursorTopic(), true);
            producer = newProducer();
            producer.initTransactions();
            committed = readCursor();
            state = State.OPEN;
            LOG.info("{}: opened, committed cursor {}", name(), committed.map(Cursor::toString).orElse("(none)"));
            return committed;
        } catch (KafkaException e) {
            SinkException se = error("opening (initTransactions)", e);
            releaseAll(Duration.ZERO);
            throw se;
        } catch (SinkException e) {
            releaseAll(Duration.ZERO);
            throw e;
        }
    }

    private Producer<byte[], byte[]> newProducer() {
        return new KafkaProducer<>(ProducerSettings.of(config));
    }

    private Optional<Cursor> readCursor() throws SinkException {
        return CursorTopic.read(admin, config, name());
    }

    // ------------------------------------------------------------------ commit

    /**
     * One Kafka transaction for the whole batch: every record is handed to the producer without
     * waiting (failures arrive in the send callbacks), then the cursor record, then one flush and
     * {@code commitTransaction}. A message's {@code index} is its position within its block.
     */
    @Override
    public void commit(SinkBatch batch) throws SinkException {
        ensureUsable();
        Cursor cursor = batch.cursor();
        if (recoverIfNeeded(cursor)) {
            return;
        }
        for (BlockChange block : batch.blocks()) {
            List<CdcMessage> messages = block.messages();
            for (int i = 0; i < messages.size(); i++) {
                sendRecord(messages.get(i), i);
            }
        }
        if (afterRecordsForTest != null) {
            afterRecordsForTest.run();
        }
        try {
            throwIfSendFailed("sending the batch's records");
            beginIfNeeded();
            producer.send(new ProducerRecord<>(config.cursorTopic(), 0, cursorKey, CursorTopic.value(cursor)), callback);
            producer.flush();
        } catch (KafkaException | IllegalStateException e) {
            throw failure("writing cursor " + cursor, e, null);
        }
        throwIfSendFailed("sending the batch's records");
        try {
            producer.commitTransaction();
            if (afterCommitForTest != null) {
                afterCommitForTest.run();
            }
        } catch (KafkaException | IllegalStateException e) {
            throw failure("committing the transaction of " + batch, e, cursor);
        }
        endTransaction();
        committed = Optional.of(cursor);
    }

    private void sendRecord(CdcMessage m, int idx) throws SinkException {
        throwIfSendFailed("sending");
        String topic = topicFor(m);
        byte[] key = keyFormat.keyBytes(m);
        byte[] value;
        try {
            value = format.encode(m, idx);
        } catch (RuntimeException e) {
            abortAfterRejection();
            throw new SinkException(OWNER + " " + name() + ": cannot serialise message " + describe(m)
                    + ": " + e.getMessage(), e, false);
        }
        int size = key.length + value.length;
        if (size > config.maxMessageBytes()) {
            abortAfterRejection();
            throw new SinkException(OWNER + " " + name() + ": message too large: " + describe(m) + " is "
                    + size + " bytes (key + value), above max_message_bytes = " + config.maxMessageBytes()
                    + "; the batch was not committed", null, false);
        }
        try {
            topics.ensure(admin, topic, false);
        } catch (SinkException e) {
            abortAfterRejection(); // the batch cannot complete; leave the sink ready to take it again
            throw e;
        }
        try {
            beginIfNeeded();
            producer.send(new ProducerRecord<>(topic, key, value), callback);
            if (config.tombstones() && m.payload().operation() == Operation.DELETE) {
                producer.send(new ProducerRecord<>(topic, key, null), callback);
            }
        } catch (KafkaException | IllegalStateException e) {
            throw failure("sending " + describe(m) + " to topic '" + topic + "'", e, null);
        }
    }

    private Callback newCallback() {
        long gen = generation.get();
        return (metadata, exception) -> {
            if (exception != null && generation.get() == gen) {
                sendError.compareAndSet(null, exception);
            }
        };
    }

    /** Marks the end of the current transaction (committed, aborted or abandoned). */
    private void endTransaction() {
        inTransaction = false;
        generation.incrementAndGet();
        sendError.set(null);
        callback = newCallback();
    }

    private void beginIfNeeded() {
        if (!inTransaction) {
            producer.beginTransaction();
            inTransaction = true;
        }
    }

    private void throwIfSendFailed(String what) throws SinkException {
        Exception e = sendError.get() == null ? null : sendError.getAndSet(null);
        if (e != null) {
            throw failure(what, e, null);
        }
    }

    private String topicFor(CdcMessage m) throws SinkException {
        if (config.topicTemplate() == null) {
            return config.topic();
        }
        String table = m.payload().table();
        String source = m.header().source();
        String topic = topicByTable.computeIfAbsent(table + '\u0000' + source,
                k -> TopicNames.expand(config.topicTemplate(), table, source));
        if (TopicNames.folded(topic).equals(TopicNames.folded(config.cursorTopic()))) {
            abortAfterRejection();
            throw new SinkException(OWNER + " " + name() + ": " + describe(m) + " maps to topic '" + topic
                    + "', which is (or collides with) the cursor topic '" + config.cursorTopic()
                    + "'; change topic_template or cursor_topic", null, false);
        }
        return topic;
    }

    // ------------------------------------------------------------------ failures and recovery

    private void ensureUsable() {
        if (state == State.FAILED) {
            throw new IllegalStateException(name() + " failed earlier and cannot be used: " + failure);
        }
        if (state != State.OPEN) {
            throw new IllegalStateException(name() + " is " + state.name().toLowerCase() + ", not open");
        }
    }

    /**
     * Re-creates the producer after a failure that left it unusable and resolves an uncertain
     * commit: when the cursor topic shows that the batch ending at {@code cursor} did land, returns
     * true (the retried batch is not written again).
     */
    private boolean recoverIfNeeded(Cursor cursor) throws SinkException {
        if (producer == null) {
            try {
                producer = newProducer();
                producer.initTransactions();
            } catch (KafkaException e) {
                throw failure("re-initialising the producer", e, null);
            }
            LOG.info("{}: producer re-created", name());
        }
        if (uncertainCommit == null) {
            return false;
        }
        // initTransactions has settled the uncertain transaction (completed or aborted it).
        Optional<Cursor> c = readCursor();
        Cursor uncertain = uncertainCommit;
        uncertainCommit = null;
        if (c.isPresent() && c.get().equals(uncertain)) {
            committed = c;
            if (uncertain.equals(cursor)) {
                LOG.warn("{}: the batch ending at block {} had been committed before its commit was reported failed;"
                        + " the retried batch is not written again", name(), cursor);
                return true;
            }
        }
        return false;
    }

    /** Aborts the open transaction after the sink itself refused a message (size, serialisation). */
    private void abortAfterRejection() throws SinkException {
        if (inTransaction) {
            try {
                producer.abortTransaction();
                endTransaction();
            } catch (KafkaException | IllegalStateException e) {
                throw failure("aborting the transaction", e, null);
            }
        }
    }

    /**
     * Cleans up after a producer error and returns the exception to throw. Fatal errors disable the
     * sink; others abort the transaction (or, when that is impossible or the error came from
     * {@code commitTransaction}, discard the producer so the next call re-creates it).
     *
     * @param commitAttempt the cursor being committed when the error came from commitTransaction
     */
    private SinkException failure(String what, Throwable e, Cursor commitAttempt) {
        sendError.set(null);
        Kind kind = KafkaErrors.classify(e);
        if (kind != Kind.FATAL) {
            boolean aborted = false;
            if (commitAttempt == null && inTransaction && producer != null) {
                try {
                    producer.abortTransaction();
                    aborted = true;
                } catch (KafkaException | IllegalStateException ae) {
                    // Fencing reported by the abort is final; anything else: re-create the producer.
                    if (KafkaErrors.isFenced(ae) || KafkaErrors.classify(ae) == Kind.FATAL) {
                        kind = Kind.FATAL;
                        e = ae;
                    }
                }
            }
            if (!aborted && kind != Kind.FATAL) {
                closeProducer(Duration.ZERO);
                if (commitAttempt != null) {
                    uncertainCommit = commitAttempt;
                }
            }
            endTransaction();
        }
        if (kind == Kind.FATAL) {
            closeProducer(Duration.ZERO);
            state = State.FAILED;
        }
        SinkException se = error(what, e, kind);
        if (kind == Kind.FATAL) {
            failure = se.getMessage();
        }
        return se;
    }

    private SinkException error(String what, Throwable e) {
        return KafkaErrors.error(name(), config.transactionalId(), what, e);
    }

    private SinkException error(String what, Throwable e, Kind kind) {
        return KafkaErrors.error(name(), config.transactionalId(), what, e, kind);
    }

    private static String describe(CdcMessage m) {
        String key = m.payload().key();
        if (key.length() > 100) {
            key = key.substring(0, 97) + "...";
        }
        return "table '" + m.payload().table() + "' key '" + key + "' (block " + m.header().blockHeight() + ")";
    }

    // ------------------------------------------------------------------ close

    @Override
    public void close() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        // A graceful producer close aborts an unfinished transaction.
        releaseAll(Duration.ofMillis(config.closeTimeoutMs()));
    }

    /**
     * Closes the producer and the admin client at once from the stopping thread: a blocked send,
     * flush, commit, initTransactions or topic check fails; the open transaction is not committed
     * (the broker aborts it, or the next instance's initTransactions does).
     */
    @Override
    public void abort() {
        Producer<byte[], byte[]> p = producer;
        Admin a = admin;
        try {
            if (p != null) {
                p.close(Duration.ZERO);
            }
            if (a != null) {
                a.close(Duration.ZERO);
            }
        } catch (RuntimeException e) {
            LOG.debug("{}: abort: {}", name(), e.toString());
        }
    }

    /**
     * Test hook simulating a crash: drops the producer without aborting its open transaction (as
     * kill -9 would). The next instance's initTransactions aborts it.
     */
    void crash() {
        state = State.CLOSED;
        releaseAll(Duration.ZERO);
    }

    private void releaseAll(Duration timeout) {
        closeProducer(timeout);
        if (admin != null) {
            try {
                admin.close(timeout);
            } catch (RuntimeException e) {
                LOG.warn("{}: closing the admin client failed: {}", name(), e.toString());
            }
            admin = null;
        }
    }

    private void closeProducer(Duration timeout) {
        if (producer != null) {
            try {
                producer.close(timeout);
            } catch (RuntimeException e) {
                LOG.warn("{}: closing the producer failed: {}", name(), e.toString());
            }
            producer = null;
        }
        endTransaction();
    }

    @Override
    public String toString() {
        return name();
    }
}
