package dev.debshrew.config;

import dev.debshrew.util.Secrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads the admin bearer token from {@code admin.token} or {@code admin.token_file} and registers it
 * with {@link Secrets}, so that it is masked wherever it could appear. Messages name the option and
 * the file, never the token.
 */
final class AdminTokens {

    private AdminTokens() {
    }

    /** The token, or null when neither option is set. */
    static String read(String token, String tokenFile, String source) throws ConfigException {
        if (token != null && tokenFile != null) {
            throw new ConfigException(source + ": options 'admin.token' and 'admin.token_file' are exclusive; set one");
        }
        String value = token;
        if (tokenFile != null) {
            Path file = Path.of(tokenFile);
            try {
                value = Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("");
            } catch (NoSuchFileException e) {
                throw new ConfigException(source + ": option 'admin.token_file': no such file: " + file.toAbsolutePath());
            } catch (IOException e) {
                throw new ConfigException(source + ": option 'admin.token_file': cannot read " + file.toAbsolutePath()
                        + ": " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
            }
        }
        if (value == null) {
            return null;
        }
        value = value.strip();
        if (value.length() < 16) {
            throw new ConfigException(source + ": option '" + (tokenFile != null ? "admin.token_file" : "admin.token")
                    + "': the admin token must be at least 16 characters (got " + value.length() + ")");
        }
        Secrets.register(value);
        return value;
    }
}
