/**
 * Implementation of the transform host: module inspection ({@link dev.debshrew.transform.internal.ModuleShape}),
 * per-block host state and imports ({@link dev.debshrew.transform.internal.BlockSession}), guest memory
 * access and capping, guest logging, the worker thread with deadline, and the on-disk compile cache.
 * Not an API: other modules use {@link dev.debshrew.transform} only.
 */
package dev.debshrew.transform.internal;
