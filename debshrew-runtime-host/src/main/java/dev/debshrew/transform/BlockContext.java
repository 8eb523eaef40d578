package dev.debshrew.transform;

/** PLACEHOLDER until the host branch lands. */
public record BlockContext(long height, byte[] blockHash) {}
