package dev.debshrew.metashrew;

/** PLACEHOLDER until the devnet branch lands. */
public final class MetashrewClient implements AutoCloseable {
    public long height() throws MetashrewException { throw new MetashrewException("placeholder"); }
    public String blockHash(long height) throws MetashrewException { throw new MetashrewException("placeholder"); }
    public byte[] view(String name, byte[] input, long height) throws MetashrewException { throw new MetashrewException("placeholder"); }
    @Override public void close() {}
}
