package dev.debshrew.sink.format;

import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcMessage;

/** debshrew's native JSON (compact, one message per record), as written by {@link CdcCodec}. */
final class NativeFormat implements OutputFormat {

    static final NativeFormat INSTANCE = new NativeFormat();

    private final CdcCodec codec = new CdcCodec();

    private NativeFormat() {
    }

    @Override
    public String name() {
        return "native";
    }

    @Override
    public byte[] encode(CdcMessage message, int index) {
        return codec.encodeBytes(message);
    }

    @Override
    public String toString() {
        return name();
    }
}
