package dev.debshrew.transform;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Shared helpers for the transform tests. */
final class Fixtures {

    static final ViewSource NO_VIEWS = (name, input, height) -> {
        throw new AssertionError("unexpected view " + name);
    };

    private Fixtures() {
    }

    /** Loads fixture {@code name} in compiler or interpreter mode. */
    static Transform load(String name, TransformLimits limits) throws TransformLoadException {
        return Transform.load(Wat.wasm(name), limits);
    }

    static Transform load(String name, boolean interpreter) throws TransformLoadException {
        return load(name, TransformLimits.builder().useInterpreter(interpreter).build());
    }

    /** A block with hash bytes 0, 1, ..., 31. */
    static BlockContext block(long height) {
        byte[] hash = new byte[32];
        for (int i = 0; i < 32; i++) {
            hash[i] = (byte) i;
        }
        return new BlockContext(height, hash);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static int[] ints(byte[] littleEndian) {
        ByteBuffer b = ByteBuffer.wrap(littleEndian).order(ByteOrder.LITTLE_ENDIAN);
        int[] out = new int[littleEndian.length / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getInt();
        }
        return out;
    }

    /** A simple in-memory committed state. */
    static final class MapState implements StateReader {
        final Map<String, byte[]> map = new HashMap<>();

        MapState put(String key, String value) {
            map.put(key, utf8(value));
            return this;
        }

        @Override
        public byte[] get(byte[] key) {
            return map.get(new String(key, StandardCharsets.UTF_8));
        }
    }
}
