package dev.debshrew.daemon;

import dev.debshrew.journal.RocksChainStore;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ties a durable state store to the transform module that builds it: the module's SHA-256 is
 * recorded in the store the first time it is run on it, and a later run with another module is
 * refused unless the operator accepts the change explicitly ({@code run --accept-module-change}).
 * A hot reload records the new module when it is swapped in ({@link #reloaded}): the store then
 * belongs to it, and a restart must run it (a restart with the old module is refused like any
 * other change).
 */
final class ModuleIdentity {

    private static final Logger log = LoggerFactory.getLogger(ModuleIdentity.class);

    private final RocksChainStore store;
    private Path module;
    private String sha256;
    private final boolean acceptChange;

    /**
     * @param module       the module's path (for messages)
     * @param sha256       SHA-256 (hex) of the module's bytes as loaded
     * @param acceptChange record {@code sha256} even when another hash is recorded
     */
    ModuleIdentity(RocksChainStore store, Path module, String sha256, boolean acceptChange) {
        this.store = store;
        this.module = module;
        this.sha256 = sha256;
        this.acceptChange = acceptChange;
    }

    /**
     * A hot reload swapped {@code newModule} in, from block {@code fromHeight} on (every block below
     * it is committed): records its hash as the store's module.
     */
    synchronized void reloaded(Path newModule, String newSha256, long fromHeight) {
        store.recordModuleSha256(newSha256);
        log.info("state store {} now belongs to the reloaded transform module {} (sha256 {}, from block {} on; it"
                + " was sha256 {}): a restart must run this module", store.dataDir(), newModule, newSha256, fromHeight,
                sha256);
        this.module = newModule;
        this.sha256 = newSha256;
    }

    /**
     * Records the module's hash if none is recorded (or the change is accepted); refuses another one.
     *
     * @throws ModuleChangedException if the store records another module's hash and the change was
     *                                not accepted (nothing is changed)
     */
    synchronized void verify() throws ModuleChangedException {
        Optional<String> recorded = store.moduleSha256();
        if (recorded.isPresent() && recorded.get().equals(sha256)) {
            return;
        }
        if (recorded.isPresent() && !acceptChange) {
            throw new ModuleChangedException(store.dataDir(), module, recorded.get(), sha256);
        }
        boolean fresh = store.tip().isEmpty() && store.base().isEmpty();
        store.recordModuleSha256(sha256);
        if (recorded.isPresent()) {
            log.warn("transform module change accepted (--accept-module-change): the state in {} was built by sha256"
                    + " {}; {} (sha256 {}) continues on it", store.dataDir(), recorded.get(), module, sha256);
        } else if (!fresh) {
            log.info("the state store in {} predates module tracking: adopting {} (sha256 {}) as its module",
                    store.dataDir(), module, sha256);
        } else {
            log.info("state store {} belongs to transform module {} (sha256 {})", store.dataDir(), module, sha256);
        }
    }
}
