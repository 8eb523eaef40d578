package dev.debshrew.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.debshrew.devnet.RawBlockParser.Block;
import dev.debshrew.devnet.RawBlockParser.Input;
import dev.debshrew.devnet.RawBlockParser.Output;
import dev.debshrew.devnet.RawBlockParser.Tx;
import dev.debshrew.util.Hex;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DevnetChainTest {

    private static final int BLOCKS = 60;

    @Test
    void blocksParseAsValidBitcoinBlocks() {
        DevnetChain chain = new DevnetChain(42);
        String prevHash = "00".repeat(32);
        for (long h = 0; h < BLOCKS; h++) {
            DevnetBlock blk = chain.block(0, h);
            Block b = RawBlockParser.parse(blk.raw());
            assertThat(b.version()).isEqualTo(DevnetChain.HEADER_VERSION);
            assertThat(b.time()).isEqualTo(DevnetChain.GENESIS_TIME + 600 * h).isEqualTo(blk.time());
            assertThat(b.bits()).isEqualTo(0x207fffffL);
            assertThat(b.hashDisplay()).isEqualTo(blk.hash());
            assertThat(b.prevDisplay()).isEqualTo(prevHash).isEqualTo(blk.prevHash());
            // proof of work against the regtest target
            BigInteger target = BigInteger.valueOf(0x7fffff).shiftLeft(8 * (0x20 - 3));
            assertThat(new BigInteger(1, RawBlockParser.reverse(b.hash()))).isLessThanOrEqualTo(target);
            // merkle root of txids
            List<byte[]> txids = b.txs().stream().map(Tx::txid).toList();
            assertThat(RawBlockParser.merkle(txids)).isEqualTo(b.merkle());
            assertThat(Hex.encode(RawBlockParser.reverse(b.merkle()))).isEqualTo(blk.merkleRoot());
            assertThat(b.txs().stream().map(Tx::txidDisplay).toList()).isEqualTo(blk.txids());
            assertThat(b.txs()).hasSize(blk.txCount()).hasSizeBetween(1, 4);
            // coinbase: null prevout, BIP34 height push
            Tx cb = b.txs().get(0);
            assertThat(cb.inputs()).hasSize(1);
            assertThat(cb.inputs().get(0).isCoinbase()).isTrue();
            assertThat(bip34Height(cb.inputs().get(0).scriptSig())).isEqualTo(h);
            assertThat(cb.inputs().get(0).scriptSig().length).isBetween(2, 100);
            for (Tx tx : b.txs().subList(1, b.txs().size())) {
                assertThat(tx.inputs()).noneMatch(Input::isCoinbase);
            }
            prevHash = blk.hash();
        }
        assertThat(chain.block(0, 0).txCount()).isEqualTo(1);
        assertThat(chain.block(0, 1).txCount()).isGreaterThan(1);
    }

    private static long bip34Height(byte[] scriptSig) {
        int len = scriptSig[0] & 0xff;
        if (len == 0) {
            return 0;
        }
        long v = 0;
        for (int i = 0; i < len; i++) {
            v |= (long) (scriptSig[1 + i] & 0xff) << (8 * i);
        }
        return v;
    }

    @Test
    void segwitTransactionsHaveValidWitnessCommitmentAndTxidExcludesWitness() {
        DevnetChain chain = new DevnetChain(42);
        int segwitTxs = 0;
        int legacyTxs = 0;
        for (long h = 0; h < BLOCKS; h++) {
            Block b = RawBlockParser.parse(chain.block(0, h).raw());
            boolean anySegwit = b.txs().stream().skip(1).anyMatch(Tx::segwit);
            for (Tx tx : b.txs().subList(1, b.txs().size())) {
                if (tx.segwit()) {
                    segwitTxs++;
                    assertThat(tx.txid()).isNotEqualTo(tx.wtxid());
                    assertThat(tx.inputs()).anyMatch(in -> in.witness().size() == 2 && in.scriptSig().length == 0);
                } else {
                    legacyTxs++;
                    assertThat(tx.txid()).isEqualTo(tx.wtxid());
                }
            }
            Tx cb = b.txs().get(0);
            byte[] commitmentScript = cb.outputs().stream().map(Output::script)
                    .filter(s -> s.length == 38 && Hex.encode(Arrays.copyOf(s, 6)).equals("6a24aa21a9ed")).findFirst().orElse(null);
            if (anySegwit) {
                assertThat(commitmentScript).as("witness commitment at height %d", h).isNotNull();
                List<byte[]> wtxids = new ArrayList<>();
                wtxids.add(new byte[32]);
                b.txs().stream().skip(1).forEach(t -> wtxids.add(t.wtxid()));
                byte[] reserved = cb.inputs().get(0).witness().get(0);
                byte[] expected = RawBlockParser.dsha(RawBlockParser.merkle(wtxids), reserved);
                assertThat(Arrays.copyOfRange(commitmentScript, 6, 38)).isEqualTo(expected);
            } else {
                assertThat(commitmentScript).isNull();
                assertThat(cb.segwit()).isFalse();
            }
        }
        assertThat(segwitTxs).isPositive();
        assertThat(legacyTxs).isPositive();
    }

    @Test
    void transactionsSpendEarlierOutputsOfTheSameBranchAndBalancesMoveBothWays() {
        DevnetChain chain = new DevnetChain(7);
        int branch = chain.fork(0, 20);
        Set<String> scripts = new HashSet<>(DevnetChain.scripts());
        assertThat(scripts).hasSize(6);
        for (int br : new int[] {0, branch}) {
            Map<String, Output> utxos = new HashMap<>();
            Map<String, Long> balances = new HashMap<>();
            boolean decreased = false;
            boolean increased = false;
            for (long h = 0; h < BLOCKS; h++) {
                Block b = RawBlockParser.parse(chain.block(br, h).raw());
                Map<String, Long> before = new HashMap<>(balances);
                List<Map.Entry<String, Output>> created = new ArrayList<>();
                for (Tx tx : b.txs()) {
                    long in = 0;
                    for (Input i : tx.inputs()) {
                        if (i.isCoinbase()) {
                            continue;
                        }
                        Output spent = utxos.remove(i.prevKey());
                        assertThat(spent).as("branch %d height %d spends an existing earlier output", br, h).isNotNull();
                        in += spent.value();
                        balances.merge(Hex.encode(spent.script()), -spent.value(), Long::sum);
                    }
                    long out = 0;
                    for (int v = 0; v < tx.outputs().size(); v++) {
                        Output o = tx.outputs().get(v);
                        out += o.value();
                        if (o.script()[0] == 0x6a) {
                            continue;
                        }
                        assertThat(scripts).contains(Hex.encode(o.script()));
                        assertThat(o.value()).isPositive();
                        created.add(Map.entry(Hex.encode(tx.txid()) + ":" + v, o));
                        balances.merge(Hex.encode(o.script()), o.value(), Long::sum);
                    }
                    if (tx != b.txs().get(0)) {
                        assertThat(out).isLessThanOrEqualTo(in);
                    }
                }
                created.forEach(e -> utxos.put(e.getKey(), e.getValue()));
                for (String s : scripts) {
                    long d = balances.getOrDefault(s, 0L) - before.getOrDefault(s, 0L);
                    decreased |= d < 0;
                    increased |= d > 0;
                }
            }
            assertThat(decreased).isTrue();
            assertThat(increased).isTrue();
            assertThat(scripts.stream().filter(s -> s.startsWith("0014") && s.length() == 44)).hasSize(4);
            assertThat(scripts.stream().filter(s -> s.startsWith("76a914") && s.endsWith("88ac"))).hasSize(2);
        }
    }

    @Test
    void deterministicFromSeed() {
        DevnetChain a = new DevnetChain(99);
        DevnetChain b = new DevnetChain(99);
        DevnetChain c = new DevnetChain(100);
        // generate in different orders: results must not depend on it
        b.block(0, 30);
        for (long h = 30; h >= 0; h--) {
            assertThat(a.block(0, h).raw()).isEqualTo(b.block(0, h).raw());
            assertThat(c.block(0, h).hash()).isNotEqualTo(a.block(0, h).hash());
        }
    }

    @Test
    void branchesShareBlocksBelowTheForkAndDifferFromIt() {
        DevnetChain chain = new DevnetChain(5);
        chain.block(0, 15);
        int b1 = chain.fork(0, 10);
        int b2 = chain.fork(b1, 12);
        assertThat(chain.branchCount()).isEqualTo(3);
        assertThat(chain.forkHeight(b1)).isEqualTo(10);
        for (long h = 0; h < 10; h++) {
            assertThat(chain.block(b1, h).hash()).isEqualTo(chain.block(0, h).hash());
            assertThat(chain.block(b2, h).hash()).isEqualTo(chain.block(0, h).hash());
        }
        for (long h = 10; h < 20; h++) {
            assertThat(chain.block(b1, h).hash()).isNotEqualTo(chain.block(0, h).hash());
            assertThat(chain.block(b1, h).prevHash()).isEqualTo(chain.block(b1, h - 1).hash());
            assertThat(chain.block(b1, h).branch()).isEqualTo(b1);
        }
        assertThat(chain.block(b2, 11).hash()).isEqualTo(chain.block(b1, 11).hash());
        assertThat(chain.block(b2, 12).hash()).isNotEqualTo(chain.block(b1, 12).hash());
        assertThat(chain.block(b2, 12).prevHash()).isEqualTo(chain.block(b1, 11).hash());
        // a fresh chain building the branches in another order agrees
        DevnetChain again = new DevnetChain(5);
        int a1 = again.fork(0, 10);
        assertThat(again.block(a1, 19).hash()).isEqualTo(chain.block(b1, 19).hash());
    }

    @Test
    void rejectsBadArguments() {
        DevnetChain chain = new DevnetChain(1);
        assertThatThrownBy(() -> chain.block(0, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> chain.block(3, 1)).hasMessageContaining("unknown branch 3");
        assertThatThrownBy(() -> chain.fork(0, 0)).hasMessageContaining("fork height");
    }
}
