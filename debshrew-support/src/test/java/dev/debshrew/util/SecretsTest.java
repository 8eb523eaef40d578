package dev.debshrew.util;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretsTest {

    @Test
    void urlUserInfoIsMasked() {
        assertThat(Secrets.redactUrl("http://alice:s3cr3t@node.example:8080/rpc"))
                .isEqualTo("http://***@node.example:8080/rpc");
        assertThat(Secrets.redactUrl("postgresql://u:pw@db:5432/x?sslmode=require&password=p2"))
                .doesNotContain("pw@").doesNotContain("p2").contains("db:5432/x").contains("sslmode=require");
        assertThat(Secrets.redactUrl("http://node:8080/")).isEqualTo("http://node:8080/");
    }

    @Test
    void keyValuePasswordsAreMaskedInFreeText() {
        String s = Secrets.scrub("host=db user=u password='a b' dbname=x; jaas password=\"q\" token: t0k");
        assertThat(s).doesNotContain("a b").doesNotContain("\"q\"").doesNotContain("t0k")
                .contains("host=db").contains("dbname=x").contains("password=***");
    }

    @Test
    void maskKeepsEmptiness() {
        assertThat(Secrets.mask("x")).isEqualTo("***");
        assertThat(Secrets.mask("")).isEmpty();
        assertThat(Secrets.mask(null)).isNull();
    }

    @Test
    void endpointRedactionHidesCredentialsPathAndQuery() {
        assertThat(Secrets.redactEndpoint("https://user:k3y@gw.example/v1/APIKEY?token=x"))
                .isEqualTo("https://***@gw.example/...?...");
        assertThat(Secrets.redactEndpoint("http://127.0.0.1:8080")).isEqualTo("http://127.0.0.1:8080/");
        assertThat(Secrets.redactEndpoint("http://[::1]:8080/rpc")).isEqualTo("http://[::1]:8080/...");
        assertThat(Secrets.redactEndpoint("http://u:p w@host/")).isEqualTo("(unparsable URL)");
    }

    @Test
    void registeredSecretsAreMaskedAnywhereAlsoPercentEncoded() {
        String secret = "Reg1stered-Secret/with@chars";
        Secrets.register(secret);
        assertThat(Secrets.scrub("header value " + secret + " seen")).isEqualTo("header value *** seen");
        assertThat(Secrets.scrub("url http://h/?k=Reg1stered-Secret%2Fwith%40chars")).doesNotContain("Reg1stered");
        Secrets.register("abc"); // too short to mask everywhere
        assertThat(Secrets.scrub("abcdef")).isEqualTo("abcdef");
    }

    @Test
    void configSecretsAreFoundByKeyAndInsideValues() {
        Secrets.registerConfig(java.util.Map.of(
                "sink", java.util.Map.of("password", "PgOptPass-1234",
                        "url", "jdbc:postgresql://h/db?user=u&password=PgUrlPass-5678",
                        "producer.sasl.jaas.config", "org.apache.kafka...PlainLoginModule required username=\"u\""
                                + " password=\"JaasPass-9012\";"),
                "metashrew", java.util.Map.of("url", "http://bob:UrlPass-3456@node:1/", "timeout", 60)));
        String text = "PgOptPass-1234 PgUrlPass-5678 JaasPass-9012 UrlPass-3456";
        assertThat(Secrets.scrub(text)).isEqualTo("*** *** *** ***");
        assertThat(Secrets.scrub("timeout 60 node:1")).isEqualTo("timeout 60 node:1");
        assertThat(Secrets.isSecretKey("sasl.jaas.config")).isTrue();
        assertThat(Secrets.isSecretKey("ssl.keystore.password")).isTrue();
        assertThat(Secrets.isSecretKey("bootstrap_servers")).isFalse();
    }

    @Test
    void headerValuesAreMaskedForDisplay() {
        assertThat(Secrets.maskValues(java.util.Map.of("X-Api-Key", "k"))).containsEntry("X-Api-Key", "***");
    }
}
