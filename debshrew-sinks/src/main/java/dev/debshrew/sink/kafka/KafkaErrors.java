package dev.debshrew.sink.kafka;

import dev.debshrew.sink.SinkException;
import dev.debshrew.util.Secrets;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.UnsupportedForMessageFormatException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * How the {@link KafkaSink} treats a Kafka client error, and the message it reports.
 *
 * <ul>
 *   <li>{@link Kind#FATAL}: retrying cannot help and the producer must not be used again
 *       ({@code ProducerFencedException}: another instance owns the transactional id;
 *       authorization and authentication failures; invalid client configuration; unsupported
 *       broker versions; {@code OutOfOrderSequenceException}; {@code InvalidTxnStateException}).
 *   <li>{@link Kind#REJECTED}: the broker refused this data (record too large, invalid topic,
 *       policy violation, invalid topic configuration); the transaction is aborted, the block
 *       fails, the sink stays usable.
 *   <li>{@link Kind#RETRIABLE}: everything else, notably the broker being unreachable, timeouts,
 *       not enough replicas, coordinator not available / loading / moved, leader changes, and the
 *       abortable transaction errors ({@code InvalidProducerEpochException}: the coordinator
 *       aborted a transaction that exceeded {@code transaction.timeout.ms};
 *       {@code TransactionAbortableException}). The sink aborts the transaction (or re-creates
 *       the producer, whose {@code initTransactions} re-initialises it) and the caller sends the
 *       block again. Should the abort itself report fencing, the error becomes fatal.
 * </ul>
 */
final class KafkaErrors {

    /** Stop for good, fail the block, or retry the block. */
    enum Kind { FATAL, REJECTED, RETRIABLE }

    private KafkaErrors() {
    }

    static Kind classify(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof OutOfOrderSequenceException
                    || t instanceof AuthorizationException || t instanceof AuthenticationException
                    || t instanceof UnsupportedVersionException || t instanceof UnsupportedForMessageFormatException
                    || t instanceof FencedInstanceIdException || t instanceof InvalidTxnStateException
                    || t instanceof IllegalStateException || t instanceof ConfigException) {
                return Kind.FATAL;
            }
        }
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RecordTooLargeException || t instanceof RecordBatchTooLargeException
                    || t instanceof InvalidTopicException || t instanceof SerializationException
                    || t instanceof PolicyViolationException || t instanceof InvalidRecordException
                    || t instanceof InvalidConfigurationException) {
                return Kind.REJECTED;
            }
        }
        return Kind.RETRIABLE;
    }

    /** Whether another producer with the same transactional id has taken over. */
    static boolean isFenced(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ProducerFencedException) {
                return true;
            }
        }
        return false;
    }

    /** The exception to report for {@code e}, met while doing {@code what}, classified by {@link #classify}. */
    static SinkException error(String sink, String transactionalId, String what, Throwable e) {
        return error(sink, transactionalId, what, e, classify(e));
    }

    /**
     * The exception to report for {@code e}, met while doing {@code what}; retriable exactly when
     * {@code kind} is {@link Kind#RETRIABLE}. Credentials in the client's message are masked.
     */
    static SinkException error(String sink, String transactionalId, String what, Throwable e, Kind kind) {
        Throwable root = rootOf(e);
        StringBuilder msg = new StringBuilder(KafkaSinkConfig.OWNER).append(' ').append(sink).append(": ");
        switch (kind) {
            case FATAL -> msg.append("fatal error while ").append(what).append(": ");
            case REJECTED -> msg.append("Kafka rejected the data while ").append(what).append(": ");
            case RETRIABLE -> msg.append("transient error while ").append(what)
                    .append(" (transaction aborted; retry the block): ");
        }
        msg.append(root.getClass().getSimpleName()).append(": ").append(Secrets.scrub(String.valueOf(root.getMessage())));
        msg.append(hint(e, transactionalId));
        return new SinkException(msg.toString(), e, kind == Kind.RETRIABLE);
    }

    private static String hint(Throwable e, String transactionalId) {
        if (isFenced(e)) {
            return ". The producer with transactional_id '" + transactionalId + "' was fenced: another instance of"
                    + " this pipeline has started with the same transactional_id and now owns it; this instance must"
                    + " stop";
        }
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AuthenticationException) {
                return ". Authentication failed: check the client.security.protocol / client.sasl.* / client.ssl.*"
                        + " settings";
            }
            if (t instanceof AuthorizationException) {
                return ". Not authorised: the principal needs Write on the topics, Describe/Create on them and"
                        + " Write/Describe on transactional id '" + transactionalId + "'";
            }
            if (t instanceof ConfigException) {
                return ". Invalid Kafka client configuration: check the producer.* / client.* options";
            }
            if (t instanceof RecordTooLargeException || t instanceof RecordBatchTooLargeException) {
                return ". Raise the topic's max.message.bytes (and the broker's message.max.bytes), or lower"
                        + " max_message_bytes so the sink reports the message itself";
            }
        }
        return "";
    }

    /** The innermost meaningful exception: Kafka's generic wrappers are unwrapped. */
    private static Throwable rootOf(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && t instanceof KafkaException && !(t instanceof ApiException)) {
            t = t.getCause();
        }
        return t;
    }
}
