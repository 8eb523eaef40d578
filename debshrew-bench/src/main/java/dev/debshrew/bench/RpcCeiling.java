package dev.debshrew.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.debshrew.devnet.RecordedRequest;
import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.metashrew.MetashrewException;
import dev.debshrew.metashrew.VersionLine;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The node ceiling of the view-heavy workloads: a plain sequential loop over the same node doing,
 * per block, {@code metashrew_getblockhash} and the view calls the transform made at that height
 * (taken from the devnet's record of the run), one request at a time.
 */
final class RpcCeiling {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** One view call: name, input and height. */
    record ViewCall(String name, byte[] input, long height) {
    }

    private RpcCeiling() {
    }

    /**
     * The distinct view calls in {@code recorded}, by height (the devnet keeps the last 10,000
     * requests, so a long run contributes its last blocks: enough for a rate).
     */
    static Map<Long, List<ViewCall>> viewsByHeight(List<RecordedRequest> recorded) throws IOException {
        Map<Long, Set<String>> seen = new TreeMap<>();
        Map<Long, List<ViewCall>> out = new TreeMap<>();
        for (RecordedRequest r : recorded) {
            if (!"metashrew_view".equals(r.method()) || r.params() == null) {
                continue;
            }
            JsonNode p = MAPPER.readTree(r.params());
            JsonNode hp = p.get(2);
            if (hp == null || !(hp.isIntegralNumber() || hp.asText().matches("\\d{1,18}"))) {
                continue; // the client's version-line probe (height 0.5), not a transform's call
            }
            long height = hp.asLong();
            String input = p.get(1).asText();
            if (seen.computeIfAbsent(height, h -> new LinkedHashSet<>()).add(p.get(0).asText() + "\n" + input)) {
                byte[] bytes = HexFormat.of().parseHex(input.startsWith("0x") ? input.substring(2) : input);
                out.computeIfAbsent(height, h -> new ArrayList<>()).add(new ViewCall(p.get(0).asText(), bytes, height));
            }
        }
        return out;
    }

    /** Runs the loop over {@code views}' heights against a node of version line {@code line}; returns blocks per second. */
    static double blocksPerSecond(String nodeUrl, VersionLine line, Map<Long, List<ViewCall>> views)
            throws MetashrewException {
        if (views.isEmpty()) {
            throw new IllegalStateException("the devnet recorded no metashrew_view calls: not a view-heavy transform");
        }
        try (MetashrewClient client = MetashrewClient.builder(nodeUrl).versionLine(line).build()) {
            long t0 = System.nanoTime();
            for (Map.Entry<Long, List<ViewCall>> e : views.entrySet()) {
                client.blockHash(e.getKey());
                for (ViewCall v : e.getValue()) {
                    client.view(v.name(), v.input(), v.height());
                }
            }
            return views.size() / ((System.nanoTime() - t0) / 1e9);
        }
    }
}
