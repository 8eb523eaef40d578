package dev.debshrew.metashrew;

/** PLACEHOLDER until the devnet branch lands. */
public final class MetashrewClient implements AutoCloseable {
    public static Builder builder(String url) { return new Builder(); }
    public static final class Builder { public Builder readTimeout(java.time.Duration d) { return this; } public MetashrewClient build() { return new MetashrewClient(); } }
    public long height() throws MetashrewException { throw new MetashrewException("placeholder"); }
    public String blockHash(long height) throws MetashrewException { throw new MetashrewException("placeholder"); }
    public byte[] view(String name, byte[] input, long height) throws MetashrewException { throw new MetashrewException("placeholder"); }
    @Override public void close() {}
}
