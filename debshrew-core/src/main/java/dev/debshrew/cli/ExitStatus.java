package dev.debshrew.cli;

import dev.debshrew.config.ConfigException;
import dev.debshrew.follow.PipelineException;
import dev.debshrew.journal.StateStoreException;
import dev.debshrew.transform.TransformLoadException;

/**
 * The exit statuses of the long-running commands ({@code run}, {@code rewind}); the table is in
 * docs/operations.md ("Exit status"). The systemd unit lists {@link #CONFIGURATION} and
 * {@link #NEEDS_OPERATOR} in {@code RestartPreventExitStatus}: restarting cannot help there.
 */
final class ExitStatus {

    /** A clean stop (SIGTERM, SIGINT), or the command finished. */
    static final int CLEAN = 0;
    /** A transient condition the daemon gave up on, or an unexpected error: restarting may help. */
    static final int TRANSIENT = 1;
    /** Invalid configuration, options or transform module (it cannot be loaded or compiled). */
    static final int CONFIGURATION = 2;
    /**
     * A condition an operator must resolve: a reorg deeper than the window, a transform failing on
     * a block, foreign or corrupted state, a different module on existing state.
     */
    static final int NEEDS_OPERATOR = 3;
    /** {@code debshrew test --expect}: the run's messages differ from the golden file. */
    static final int MISMATCH = 4;

    private ExitStatus() {
    }

    /**
     * The status for a failure that ended the command. (An {@link IllegalArgumentException} while
     * building the pipeline, e.g. invalid sink options, is a configuration error too; the commands
     * map it where they build it, since later it would be a defect, status 1.)
     */
    static int of(Throwable failure) {
        if (failure instanceof ConfigException || failure instanceof TransformLoadException) {
            return CONFIGURATION;
        }
        if (failure instanceof PipelineException p) {
            return p.needsOperator() ? NEEDS_OPERATOR : TRANSIENT;
        }
        if (failure instanceof StateStoreException) {
            return NEEDS_OPERATOR;
        }
        return TRANSIENT;
    }
}
