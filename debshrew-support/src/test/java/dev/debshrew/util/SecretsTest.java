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
}
