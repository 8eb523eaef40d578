package dev.debshrew.devnet;

import dev.debshrew.util.Hex;
import java.util.List;

/**
 * One block of a {@link DevnetChain}: its height and branch, its raw Bitcoin serialisation and the
 * hashes derived from it. Hashes returned as strings are lowercase hex in display order (reversed,
 * as {@code bitcoin-cli} shows them). Instances are immutable.
 */
public final class DevnetBlock {

    /** An outpoint: txid in internal byte order (hex) and output index. */
    record Outpoint(String txidInternal, int vout) {
    }

    /** An unspent output as tracked by the generator. */
    record Utxo(Outpoint outpoint, long value, byte[] script) {
    }

    private final long height;
    private final int branch;
    private final byte[] raw;
    private final byte[] hashInternal;
    private final byte[] prevInternal;
    private final byte[] merkleInternal;
    private final long time;
    private final List<String> txids;
    private final List<Outpoint> spent;
    private final List<Utxo> created;

    DevnetBlock(long height, int branch, byte[] raw, byte[] hashInternal, byte[] prevInternal, byte[] merkleInternal,
            long time, List<String> txids, List<Outpoint> spent, List<Utxo> created) {
        this.height = height;
        this.branch = branch;
        this.raw = raw;
        this.hashInternal = hashInternal;
        this.prevInternal = prevInternal;
        this.merkleInternal = merkleInternal;
        this.time = time;
        this.txids = List.copyOf(txids);
        this.spent = List.copyOf(spent);
        this.created = List.copyOf(created);
    }

    /** Height of the block. */
    public long height() {
        return height;
    }

    /** Branch that generated this block (0 is the initial chain; see {@link DevnetChain#fork}). */
    public int branch() {
        return branch;
    }

    /** A copy of the raw block: 80-byte header, varint tx count, transactions. */
    public byte[] raw() {
        return raw.clone();
    }

    /** Block hash, display order hex (dSHA256 of the header, reversed). */
    public String hash() {
        return Hex.encode(BtcWriter.reversed(hashInternal));
    }

    /** Block hash, internal byte order (as it appears in the next block's header). */
    public byte[] hashBytes() {
        return hashInternal.clone();
    }

    /** Previous block hash, display order hex (all zeros for height 0). */
    public String prevHash() {
        return Hex.encode(BtcWriter.reversed(prevInternal));
    }

    /** Merkle root, display order hex. */
    public String merkleRoot() {
        return Hex.encode(BtcWriter.reversed(merkleInternal));
    }

    /** Header time in seconds since the epoch. */
    public long time() {
        return time;
    }

    /** Txids in block order, display order hex. */
    public List<String> txids() {
        return txids;
    }

    /** Number of transactions, coinbase included. */
    public int txCount() {
        return txids.size();
    }

    List<Outpoint> spent() {
        return spent;
    }

    List<Utxo> created() {
        return created;
    }

    @Override
    public String toString() {
        return "DevnetBlock{height=" + height + ", branch=" + branch + ", hash=" + hash() + ", txs=" + txids.size() + "}";
    }
}
