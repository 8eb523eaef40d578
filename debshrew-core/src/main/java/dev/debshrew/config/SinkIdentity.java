package dev.debshrew.config;

import dev.debshrew.sink.file.FileSinkConfig;
import dev.debshrew.sink.kafka.KafkaSinkConfig;
import dev.debshrew.sink.postgres.PostgresSinkConfig;

/**
 * What makes two sinks the same output, as the sinks themselves decide who may write: the file
 * sink's output path (its OS lock is {@code <path>.lock}), the Kafka sink's cluster and
 * transactional id (a second producer with the id fences the first), the PostgreSQL sink's
 * database and {@code pipeline} (its advisory lock and its {@code debshrew_cursor} row). Used to
 * refuse two pipelines of one daemon writing one output ({@link PipelinesConfig}).
 */
final class SinkIdentity {

    private SinkIdentity() {
    }

    /** The identity of {@code spec}'s output, or null when it has none (console). Never shown: may hold a URL. */
    static String of(DebshrewConfig.SinkSpec spec) {
        return switch (spec.type()) {
            case "file" -> "file\0" + FileSinkConfig.from(spec.options()).path().toAbsolutePath().normalize();
            case "kafka" -> {
                KafkaSinkConfig k = KafkaSinkConfig.from(spec.options());
                yield "kafka\0" + k.bootstrapServers() + "\0" + k.transactionalId();
            }
            case "postgres", "postgresql" -> {
                PostgresSinkConfig p = PostgresSinkConfig.from(spec.options());
                String url = p.url();
                int q = url.indexOf('?');
                yield "postgres\0" + (q < 0 ? url : url.substring(0, q)) + "\0" + p.pipeline();
            }
            default -> null;
        };
    }

    /** The shared output in words, without credentials. */
    static String describe(DebshrewConfig.SinkSpec spec) {
        return switch (spec.type()) {
            case "file" -> "file " + FileSinkConfig.from(spec.options()).path().toAbsolutePath().normalize();
            case "kafka" -> "Kafka transactional_id '" + KafkaSinkConfig.from(spec.options()).transactionalId()
                    + "' (on the same bootstrap_servers)";
            default -> "PostgreSQL database and pipeline '" + PostgresSinkConfig.from(spec.options()).pipeline()
                    + "' (its advisory lock and cursor row)";
        };
    }
}
