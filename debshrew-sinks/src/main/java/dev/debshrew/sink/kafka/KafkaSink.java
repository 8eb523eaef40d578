package dev.debshrew.sink.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.cdc.Operation;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.Sink;
import dev.debshrew.sink.SinkException;
import dev.debshrew.sink.format.KeyFormat;
import dev.debshrew.sink.format.OutputFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.UnsupportedForMessageFormatException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes CDC messages to Kafka with exactly-once delivery.
 *
 * <p>One idempotent, transactional producer per pipeline ({@code transactional_id}). Each
 * {@link #flush(Cursor)} is one Kafka transaction holding the block's records and a cursor record
 * ({@code {"height":H,"hash":HEX}}, key = transactional id) in the compacted cursor topic, so the
 * data and the cursor become visible to {@code read_committed} consumers atomically.
 * {@link #open()} calls {@code initTransactions()}, which aborts whatever a previous instance left
 * unfinished and fences it, then reads the last committed cursor back.
 *
 * <p>Errors: fencing, authorization and other fatal producer errors make the sink unusable and
 * raise a non-retriable {@link SinkException}; an oversized or otherwise unacceptable record
 * raises a non-retriable one (the transaction is aborted); transient errors abort the transaction
 * and raise a retriable one, after which the caller sends the same block again. When a commit
 * fails with an unknown outcome the producer is re-created, and if the cursor topic shows that the
 * commit did land, the re-sent block is recognised by its cursor and not written twice.
 *
 * <p>Used from a single thread, like every {@link Sink}.
 */
public final class KafkaSink implements Sink {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSink.class);
    private static final long ADMIN_TIMEOUT_MS = 60_000;
    private static final String OWNER = KafkaSinkConfig.OWNER;

    private enum State { NEW, OPEN, FAILED, CLOSED }

    /** How a producer error is handled: stop for good, fail the block, or retry the block. */
    enum ErrorKind { FATAL, REJECTED, RETRIABLE }

    private final KafkaSinkConfig config;
    private final OutputFormat format;
    private final KeyFormat keyFormat;
    private final byte[] cursorKey;
    private final Map<String, String> topicByTable = new HashMap<>();
    private final Set<String> readyTopics = new HashSet<>();
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
    /** Position of the next message within the block being sent. */
    private int index;
    private Optional<Cursor> committed = Optional.empty();
    /** A commit whose outcome is unknown; resolved when the producer is re-created. */
    private Cursor uncertainCommit;
    /** The uncertain commit turned out to have landed: hold back the re-sent block until its flush. */
    private Cursor alreadyCommitted;
    private final List<CdcMessage> heldBack = new ArrayList<>();
    /** Test hook run right after a successful commitTransaction (to simulate a lost reply). */
    Runnable afterCommitForTest;

    public KafkaSink(KafkaSinkConfig config) {
        this.config = config;
        this.format = config.outputFormat();
        this.keyFormat = config.keyFormat();
        this.cursorKey = config.transactionalId().getBytes(StandardCharsets.UTF_8);
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
        try {
            admin = Admin.create(config.commonClientProperties());
            ensureTopic(config.cursorTopic(), true);
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
        Map<String, Object> p = new HashMap<>(config.clientProperties());
        p.putAll(config.producerProperties());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.transactionalId());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "debshrew-" + config.transactionalId());
        p.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                Math.max(1_048_576, config.maxMessageBytes() + 16_384));
        return new KafkaProducer<>(p);
    }

    /** Reads this pipeline's last committed cursor: the cursor topic to its end, read_committed. */
    private Optional<Cursor> readCursor() throws SinkException {
        TopicPartition tp = new TopicPartition(config.cursorTopic(), 0);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.cursorReadTimeoutMs());
        long end;
        try {
            // High watermark (not the last stable offset): every record before it is settled once
            // the open transactions that cover it end, which initTransactions did for our own.
            end = admin.listOffsets(Map.of(tp, OffsetSpec.latest()),
                            new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
                    .partitionResult(tp).get(config.cursorReadTimeoutMs(), TimeUnit.MILLISECONDS).offset();
        } catch (ExecutionException e) {
            throw error("reading the end offset of cursor topic '" + config.cursorTopic() + "'", e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new SinkException(OWNER + " " + name() + ": timed out after " + config.cursorReadTimeoutMs()
                    + " ms reading the end offset of cursor topic '" + config.cursorTopic() + "'", e, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SinkException(OWNER + " " + name() + ": interrupted while reading the cursor", e);
        }
        Map<String, Object> p = new HashMap<>(config.commonClientProperties());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "debshrew-cursor-" + config.transactionalId());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        Optional<Cursor> last = Optional.empty();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            while (true) {
                long remaining = deadline - System.nanoTime();
                long position = consumer.position(tp, Duration.ofNanos(Math.max(remaining, 1)));
                if (position >= end) {
                    break;
                }
                if (remaining <= 0) {
                    throw new SinkException(OWNER + " " + name() + ": could not read cursor topic '"
                            + config.cursorTopic() + "' to its end (at offset " + position + " of " + end
                            + ") within cursor_read_timeout_ms = " + config.cursorReadTimeoutMs()
                            + " ms; a long open transaction of another producer may hold back the last stable"
                            + " offset", null, true);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(Math.min(200,
                        Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)))))) {
                    if (r.key() != null && Arrays.equals(r.key(), cursorKey)) {
                        last = r.value() == null ? Optional.empty() : Optional.of(parseCursor(r));
                    }
                }
            }
        } catch (KafkaException e) {
            throw error("reading cursor topic '" + config.cursorTopic() + "'", e);
        }
        return last;
    }

    private Cursor parseCursor(ConsumerRecord<byte[], byte[]> r) throws SinkException {
        try {
            JsonNode n = CdcCodec.mapper().readTree(r.value());
            JsonNode h = n == null ? null : n.get("height");
            JsonNode hash = n == null ? null : n.get("hash");
            if (h == null || !h.canConvertToLong() || hash == null || !hash.isTextual()) {
                throw new IOException("expected {\"height\":H,\"hash\":HEX}");
            }
            return new Cursor(h.longValue(), hash.textValue());
        } catch (IOException | IllegalArgumentException e) {
            throw new SinkException(OWNER + " " + name() + ": cursor record at " + r.topic() + "-" + r.partition()
                    + "@" + r.offset() + " is invalid (" + e.getMessage() + "): "
                    + new String(r.value(), StandardCharsets.UTF_8), e, false);
        }
    }

    private static byte[] cursorValue(Cursor c) {
        ObjectNode n = CdcCodec.mapper().createObjectNode();
        n.put("height", c.height());
        n.put("hash", c.hash());
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Makes sure {@code topic} exists (creates it if allowed). */
    private void ensureTopic(String topic, boolean cursorTopic) throws SinkException {
        if (readyTopics.contains(topic)) {
            return;
        }
        if (!cursorTopic && !config.createTopics()) {
            readyTopics.add(topic);
            return;
        }
        try {
            try {
                admin.describeTopics(List.of(topic)).allTopicNames().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                readyTopics.add(topic);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
            Optional<Short> rf = config.topicReplicationFactor() == -1 ? Optional.empty()
                    : Optional.of((short) config.topicReplicationFactor());
            Optional<Integer> partitions = cursorTopic ? Optional.of(1)
                    : config.topicPartitions() == -1 ? Optional.empty() : Optional.of(config.topicPartitions());
            NewTopic nt = new NewTopic(topic, partitions, rf);
            if (cursorTopic) {
                nt.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            }
            try {
                admin.createTopics(List.of(nt)).all().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                LOG.info("{}: created {}topic '{}'", name(), cursorTopic ? "cursor " : "", topic);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            readyTopics.add(topic);
        } catch (ExecutionException e) {
            throw error("creating topic '" + topic + "'", e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new SinkException(OWNER + " " + name() + ": timed out creating topic '" + topic + "'", e, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SinkException(OWNER + " " + name() + ": interrupted while creating topic '" + topic + "'", e);
        }
    }

    // ------------------------------------------------------------------ send / flush

    @Override
    public void send(CdcMessage message) throws SinkException {
        ensureUsable();
        recoverIfNeeded();
        if (alreadyCommitted != null) {
            heldBack.add(message);
            index++;
            return;
        }
        sendRecord(message, index);
        index++;
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
                    + "; the block was not committed", null, false);
        }
        try {
            ensureTopic(topic, false);
        } catch (SinkException e) {
            abortAfterRejection(); // the block cannot complete; leave the sink ready to take it again
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

    @Override
    public void flush(Cursor cursor) throws SinkException {
        ensureUsable();
        recoverIfNeeded();
        if (alreadyCommitted != null) {
            Cursor done = alreadyCommitted;
            List<CdcMessage> replay = new ArrayList<>(heldBack);
            alreadyCommitted = null;
            heldBack.clear();
            index = 0;
            if (done.equals(cursor)) {
                LOG.warn("{}: block {} had already been committed before the failed commit was reported; the"
                        + " re-sent copy is not written again", name(), cursor);
                committed = Optional.of(cursor);
                return;
            }
            for (CdcMessage m : replay) {
                sendRecord(m, index++);
            }
        }
        try {
            throwIfSendFailed("sending the block's records");
            beginIfNeeded();
            producer.send(new ProducerRecord<>(config.cursorTopic(), 0, cursorKey, cursorValue(cursor)), callback);
            producer.flush();
        } catch (KafkaException | IllegalStateException e) {
            throw failure("writing cursor " + cursor, e, null);
        }
        throwIfSendFailed("sending the block's records");
        try {
            producer.commitTransaction();
            if (afterCommitForTest != null) {
                afterCommitForTest.run();
            }
        } catch (KafkaException | IllegalStateException e) {
            throw failure("committing the transaction of block " + cursor, e, cursor);
        }
        endTransaction();
        index = 0;
        committed = Optional.of(cursor);
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
        Exception e = sendError.getAndSet(null);
        if (e != null) {
            throw failure(what, e, null);
        }
    }

    private String topicFor(CdcMessage m) {
        if (config.topicTemplate() == null) {
            return config.topic();
        }
        String table = m.payload().table();
        String source = m.header().source();
        String cacheKey = table + '\u0000' + source;
        return topicByTable.computeIfAbsent(cacheKey,
                k -> TopicNames.expand(config.topicTemplate(), table, source));
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

    /** Re-creates the producer after a failure that left it unusable, resolving an uncertain commit. */
    private void recoverIfNeeded() throws SinkException {
        if (producer == null) {
            try {
                producer = newProducer();
                producer.initTransactions();
            } catch (KafkaException e) {
                throw failure("re-initialising the producer", e, null);
            }
            LOG.info("{}: producer re-created", name());
        }
        if (uncertainCommit != null) {
            // initTransactions has settled the uncertain transaction (completed or aborted it).
            Optional<Cursor> c = readCursor();
            if (c.isPresent() && c.get().equals(uncertainCommit)) {
                alreadyCommitted = uncertainCommit;
                committed = c;
            }
            uncertainCommit = null;
        }
    }

    /** Aborts the open transaction after the sink itself refused a message (size, serialisation). */
    private void abortAfterRejection() throws SinkException {
        index = 0;
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
        index = 0;
        heldBack.clear();
        alreadyCommitted = null;
        sendError.set(null);
        ErrorKind kind = classify(e);
        if (kind != ErrorKind.FATAL) {
            boolean aborted = false;
            if (commitAttempt == null && inTransaction && producer != null) {
                try {
                    producer.abortTransaction();
                    aborted = true;
                } catch (KafkaException | IllegalStateException ae) {
                    if (classify(ae) == ErrorKind.FATAL) {
                        kind = ErrorKind.FATAL;
                        e = ae;
                    }
                }
            }
            if (!aborted && kind != ErrorKind.FATAL) {
                closeProducer(Duration.ZERO);
                if (commitAttempt != null) {
                    uncertainCommit = commitAttempt;
                }
            }
            endTransaction();
        }
        if (kind == ErrorKind.FATAL) {
            closeProducer(Duration.ZERO);
            state = State.FAILED;
        }
        SinkException se = error(what, e, kind);
        if (kind == ErrorKind.FATAL) {
            failure = se.getMessage();
        }
        return se;
    }

    private SinkException error(String what, Throwable e) {
        return error(what, e, classify(e));
    }

    private SinkException error(String what, Throwable e, ErrorKind kind) {
        Throwable root = rootOf(e);
        StringBuilder msg = new StringBuilder(OWNER).append(' ').append(name()).append(": ");
        switch (kind) {
            case FATAL -> msg.append("fatal error while ").append(what).append(": ");
            case REJECTED -> msg.append("Kafka rejected the data while ").append(what).append(": ");
            case RETRIABLE -> msg.append("transient error while ").append(what)
                    .append(" (transaction aborted; retry the block): ");
        }
        msg.append(root.getClass().getSimpleName()).append(": ").append(root.getMessage());
        if (isFenced(e)) {
            msg.append(". The producer with transactional_id '").append(config.transactionalId())
                    .append("' was fenced: another instance of this pipeline has started with the same"
                            + " transactional_id and now owns it; this instance must stop");
        }
        return new SinkException(msg.toString(), e, kind == ErrorKind.RETRIABLE);
    }

    private static Throwable rootOf(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && t instanceof KafkaException
                && !(t instanceof org.apache.kafka.common.errors.ApiException)) {
            t = t.getCause();
        }
        return t;
    }

    private static boolean isFenced(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException) {
                return true;
            }
        }
        return false;
    }

    static ErrorKind classify(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException
                    || t instanceof OutOfOrderSequenceException || t instanceof AuthorizationException
                    || t instanceof AuthenticationException || t instanceof UnsupportedVersionException
                    || t instanceof UnsupportedForMessageFormatException || t instanceof FencedInstanceIdException
                    || t instanceof InvalidTxnStateException || t instanceof IllegalStateException
                    || t instanceof ConfigException) {
                return ErrorKind.FATAL;
            }
            if (t == t.getCause()) {
                break;
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RecordTooLargeException || t instanceof RecordBatchTooLargeException
                    || t instanceof InvalidTopicException || t instanceof SerializationException
                    || t instanceof PolicyViolationException || t instanceof InvalidRecordException
                    || t instanceof InvalidConfigurationException) {
                return ErrorKind.REJECTED;
            }
            if (t == t.getCause()) {
                break;
            }
        }
        return ErrorKind.RETRIABLE;
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
        heldBack.clear();
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
