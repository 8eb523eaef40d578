package dev.debshrew.daemon;

import dev.debshrew.follow.PipelineException;
import java.nio.file.Path;

/**
 * The state store was built by another transform module than the one configured (their SHA-256
 * differ). Needs an operator (exit status 3): the message says what to do.
 */
public final class ModuleChangedException extends PipelineException {

    private static final long serialVersionUID = 1L;

    private final String recordedSha256;
    private final String moduleSha256;

    ModuleChangedException(Path dataDir, Path module, String recordedSha256, String moduleSha256) {
        super("the state store in " + dataDir + " was built by another transform module (sha256 " + recordedSha256
                + ") than " + module + " (sha256 " + moduleSha256 + "); running it on that state would mix the two"
                + " modules' state and output (after a hot reload, the store belongs to the reloaded module)."
                + " Either point transform.path back at the module that built the state;"
                + " or re-index with the new module into a new data_dir and a new sink output; or, if the change is"
                + " intentional and the new module reads the existing state as it is, run once with"
                + " 'debshrew run --accept-module-change' to record the new module's hash"
                + " (docs/operations.md#changing-the-transform-module)");
        this.recordedSha256 = recordedSha256;
        this.moduleSha256 = moduleSha256;
    }

    /** The SHA-256 recorded in the state store. */
    public String recordedSha256() {
        return recordedSha256;
    }

    /** The SHA-256 of the configured module. */
    public String moduleSha256() {
        return moduleSha256;
    }
}
