package dev.debshrew.transform;

/** PLACEHOLDER until the host branch lands. */
public interface StateReader {
    byte[] get(byte[] key);
}
