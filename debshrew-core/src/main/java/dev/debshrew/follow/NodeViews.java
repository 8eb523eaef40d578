package dev.debshrew.follow;

import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.metashrew.MetashrewException;
import dev.debshrew.transform.TransformExecutionException;
import dev.debshrew.transform.ViewSource;

/**
 * Views for one block. A failing view aborts the guest at that call (the transform never sees a
 * node failure); the failure is kept here so that {@link #rethrowNodeFailure} can decide: a
 * retriable one makes the follower back off and redo the block, any other stops the pipeline.
 */
final class NodeViews implements ViewSource {
    private final MetashrewClient node;
    private MetashrewException failure;
    private String failedView;

    NodeViews(MetashrewClient node) {
        this.node = node;
    }

    @Override
    public byte[] view(String name, byte[] input, long height) throws Exception {
        byte[] result;
        try {
            result = node.view(name, input, height);
        } catch (MetashrewException e) {
            throw failed(name, e);
        }
        if (result == null) {
            throw failed(name, new MetashrewException(MetashrewException.Kind.MALFORMED_RESPONSE,
                    "metashrew_view(" + name + ") returned no result", true, null));
        }
        return result;
    }

    private MetashrewException failed(String name, MetashrewException e) {
        if (failure == null) {
            failure = e;
            failedView = name;
        }
        return e;
    }

    /**
     * If {@code e} is the abort caused by a failed view: a retriable node failure is rethrown (the
     * follower's backoff then redoes the block); a non-retriable one fails the block naming the
     * view, the block and the cause.
     */
    void rethrowNodeFailure(TransformExecutionException e, long height, String hash)
            throws MetashrewException, PipelineException {
        if (failure == null || e.kind() != TransformExecutionException.Kind.VIEW_FAILED) {
            return;
        }
        if (failure.isRetriable()) {
            throw failure;
        }
        throw new PipelineException("view '" + failedView + "' failed at the node on block " + height + " (" + hash
                + ") and retrying cannot help [" + failure.kind() + "]: " + failure.getMessage(), e);
    }

    void rethrowTransientFailure() throws MetashrewException {
        if (failure != null && failure.isRetriable()) {
            throw failure;
        }
    }
}
