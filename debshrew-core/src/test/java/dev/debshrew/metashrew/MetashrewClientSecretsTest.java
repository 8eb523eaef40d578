package dev.debshrew.metashrew;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.Fault;
import dev.debshrew.devnet.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 9 item 9 at the client: credentials are used, and never shown by anything the client prints. */
@Timeout(60)
class MetashrewClientSecretsTest {

    private static final String URL_PASSWORD = "ClientUrlPw-81c5e2a9";
    private static final String BASIC_PASSWORD = "ClientBasicPw-4d0f7b13";
    private static final String HEADER = "ClientHeader-a6e93c52";

    @Test
    void urlCredentialsAreSentAsBasicAuthNotInTheRequestLine() throws Exception {
        try (DevnetServer devnet = DevnetServer.builder().initialHeight(3).build().start(0);
                MetashrewClient c = MetashrewClient.builder("http://alice:" + URL_PASSWORD + "@127.0.0.1:"
                        + devnet.port() + "/").versionLine(VersionLine.CURRENT).build()) {
            assertThat(c.height()).isEqualTo(3);
            RecordedRequest r = devnet.requests().get(0);
            assertThat(r.path()).isEqualTo("/");
            assertThat(r.headers()).containsEntry("authorization", "Basic " + Base64.getEncoder()
                    .encodeToString(("alice:" + URL_PASSWORD).getBytes(StandardCharsets.UTF_8)));
            assertThat(c.config().basicAuthUser()).isEqualTo("alice");
        }
    }

    @Test
    void configuredBasicAuthWinsOverUrlCredentials() throws Exception {
        try (DevnetServer devnet = DevnetServer.builder().initialHeight(3).build().start(0);
                MetashrewClient c = MetashrewClient.builder("http://alice:" + URL_PASSWORD + "@127.0.0.1:"
                        + devnet.port() + "/").versionLine(VersionLine.CURRENT).basicAuth("bob", BASIC_PASSWORD).build()) {
            c.height();
            assertThat(devnet.requests().get(0).headers().get("authorization")).isEqualTo("Basic " + Base64.getEncoder()
                    .encodeToString(("bob:" + BASIC_PASSWORD).getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void secretsNeverAppearInToStringOrErrors() throws Exception {
        List<String> shown = new ArrayList<>();
        DevnetServer devnet = DevnetServer.builder().initialHeight(3).build().start(0);
        String url = "http://alice:" + URL_PASSWORD + "@127.0.0.1:" + devnet.port() + "/gw/" + HEADER + "?key=" + HEADER;
        try (MetashrewClient c = MetashrewClient.builder(url).versionLine(VersionLine.CURRENT).maxRetries(1)
                .backoffInitial(Duration.ofMillis(5)).header("X-Api-Key", HEADER).header("Authorization-Extra", BASIC_PASSWORD)
                .build()) {
            shown.add(c.toString());
            shown.add(c.config().toString());
            for (Fault f : List.of(Fault.http500().times(2), Fault.dropConnection().times(2), Fault.malformedJson().times(2),
                    Fault.badResult("\"" + HEADER + "\"").times(2))) {
                devnet.clearFaults();
                devnet.inject(f.forMethod(null));
                try {
                    c.view("getblock", new byte[0], 1);
                    throw new AssertionError("no failure with " + f);
                } catch (MetashrewException e) {
                    shown.add(e.getMessage());
                }
            }
            devnet.close(); // node down: connection refused
            assertThatThrownBy(c::height).isInstanceOfSatisfying(MetashrewException.class, e -> shown.add(e.getMessage()));
        }
        assertThatThrownBy(() -> MetashrewClientConfig.builder("ftp://u:" + URL_PASSWORD + "@h/"))
                .satisfies(e -> shown.add(e.getMessage()));
        assertThatThrownBy(() -> MetashrewClientConfig.builder("http://u:" + URL_PASSWORD + " x@h/"))
                .satisfies(e -> shown.add(e.getMessage()));
        assertThat(shown).hasSize(9).allSatisfy(s -> assertThat(s).doesNotContain(URL_PASSWORD)
                .doesNotContain(BASIC_PASSWORD).doesNotContain(HEADER));
        assertThat(shown.get(0)).contains("http://***@127.0.0.1:").contains("/...?...");
        assertThat(shown.get(1)).contains("X-Api-Key=***");
    }
}
