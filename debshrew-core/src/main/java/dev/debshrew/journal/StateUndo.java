package dev.debshrew.journal;

/**
 * How to undo one state write of a block: the key and the value it had before the block
 * ({@code null} when the key did not exist).
 */
public record StateUndo(byte[] key, byte[] previousValue) {
}
