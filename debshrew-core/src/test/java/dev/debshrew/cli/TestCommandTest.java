package dev.debshrew.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.journal.InMemoryChainStore;
import dev.debshrew.sink.console.ConsoleSink;
import dev.debshrew.testing.Examples;
import dev.debshrew.testing.Pipeline;
import dev.debshrew.testing.WatFixture;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLimits;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** {@code debshrew test}: real example modules against the embedded devnet and a separate one. */
class TestCommandTest {

    @TempDir
    Path dir;

    /** The command sets log levels: give later tests the default configuration back. */
    @AfterEach
    void restoreLogging() throws Exception {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        new ContextInitializer(ctx).autoConfig();
    }

    private static List<String> messageLines(String stdout) {
        return Arrays.stream(stdout.split("\n")).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    private static long blockHeight(String json) {
        try {
            return CdcCodec.mapper().readTree(json).at("/header/block_height").asLong(-1);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    @Test
    void printsWhatTheDaemonWritesOnTheEmbeddedAndOnASeparateDevnet() throws Exception {
        Path txindex = Examples.assemblyScript("txindex");
        ByteArrayOutputStream daemonOut = new ByteArrayOutputStream();
        List<String> daemonLines;
        try (DevnetServer devnet = DevnetServer.builder().build().start(0);
                Transform t = Transform.load(txindex, TransformLimits.defaults())) {
            try (Pipeline p = new Pipeline(devnet, t, new InMemoryChainStore(6),
                    new ConsoleSink(new PrintStream(daemonOut, true, StandardCharsets.UTF_8), false), 0L)) {
                p.awaitCaughtUp(Duration.ofSeconds(120));
            }
            daemonLines = messageLines(daemonOut.toString(StandardCharsets.UTF_8));
            assertThat(daemonLines).as("the daemon's messages for blocks 0..10").hasSizeGreaterThan(11);

            CliTest.Result separate = CliTest.run("test", "-t", txindex.toString(), "-m", devnet.url(),
                    "--from", "0", "--to", "10", "--quiet");
            assertThat(separate.status()).as(separate.err()).isZero();
            assertThat(separate.out().split("\n")).as("--quiet prints only the messages")
                    .containsExactlyElementsOf(daemonLines);
        }
        CliTest.Result embedded = CliTest.run("test", "-t", txindex.toString(), "--from", "0", "--to", "10");
        assertThat(embedded.status()).as(embedded.err()).isZero();
        assertThat(messageLines(embedded.out())).containsExactlyElementsOf(daemonLines);
        // each block's summary counts exactly the messages printed for it
        for (long h = 0; h <= 10; h++) {
            long height = h;
            long printed = daemonLines.stream().filter(l -> blockHeight(l) == height).count();
            assertThat(embedded.out()).containsPattern("(?m)^# block " + h + " [0-9a-f]{64}: " + printed
                    + " messages, \\d+ state writes, \\d+ view calls, \\d+ ms$");
        }
        assertThat(embedded.out()).containsPattern("(?m)^# total: blocks 0\\.\\.10 \\(11\\), " + daemonLines.size()
                + " messages, ");
    }

    @Test
    void summaryCountsLogsAndStateWritesPerBlock() throws Exception {
        Path probe = WatFixture.compile("probe", dir);
        CliTest.Result r = CliTest.run("test", "-t", probe.toString(), "--from", "0", "--to", "3");
        assertThat(r.status()).as(r.err()).isZero();
        for (int h = 0; h <= 3; h++) {
            assertThat(r.out()).containsPattern("(?m)^# block " + h + " [0-9a-f]{64}: 2 messages, 2 state writes,"
                    + " 0 view calls, \\d+ ms$");
            assertThat(r.out()).contains("# " + h + " stdout | out-", "# " + h + " stderr | err-b");
        }
        assertThat(r.out()).contains("# total: blocks 0..3 (4), 8 messages, 8 state writes, 0 view calls");
        assertThat(messageLines(r.out())).hasSize(8);
        // the guest's lines of a block come before its messages and its summary
        String out = r.out();
        assertThat(out.indexOf("# 1 stderr | err-b")).isGreaterThan(out.indexOf("# block 0 "))
                .isLessThan(out.indexOf("# block 1 "));
    }

    @Test
    void goldenFileMatchesAndAnyDifferenceNamesTheLine() throws Exception {
        Path blocks = Examples.assemblyScript("blocks");
        Path golden = dir.resolve("golden/blocks.jsonl");
        CliTest.Result write = CliTest.run("test", "-t", blocks.toString(), "--from", "0", "--to", "5",
                "--output", golden.toString(), "-q");
        assertThat(write.status()).as(write.err()).isZero();
        List<String> lines = Files.readAllLines(golden);
        assertThat(lines).as("one message per block").hasSize(6).containsExactlyElementsOf(messageLines(write.out()));

        CliTest.Result ok = CliTest.run("test", "-t", blocks.toString(), "--from", "0", "--to", "5",
                "--expect", golden.toString(), "-q");
        assertThat(ok.status()).as(ok.err()).isZero();
        assertThat(ok.err()).contains("OK, 6 messages match " + golden);
        Path rust = Examples.rustOrNull("blocks");
        if (rust != null) {
            CliTest.Result rustRun = CliTest.run("test", "-t", rust.toString(), "--from", "0", "--to", "5",
                    "--expect", golden.toString(), "-q");
            assertThat(rustRun.status()).as("the Rust build meets the same golden file: " + rustRun.err()).isZero();
        }

        // key order and spacing do not matter: the lines are compared as JSON
        List<String> reordered = new ArrayList<>(lines);
        var node = (com.fasterxml.jackson.databind.node.ObjectNode) CdcCodec.mapper().readTree(lines.get(0));
        var payloadFirst = CdcCodec.mapper().createObjectNode();
        payloadFirst.set("payload", node.get("payload"));
        payloadFirst.set("header", node.get("header"));
        reordered.set(0, CdcCodec.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(payloadFirst)
                .replace("\n", " "));
        Files.write(golden, reordered);
        assertThat(CliTest.run("test", "-t", blocks.toString(), "--from", "0", "--to", "5", "--expect",
                golden.toString(), "-q").status()).isZero();

        List<String> changed = new ArrayList<>(lines);
        changed.set(2, changed.get(2).replace("\"key\":\"2\"", "\"key\":\"two\""));
        assertThat(changed.get(2)).isNotEqualTo(lines.get(2));
        Files.write(golden, changed);
        CliTest.Result diff = CliTest.run("test", "-t", blocks.toString(), "--from", "0", "--to", "5",
                "--expect", golden.toString(), "-q");
        assertThat(diff.status()).isEqualTo(ExitStatus.MISMATCH);
        assertThat(diff.err()).contains("first difference at line 3 of " + golden, "block 2",
                "expected: " + changed.get(2), "actual:   " + lines.get(2));

        Files.write(golden, lines.subList(0, 5));
        CliTest.Result extra = CliTest.run("test", "-t", blocks.toString(), "--from", "0", "--to", "5",
                "--expect", golden.toString(), "-q");
        assertThat(extra.status()).isEqualTo(ExitStatus.MISMATCH);
        assertThat(extra.err()).contains("the run produced 6 messages", "holds 5", "block 5", "<end of file>");
    }

    @Test
    void prettyAndDebeziumFormats() throws Exception {
        Path blocks = Examples.assemblyScript("blocks");
        CliTest.Result pretty = CliTest.run("test", "-t", blocks.toString(), "--from", "1", "--to", "2",
                "--format", "pretty", "-q");
        assertThat(pretty.status()).as(pretty.err()).isZero();
        var parser = CdcCodec.mapper().createParser(pretty.out());
        com.fasterxml.jackson.databind.JsonNode first = CdcCodec.mapper().readTree(parser);
        com.fasterxml.jackson.databind.JsonNode second = CdcCodec.mapper().readTree(parser);
        assertThat(first.at("/header/block_height").asLong()).isEqualTo(1);
        assertThat(second.at("/header/block_height").asLong()).isEqualTo(2);
        assertThat(pretty.out()).contains("\n  \"header\" : {");

        CliTest.Result debezium = CliTest.run("test", "-t", blocks.toString(), "--from", "1", "--to", "2",
                "--format", "debezium", "-q");
        assertThat(debezium.status()).as(debezium.err()).isZero();
        List<String> lines = messageLines(debezium.out());
        assertThat(lines).hasSize(2);
        for (String l : lines) {
            var env = CdcCodec.mapper().readTree(l);
            assertThat(env.get("op").asText()).isEqualTo("c");
            assertThat(env.at("/after/height").isNumber()).as(l).isTrue();
        }
    }

    @Test
    void clearErrors() throws Exception {
        Path blocks = Examples.assemblyScript("blocks");
        Path missing = dir.resolve("nope.wasm");
        CliTest.Result noModule = CliTest.run("test", "-t", missing.toString(), "--from", "0", "--to", "1");
        assertThat(noModule.status()).isEqualTo(ExitStatus.CONFIGURATION);
        assertThat(noModule.err()).contains("transform module not found: " + missing);

        Path garbage = dir.resolve("garbage.wasm");
        Files.writeString(garbage, "not wasm");
        CliTest.Result bad = CliTest.run("test", "-t", garbage.toString(), "--from", "0", "--to", "1");
        assertThat(bad.status()).isEqualTo(ExitStatus.CONFIGURATION);
        assertThat(bad.err()).contains("cannot load transform", garbage.toString(), "not a valid WebAssembly module");

        CliTest.Result range = CliTest.run("test", "-t", blocks.toString(), "--from", "5", "--to", "4");
        assertThat(range.status()).isEqualTo(ExitStatus.CONFIGURATION);
        assertThat(range.err()).contains("--from 5 --to 4");

        CliTest.Result noGolden = CliTest.run("test", "-t", blocks.toString(), "--from", "0", "--to", "1",
                "--expect", dir.resolve("absent.jsonl").toString());
        assertThat(noGolden.status()).isEqualTo(ExitStatus.CONFIGURATION);
        assertThat(noGolden.err()).contains("cannot read the golden file", "absent.jsonl");

        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        CliTest.Result unreachable = CliTest.run("test", "-t", blocks.toString(), "-m",
                "http://127.0.0.1:" + closedPort + "/", "--from", "0", "--to", "1");
        assertThat(unreachable.status()).isEqualTo(ExitStatus.TRANSIENT);
        assertThat(unreachable.err()).contains("cannot reach the metashrew node at http://127.0.0.1:" + closedPort);

        CliTest.Result aboveTip = CliTest.run("test", "-t", blocks.toString(), "-m", "http://127.0.0.1:1/",
                "--from", "0");
        assertThat(aboveTip.status()).as("usage error: --to is required").isEqualTo(2);
        assertThat(aboveTip.err()).contains("--to");

        Path probe = WatFixture.compile("probe", dir);
        CliTest.Result failing = CliTest.run("test", "-t", probe.toString(), "--from", "2", "--to", "6");
        assertThat(failing.status()).isEqualTo(ExitStatus.NEEDS_OPERATOR);
        assertThat(failing.err()).contains("failed at block 4", "[TRAP]", "err-b");
        assertThat(failing.out()).contains("# block 3 ").doesNotContain("# block 4 ").doesNotContain("# total");
    }
}
