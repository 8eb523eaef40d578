package dev.debshrew.testing;

import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.transform.BlockContext;
import dev.debshrew.transform.BlockOutput;
import dev.debshrew.transform.StateChanges;
import dev.debshrew.transform.Transform;
import dev.debshrew.util.Hex;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * The reference output of a run whose module changed at some heights (hot reload): the devnet's
 * current chain processed block by block from 0, strictly in order, on a plain in-memory state,
 * each block by the module {@code moduleAt} names for its height. Independent of the engine.
 */
public final class SwitchedReference {

    private SwitchedReference() {
    }

    /** The messages of blocks {@code 0..devnet.height()}, block {@code h} run by {@code moduleAt.apply(h)}. */
    public static List<CdcMessage> messages(DevnetServer devnet, LongFunction<Transform> moduleAt) throws Exception {
        Map<ByteBuffer, byte[]> state = new HashMap<>();
        List<CdcMessage> out = new ArrayList<>();
        try (MetashrewClient client = MetashrewClient.builder(devnet.url()).readTimeout(Duration.ofSeconds(10))
                .build()) {
            long tip = devnet.height();
            for (long h = 0; h <= tip; h++) {
                BlockOutput o = moduleAt.apply(h).process(new BlockContext(h, Hex.decode(devnet.blockHash(h))),
                        client::view, key -> state.get(ByteBuffer.wrap(key)));
                out.addAll(o.messages());
                for (StateChanges.Entry e : o.stateChanges().entries()) {
                    if (e.isDelete()) {
                        state.remove(ByteBuffer.wrap(e.key()));
                    } else {
                        state.put(ByteBuffer.wrap(e.key().clone()), e.value().clone());
                    }
                }
            }
        }
        return out;
    }
}
