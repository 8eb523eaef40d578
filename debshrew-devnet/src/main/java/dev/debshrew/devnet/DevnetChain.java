package dev.debshrew.devnet;

import dev.debshrew.devnet.DevnetBlock.Outpoint;
import dev.debshrew.devnet.DevnetBlock.Utxo;
import dev.debshrew.util.Hex;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A deterministic chain generator producing blocks in real Bitcoin serialisation.
 *
 * <p>Branch 0 starts at genesis. {@link #fork(int, long)} creates a branch that shares its parent's
 * blocks below the fork height and generates its own blocks from the fork height up. A block is
 * fully determined by the seed, its height, its branch and the branch ancestry: the coinbase carries
 * the height (BIP34 push) and a branch tag, and the other 0-3 transactions spend outputs created by
 * earlier blocks of the same branch (a UTXO set is tracked per branch) to a small fixed set of
 * scripts ({@link #scripts()}), some in segwit form with a witness commitment in the coinbase.
 * Headers use regtest difficulty ({@code bits = 0x207fffff}) with a nonce that satisfies it, and
 * {@code time = GENESIS_TIME + 600 * height}.
 *
 * <p>Thread-safe; blocks are generated lazily and cached.
 */
public final class DevnetChain {

    /** Header time of block 0, seconds since the epoch. */
    public static final long GENESIS_TIME = 1_700_000_000L;
    /** Seconds between consecutive header times. */
    public static final long BLOCK_SPACING_SECONDS = 600;
    /** Compact target of every header (regtest). */
    public static final int BITS = 0x207fffff;
    /** Header version of every block. */
    public static final int HEADER_VERSION = 0x20000000;
    /** Coinbase output value in satoshis. */
    public static final long SUBSIDY = 5_000_000_000L;

    private static final long FEE = 1_000L;
    private static final byte[] TAG = "/debshrew-devnet/".getBytes(StandardCharsets.US_ASCII);
    private static final List<byte[]> SCRIPTS = buildScripts();

    private final long seed;
    private final List<Branch> branches = new ArrayList<>();

    private static final class Branch {
        final int id;
        final int parent;
        final long forkHeight;
        final List<DevnetBlock> blocks = new ArrayList<>();
        Map<Outpoint, Utxo> utxos;

        Branch(int id, int parent, long forkHeight) {
            this.id = id;
            this.parent = parent;
            this.forkHeight = forkHeight;
        }
    }

    /** A chain whose every block derives from {@code seed}. */
    public DevnetChain(long seed) {
        this.seed = seed;
        branches.add(new Branch(0, -1, 0));
    }

    /** The seed. */
    public long seed() {
        return seed;
    }

    /** The fixed output scripts used by generated transactions, as hex (4 P2WPKH-like, 2 P2PKH-like). */
    public static List<String> scripts() {
        List<String> r = new ArrayList<>();
        for (byte[] s : SCRIPTS) {
            r.add(Hex.encode(s));
        }
        return r;
    }

    /**
     * Creates a branch that equals {@code parentBranch} below {@code forkHeight} and has its own blocks
     * from {@code forkHeight} up.
     *
     * @return the new branch id
     */
    public synchronized int fork(int parentBranch, long forkHeight) {
        branch(parentBranch);
        if (forkHeight < 1) {
            throw new IllegalArgumentException("fork height must be >= 1 (genesis is shared), got " + forkHeight);
        }
        Branch b = new Branch(branches.size(), parentBranch, forkHeight);
        branches.add(b);
        return b.id;
    }

    /** Number of branches created so far (branch ids are 0 .. count-1). */
    public synchronized int branchCount() {
        return branches.size();
    }

    /** The first height at which {@code branch} has its own blocks (0 for branch 0). */
    public synchronized long forkHeight(int branch) {
        return branch(branch).forkHeight;
    }

    /** The block at {@code height} as seen from {@code branch} (inherited from the parent below the fork). */
    public synchronized DevnetBlock block(int branch, long height) {
        if (height < 0) {
            throw new IllegalArgumentException("height must be >= 0, got " + height);
        }
        Branch b = branch(branch);
        while (height < b.forkHeight) {
            b = branches.get(b.parent);
        }
        while (b.forkHeight + b.blocks.size() <= height) {
            generateNext(b);
        }
        return b.blocks.get((int) (height - b.forkHeight));
    }

    private Branch branch(int id) {
        if (id < 0 || id >= branches.size()) {
            throw new IllegalArgumentException("unknown branch " + id);
        }
        return branches.get(id);
    }

    private void generateNext(Branch b) {
        long h = b.forkHeight + b.blocks.size();
        if (b.utxos == null) {
            b.utxos = new LinkedHashMap<>();
            if (b.parent >= 0) {
                for (long i = 0; i < b.forkHeight; i++) {
                    apply(b.utxos, block(b.parent, i));
                }
            }
        }
        byte[] prev = h == 0 ? new byte[32] : block(b.id, h - 1).hashBytes();
        DevnetBlock blk = generate(b.id, h, prev, b.utxos);
        b.blocks.add(blk);
        apply(b.utxos, blk);
    }

    private static void apply(Map<Outpoint, Utxo> utxos, DevnetBlock blk) {
        for (Outpoint o : blk.spent()) {
            utxos.remove(o);
        }
        for (Utxo u : blk.created()) {
            utxos.put(u.outpoint(), u);
        }
    }

    private static long mix(long seed, long branch, long height) {
        long x = seed * 0x9E3779B97F4A7C15L ^ (branch + 1) * 0xC2B2AE3D27D4EB4FL ^ (height + 1) * 0x165667B19E3779F9L;
        x ^= x >>> 31;
        x *= 0xBF58476D1CE4E5B9L;
        return x ^ (x >>> 29);
    }

    /** A transaction under construction. */
    private static final class Tx {
        final List<Outpoint> ins = new ArrayList<>();
        final List<byte[]> scriptSigs = new ArrayList<>();
        final List<List<byte[]>> witnesses = new ArrayList<>();
        final List<Long> values = new ArrayList<>();
        final List<byte[]> scripts = new ArrayList<>();
        int version = 2;
        long sequence = 0xfffffffdL;
        boolean segwit;

        byte[] serialize(boolean withWitness) {
            BtcWriter w = new BtcWriter().u32(version);
            boolean wit = withWitness && segwit;
            if (wit) {
                w.u8(0).u8(1);
            }
            w.varint(ins.size());
            for (int i = 0; i < ins.size(); i++) {
                Outpoint o = ins.get(i);
                w.bytes(Hex.decode(o.txidInternal())).u32(o.vout() & 0xffffffffL).varBytes(scriptSigs.get(i)).u32(sequence);
            }
            w.varint(values.size());
            for (int i = 0; i < values.size(); i++) {
                w.u64(values.get(i)).varBytes(scripts.get(i));
            }
            if (wit) {
                for (List<byte[]> stack : witnesses) {
                    w.varint(stack.size());
                    for (byte[] item : stack) {
                        w.varBytes(item);
                    }
                }
            }
            return w.u32(0).toByteArray();
        }
    }

    private DevnetBlock generate(int branch, long height, byte[] prevInternal, Map<Outpoint, Utxo> utxos) {
        SplittableRandom rng = new SplittableRandom(mix(seed, branch, height));
        List<Utxo> available = new ArrayList<>(utxos.values());
        int nTx = available.isEmpty() ? 0 : 1 + rng.nextInt(3);
        List<Tx> txs = new ArrayList<>();
        List<Outpoint> spent = new ArrayList<>();
        for (int t = 0; t < nTx && !available.isEmpty(); t++) {
            Tx tx = new Tx();
            int nIn = Math.min(available.size(), 1 + rng.nextInt(2));
            long total = 0;
            for (int i = 0; i < nIn; i++) {
                Utxo u = available.remove(rng.nextInt(available.size()));
                total += u.value();
                tx.ins.add(u.outpoint());
                spent.add(u.outpoint());
                byte[] sig = randomBytes(rng, 72);
                sig[0] = 0x30;
                sig[71] = 0x01;
                byte[] pub = randomBytes(rng, 33);
                pub[0] = 0x02;
                if (u.script()[0] == 0x00) { // P2WPKH-like: empty scriptSig, witness [sig, pubkey]
                    tx.scriptSigs.add(new byte[0]);
                    tx.witnesses.add(List.of(sig, pub));
                    tx.segwit = true;
                } else {
                    tx.scriptSigs.add(concat(BtcWriter.push(sig), BtcWriter.push(pub)));
                    tx.witnesses.add(List.of());
                }
            }
            long fee = total > 10 * FEE ? FEE : 0;
            long spendable = total - fee;
            int nOut = spendable >= 2 ? 1 + rng.nextInt(2) : 1;
            if (nOut == 2) {
                long first = 1 + rng.nextLong(spendable - 1);
                tx.values.add(first);
                tx.values.add(spendable - first);
            } else {
                tx.values.add(spendable);
            }
            for (int i = 0; i < nOut; i++) {
                tx.scripts.add(SCRIPTS.get(rng.nextInt(SCRIPTS.size())));
            }
            txs.add(tx);
        }
        boolean segwitBlock = txs.stream().anyMatch(x -> x.segwit);

        // coinbase
        Tx cb = new Tx();
        cb.version = 1;
        cb.sequence = 0xffffffffL;
        cb.ins.add(new Outpoint(Hex.encode(new byte[32]), -1));
        byte[] branchTag = new BtcWriter().u32(branch).u64(seed).toByteArray();
        cb.scriptSigs.add(concat(BtcWriter.push(BtcWriter.scriptNum(height)), BtcWriter.push(TAG), BtcWriter.push(branchTag)));
        cb.values.add(SUBSIDY);
        cb.scripts.add(SCRIPTS.get(rng.nextInt(SCRIPTS.size())));
        if (segwitBlock) {
            byte[] reserved = new byte[32];
            List<byte[]> wtxids = new ArrayList<>();
            wtxids.add(new byte[32]);
            for (Tx tx : txs) {
                wtxids.add(BtcWriter.dsha256(tx.serialize(true)));
            }
            byte[] commitment = BtcWriter.dsha256(BtcWriter.merkleRoot(wtxids), reserved);
            cb.values.add(0L);
            cb.scripts.add(concat(Hex.decode("6a24aa21a9ed"), commitment));
            cb.witnesses.add(List.of(reserved));
            cb.segwit = true;
        } else {
            cb.witnesses.add(List.of());
        }
        txs.add(0, cb);

        List<byte[]> txidsInternal = new ArrayList<>();
        List<String> txidsDisplay = new ArrayList<>();
        List<Utxo> created = new ArrayList<>();
        BtcWriter body = new BtcWriter().varint(txs.size());
        for (Tx tx : txs) {
            byte[] txid = BtcWriter.dsha256(tx.serialize(false));
            txidsInternal.add(txid);
            txidsDisplay.add(Hex.encode(BtcWriter.reversed(txid)));
            body.bytes(tx.serialize(true));
            for (int v = 0; v < tx.values.size(); v++) {
                byte[] script = tx.scripts.get(v);
                if (script.length > 0 && script[0] == 0x6a) {
                    continue; // OP_RETURN, unspendable
                }
                created.add(new Utxo(new Outpoint(Hex.encode(txid), v), tx.values.get(v), script));
            }
        }
        byte[] merkle = BtcWriter.merkleRoot(txidsInternal);
        long time = GENESIS_TIME + BLOCK_SPACING_SECONDS * height;
        long nonce = rng.nextLong() & 0xffffffffL;
        byte[] header;
        byte[] hash;
        while (true) {
            header = new BtcWriter().u32(HEADER_VERSION).bytes(prevInternal).bytes(merkle).u32(time).u32(BITS).u32(nonce)
                    .toByteArray();
            hash = BtcWriter.dsha256(header);
            if ((hash[31] & 0xff) < 0x7f) { // display-order first byte below the regtest target's 0x7f
                break;
            }
            nonce = (nonce + 1) & 0xffffffffL;
        }
        byte[] raw = concat(header, body.toByteArray());
        return new DevnetBlock(height, branch, raw, hash, prevInternal, merkle, time, txidsDisplay, spent, created);
    }

    private static byte[] randomBytes(SplittableRandom rng, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) rng.nextInt(256);
        }
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        BtcWriter w = new BtcWriter();
        for (byte[] p : parts) {
            w.bytes(p);
        }
        return w.toByteArray();
    }

    private static List<byte[]> buildScripts() {
        List<byte[]> r = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            byte[] h20 = new byte[20];
            System.arraycopy(BtcWriter.sha256(("debshrew-devnet-script-" + i).getBytes(StandardCharsets.US_ASCII)), 0, h20, 0, 20);
            if (i < 4) {
                r.add(concat(Hex.decode("0014"), h20));
            } else {
                r.add(concat(Hex.decode("76a914"), h20, Hex.decode("88ac")));
            }
        }
        return List.copyOf(r);
    }
}
