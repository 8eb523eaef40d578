package dev.debshrew.sink.console;

import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.sink.BlockChange;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.Sink;
import dev.debshrew.sink.SinkBatch;
import dev.debshrew.sink.SinkException;
import dev.debshrew.sink.format.OutputFormat;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Prints CDC messages to standard output, one batch at a time (a batch that cannot be rendered
 * prints nothing), in the native or the Debezium format,
 * compact (one line per message) or pretty-printed. Keeps no cursor: a restarted daemon with only
 * a console sink starts again from {@code start_height}.
 */
public final class ConsoleSink implements Sink {

    private final CdcCodec codec = new CdcCodec();
    private final PrintStream out;
    private final ConsoleSinkConfig config;

    /**
     * @param out    where to print (normally {@code System.out})
     * @param pretty pretty-print each native message instead of one compact JSON line
     */
    public ConsoleSink(PrintStream out, boolean pretty) {
        this(out, new ConsoleSinkConfig(pretty, OutputFormat.NATIVE));
    }

    public ConsoleSink(PrintStream out, ConsoleSinkConfig config) {
        this.out = out;
        this.config = config;
    }

    @Override
    public String name() {
        return "console";
    }

    @Override
    public boolean keepsCursor() {
        return false;
    }

    @Override
    public Optional<Cursor> open() {
        return Optional.empty();
    }

    /** Renders every message of the batch first, so a batch that cannot be serialised prints nothing. */
    @Override
    public void commit(SinkBatch batch) throws SinkException {
        List<String> lines = new ArrayList<>(batch.messageCount());
        for (BlockChange block : batch.blocks()) {
            List<CdcMessage> messages = block.messages();
            for (int i = 0; i < messages.size(); i++) {
                CdcMessage message = messages.get(i);
                try {
                    lines.add(render(message, i));
                } catch (RuntimeException | IOException e) {
                    throw new SinkException("console sink: cannot serialise the message of table '"
                            + message.payload().table() + "' key '" + message.payload().key() + "': " + e.getMessage(), e);
                }
            }
        }
        for (String s : lines) {
            out.println(s);
        }
        out.flush();
    }

    private String render(CdcMessage m, int index) throws IOException {
        if (config.format() == OutputFormat.NATIVE) {
            return config.pretty() ? codec.encodePretty(m) : codec.encode(m);
        }
        byte[] bytes = config.format().encode(m, index);
        if (!config.pretty()) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return CdcCodec.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(CdcCodec.mapper().readTree(bytes));
    }

    @Override
    public void close() {
        out.flush();
    }
}
