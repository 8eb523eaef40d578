package dev.debshrew.connect;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.connect.errors.ConnectException;

/**
 * The secrets among the state client's settings ({@code state.client.*}): every setting the Kafka
 * consumer declares as {@code PASSWORD} (declared again by the connector, so that the worker hides
 * them in {@code validate} and in logged configs), and any other whose name suggests a secret
 * (password, jaas, secret, token, credential, a key store's key). Their values go to the client as
 * {@link Password}s and are cut out of every exception message of ours that might quote them.
 */
final class ClientSecrets {

    /** The consumer's PASSWORD settings, e.g. sasl.jaas.config, ssl.truststore.password. */
    static final Set<String> PASSWORD_SETTINGS = passwordSettings();
    private static final String[] SECRET_WORDS = {"password", "jaas", "secret", "token", "credential",
        "keystore.key", "private"};
    static final String HIDDEN = "[hidden]";

    private ClientSecrets() {
    }

    private static Set<String> passwordSettings() {
        Set<String> out = new TreeSet<>();
        for (ConfigDef.ConfigKey k : ConsumerConfig.configDef().configKeys().values()) {
            if (k.type == ConfigDef.Type.PASSWORD) {
                out.add(k.name);
            }
        }
        return out;
    }

    /** Whether the client setting {@code name} (without the state.client. prefix) holds a secret. */
    static boolean isSecret(String name) {
        if (PASSWORD_SETTINGS.contains(name)) {
            return true;
        }
        String n = name.toLowerCase(Locale.ROOT);
        for (String w : SECRET_WORDS) {
            if (n.contains(w)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The client settings with every secret as a {@link Password} where the client takes one (its
     * PASSWORD settings), the others as given; the map's {@code toString} shows no secret.
     */
    static Map<String, Object> protect(Map<String, Object> client) {
        Map<String, Object> out = new Redacted();
        client.forEach((k, v) -> out.put(k, PASSWORD_SETTINGS.contains(k) && v instanceof String s ? new Password(s) : v));
        return out;
    }

    /** Client settings whose {@code toString} prints {@value #HIDDEN} for every secret. */
    private static final class Redacted extends HashMap<String, Object> {
        private static final long serialVersionUID = 1L;

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("{");
            new TreeSet<>(keySet()).forEach(k -> b.append(b.length() > 1 ? ", " : "").append(k).append('=')
                    .append(isSecret(k) ? HIDDEN : get(k)));
            return b.append('}').toString();
        }
    }

    /** The plain values of the secret settings in {@code client} (non-empty ones). */
    static List<String> values(Map<String, ?> client) {
        List<String> out = new ArrayList<>();
        client.forEach((k, v) -> {
            String plain = v instanceof Password p ? p.value() : v == null ? null : v.toString();
            if (isSecret(k) && plain != null && !plain.isBlank()) {
                out.add(plain);
            }
        });
        return out;
    }

    /**
     * {@code e} as a {@link ConnectException} that quotes no secret: {@code e} itself (wrapped when it is
     * not one) when no message in its cause chain holds one; otherwise a new exception whose message
     * is the chain's messages with the secrets replaced by {@value #HIDDEN}, without the causes.
     */
    static ConnectException scrub(RuntimeException e, Collection<String> secrets) {
        StringBuilder chain = new StringBuilder();
        boolean leaks = false;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String text = String.valueOf(t.getMessage());
            for (String s : secrets) {
                leaks |= text.contains(s) || String.valueOf(t).contains(s);
            }
            chain.append(chain.length() == 0 ? "" : "; caused by: ").append(t.getClass().getSimpleName())
                    .append(": ").append(text);
        }
        if (!leaks) {
            return e instanceof ConnectException c ? c : new ConnectException(e.getMessage(), e);
        }
        String redacted = chain.toString();
        for (String s : secrets) {
            redacted = redacted.replace(s, HIDDEN);
        }
        return new ConnectException(redacted);
    }
}
