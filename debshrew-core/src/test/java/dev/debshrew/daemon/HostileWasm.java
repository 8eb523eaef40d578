package dev.debshrew.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Builds the ABI v1 modules of the hostile-transform suite from WAT text with Debian's
 * {@code wat2wasm}: a module that behaves below a chosen height (one {@code create} message per
 * block, key {@code b<height>}, and one state write) and runs a hostile body from that height on.
 */
final class HostileWasm {

    /** Where the good message of a block is stored (length-prefixed); its key digit is patched per block. */
    private static final int MESSAGE_AT = 1024;
    /** Where the hostile cases keep their own length-prefixed data. */
    static final int DATA_AT = 4096;

    private HostileWasm() {
    }

    /** The JSON array a well-behaved block returns, for height {@code h} (a single digit). */
    static String goodMessage(char digit) {
        return "[{\"header\":{\"source\":\"hostile\",\"timestamp\":1700000000000,\"block_height\":" + digit
                + ",\"block_hash\":\"00ff\"},\"payload\":{\"operation\":\"create\",\"table\":\"blocks\",\"key\":\"b"
                + digit + "\",\"after\":{\"n\":" + digit + "}}}]";
    }

    /**
     * The module text: below {@code hostileFrom} the good message (heights 0..9), from it on
     * {@code body} (a function body returning i32) with {@code imports} and {@code data} (WAT
     * fragments) added.
     */
    static String wat(int hostileFrom, String imports, String data, String body) {
        String good = goodMessage('0');
        int digitAt = MESSAGE_AT + 4 + good.indexOf("\"block_height\":0") + "\"block_height\":".length();
        int keyDigitAt = MESSAGE_AT + 4 + good.indexOf("\"key\":\"b0") + "\"key\":\"b".length();
        int afterDigitAt = MESSAGE_AT + 4 + good.indexOf("\"n\":0") + "\"n\":".length();
        return "(module\n"
                + "  (import \"env\" \"__height\" (func $height (result i32)))\n"
                + "  (import \"env\" \"__set_state\" (func $set_state (param i32 i32) (result i32)))\n"
                + "  (import \"env\" \"__view\" (func $view (param i32 i32) (result i32)))\n"
                + imports
                + "  (memory (export \"memory\") 1)\n"
                + "  (data (i32.const 0) \"\\01\\00\\00\\00k\")\n"
                + "  (data (i32.const 16) \"\\01\\00\\00\\00v\")\n"
                + "  (data (i32.const " + MESSAGE_AT + ") \"" + lengthPrefixed(good.getBytes(StandardCharsets.UTF_8))
                + "\")\n"
                + data
                + "  (func $recurse (param $n i32) (result i32)\n"
                + "    (i32.add (call $recurse (i32.add (local.get $n) (i32.const 1))) (i32.const 1)))\n"
                + "  (func $hostile (result i32)\n" + body + ")\n"
                + "  (func (export \"process_block\") (result i32)\n"
                + "    (local $d i32)\n"
                + "    (if (i32.ge_u (call $height) (i32.const " + hostileFrom + ")) (then (return (call $hostile))))\n"
                + "    (drop (call $set_state (i32.const 0) (i32.const 16)))\n"
                + "    (local.set $d (i32.add (i32.const 48) (call $height)))\n"
                + "    (i32.store8 (i32.const " + digitAt + ") (local.get $d))\n"
                + "    (i32.store8 (i32.const " + keyDigitAt + ") (local.get $d))\n"
                + "    (i32.store8 (i32.const " + afterDigitAt + ") (local.get $d))\n"
                + "    (i32.const " + MESSAGE_AT + "))\n"
                + ")\n";
    }

    /** A WAT data string: a 4-byte little-endian length, then {@code bytes}, escaped. */
    static String lengthPrefixed(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        int n = bytes.length;
        for (int i = 0; i < 4; i++) {
            s.append(String.format("\\%02x", (n >>> (8 * i)) & 0xff));
        }
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                s.append((char) c);
            } else {
                s.append(String.format("\\%02x", c));
            }
        }
        return s.toString();
    }

    /** Compiles {@code watText} to {@code dir/name.wasm}. */
    static Path compile(Path dir, String name, String watText) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path src = dir.resolve(name + ".wat");
        Path out = dir.resolve(name + ".wasm");
        Files.writeString(src, watText);
        Process p = new ProcessBuilder(System.getProperty("wat2wasm", "wat2wasm"), src.toString(), "-o",
                out.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("wat2wasm timed out on " + src);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("wat2wasm failed on " + src + " (exit " + p.exitValue() + "):\n" + output
                    + "\n" + watText);
        }
        return out;
    }
}
