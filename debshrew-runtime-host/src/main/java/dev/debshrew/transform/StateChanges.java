package dev.debshrew.transform;

import java.util.ArrayList;
import java.util.List;

/** PLACEHOLDER until the host branch lands. */
public final class StateChanges {
    public record Entry(byte[] key, byte[] value) {}
    private final List<Entry> entries = new ArrayList<>();
    public void put(byte[] key, byte[] value) { entries.add(new Entry(key, value)); }
    public void delete(byte[] key) { entries.add(new Entry(key, null)); }
    public List<Entry> entries() { return entries; }
    public boolean isEmpty() { return entries.isEmpty(); }
    public int size() { return entries.size(); }
}
