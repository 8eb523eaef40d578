package dev.debshrew.transform;

/** PLACEHOLDER until the host branch lands. */
public interface ViewSource {
    byte[] view(String name, byte[] input, long height) throws Exception;
}
