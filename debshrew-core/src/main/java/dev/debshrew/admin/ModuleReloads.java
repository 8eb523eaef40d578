package dev.debshrew.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.util.Secrets;
import java.time.Instant;
import java.util.Optional;

/**
 * Hot reload of the transform module, as the admin server offers it ({@code POST /admin/reload})
 * and shows it ({@code last_reload} in {@code GET /status}).
 */
public interface ModuleReloads {

    /**
     * Loads and validates the module at {@code path} (null: the configured {@code transform.path})
     * and queues it for the next block boundary. Never throws for a module that cannot be loaded:
     * the report says why, and the old module runs on.
     */
    Report reload(String path);

    /** The outcome of the last reload since start, if any. */
    Optional<Report> last();

    /** The name of the module running now (the file name of the one swapped in last). */
    String running();

    /**
     * The outcome of one reload.
     *
     * @param at         when it was asked for
     * @param outcome    {@code applied} (swapped in, or queued for the next block boundary: {@code fromHeight} null),
     *                   {@code unchanged} (that module already runs) or {@code failed} (the old module runs on)
     * @param path       the module file
     * @param sha256     SHA-256 (hex) of the module loaded; null when it could not be read
     * @param fromHeight the first block the new module runs; null when not known (yet)
     * @param error      why the module was refused; null unless {@code failed}
     */
    record Report(Instant at, String outcome, String path, String sha256, Long fromHeight, String error) {

        /** Whether the module was accepted ({@code applied} or {@code unchanged}). */
        public boolean ok() {
            return !"failed".equals(outcome);
        }

        /** The same report, now applying from {@code height}. */
        public Report appliedFrom(long height) {
            return new Report(at, outcome, path, sha256, height, error);
        }

        /** Fills {@code into} with the report's fields (texts scrubbed of secrets). */
        public ObjectNode toJson(ObjectNode into) {
            into.put("at", at.toString());
            into.put("ok", ok());
            into.put("outcome", outcome);
            into.put("module", path);
            into.put("sha256", sha256);
            if (fromHeight == null) {
                into.putNull("from_height");
            } else {
                into.put("from_height", fromHeight);
            }
            into.put("error", error == null ? null : Secrets.scrub(error));
            return into;
        }
    }
}
