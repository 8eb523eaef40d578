package dev.debshrew.follow;

import java.util.List;

/** A {@link FollowerListener} that passes every event to several listeners, in order. */
public final class FollowerListeners implements FollowerListener {

    private final List<FollowerListener> listeners;

    private FollowerListeners(List<FollowerListener> listeners) {
        this.listeners = listeners;
    }

    /** One listener receiving every event of the follower and passing it to each of {@code listeners}. */
    public static FollowerListener of(FollowerListener... listeners) {
        return new FollowerListeners(List.of(listeners));
    }

    /** Like {@link #of(FollowerListener...)}, from a list. */
    public static FollowerListener of(List<FollowerListener> listeners) {
        return new FollowerListeners(List.copyOf(listeners));
    }

    @Override
    public void blockCommitted(long height, String hash, int messages, long transformNanos, long totalNanos) {
        listeners.forEach(l -> l.blockCommitted(height, hash, messages, transformNanos, totalNanos));
    }

    @Override
    public void reorgUndone(long ancestorHeight, long depth) {
        listeners.forEach(l -> l.reorgUndone(ancestorHeight, depth));
    }

    @Override
    public void nodeError(String kind) {
        listeners.forEach(l -> l.nodeError(kind));
    }

    @Override
    public void sinkCommitted(String sink, int messages, long nanos) {
        listeners.forEach(l -> l.sinkCommitted(sink, messages, nanos));
    }

    @Override
    public void sinkDown(String sink, boolean retrying) {
        listeners.forEach(l -> l.sinkDown(sink, retrying));
    }

    @Override
    public void sinkUp(String sink) {
        listeners.forEach(l -> l.sinkUp(sink));
    }

    @Override
    public void nodeHeight(long height) {
        listeners.forEach(l -> l.nodeHeight(height));
    }

    @Override
    public void heartbeat() {
        listeners.forEach(FollowerListener::heartbeat);
    }

    @Override
    public void beforeStoreCommit(long first, long last) {
        listeners.forEach(l -> l.beforeStoreCommit(first, last));
    }

    @Override
    public void afterStoreCommit(long first, long last) {
        listeners.forEach(l -> l.afterStoreCommit(first, last));
    }

    @Override
    public void afterSinkCommit(long first, long last) {
        listeners.forEach(l -> l.afterSinkCommit(first, last));
    }

    @Override
    public void afterUndoSinkCommit(long height) {
        listeners.forEach(l -> l.afterUndoSinkCommit(height));
    }
}
