package dev.debshrew.sink.console;

import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.Sink;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Prints CDC messages to standard output, one block at a time (messages are held until the
 * block's flush, so an aborted block prints nothing). Keeps no cursor: a restarted daemon with
 * only a console sink starts again from {@code start_height}.
 */
public final class ConsoleSink implements Sink {

    private final CdcCodec codec = new CdcCodec();
    private final PrintStream out;
    private final boolean pretty;
    private final List<CdcMessage> pending = new ArrayList<>();

    /**
     * @param out    where to print (normally {@code System.out})
     * @param pretty pretty-print each message instead of one compact JSON line
     */
    public ConsoleSink(PrintStream out, boolean pretty) {
        this.out = out;
        this.pretty = pretty;
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

    @Override
    public void send(CdcMessage message) {
        pending.add(message);
    }

    @Override
    public void flush(Cursor cursor) {
        for (CdcMessage m : pending) {
            out.println(pretty ? codec.encodePretty(m) : codec.encode(m));
        }
        pending.clear();
        out.flush();
    }

    @Override
    public void close() {
        pending.clear();
        out.flush();
    }
}
