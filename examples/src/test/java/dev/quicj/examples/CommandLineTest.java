package dev.quicj.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.Hex;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code write-close} and {@code decode} commands: close-spec vectors through the CLI, and bad arguments. */
class CommandLineTest {
    private static final String V2 =
            "c90000000108010203040506070808f067a5502a4262b500800000165eb47111b11b80112bd88dd2f98af57c7fe008dc02b5";
    private static final String V3 =
            "c00000000108010203040506070808f067a5502a4262b500800000151bb43c39b19c5fa53d695144a08da3ee52c14846b2";

    record Result(int status, String out, String err) {
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void noCommandIsAUsageErrorWithItsErrorLineAndHelpIsNot() {
        Result none = run();
        assertEquals(2, none.status());
        assertTrue(none.err().startsWith("error: no command given\nusage: "), none.err());
        assertEquals("", none.out());
        Result help = run("--help");
        assertEquals(0, help.status());
        assertTrue(help.out().startsWith("usage: "), help.out());
        assertEquals("", help.err());
    }

    @Test
    void writeCloseClientGivesVectorV1() throws Exception {
        Result r = run("write-close", "--role", "client", "--version", "1", "--odcid", "8394c8f03e515708", "--dcid",
                "8394c8f03e515708", "--scid", "0102030405060708", "--pn", "1", "--reason", "foo");
        assertEquals(0, r.status(), r.err());
        String hex = r.out().trim();
        assertEquals(2400, hex.length());
        assertTrue(hex.startsWith("cf00000001088394c8f03e51570808010203040506070800800004941a763aabbf61e8adcee1dd9ca4327ce62563678a"));
        assertEquals("02aeed2c22a08429453ca42013e990b96e204992187c893e2ed9c2bf2bf52cbf",
                Hex.encode(MessageDigest.getInstance("SHA-256").digest(Hex.decode(hex))));
    }

    @Test
    void writeCloseServerGivesVectorsV2AndV3() {
        Result v2 = run("write-close", "--role", "server", "--version", "1", "--odcid", "8394c8f03e515708", "--dcid",
                "0102030405060708", "--scid", "f067a5502a4262b5", "--pn", "0", "--error", "0x128");
        assertEquals(V2 + "\n", v2.out());
        Result v3 = run("write-close", "--role", "server", "--version", "1", "--odcid", "8394c8f03e515708", "--dcid",
                "0102030405060708", "--scid", "f067a5502a4262b5", "--pn", "0", "--error", "77", "--app", "--reason",
                "dropped at Initial level");
        assertEquals(V3 + "\n", v3.out());
    }

    @Test
    void writeCloseClientWithTokenAndFrameTypeDecodesBack() {
        Result w = run("write-close", "--role", "client", "--version", "2", "--odcid", "0011223344556677", "--dcid",
                "a1a2a3a4", "--scid", "b1b2", "--pn", "0x7", "--token", "c0ffee", "--error", "0xa", "--frame-type",
                "0x08", "--reason", "bad stream");
        assertEquals(0, w.status(), w.err());
        Result d = run("decode", "--odcid", "0011223344556677", "--hex", w.out().trim());
        assertEquals(0, d.status(), d.out());
        assertTrue(d.out().contains("packet INITIAL version=0x6b3343cf dcid=a1a2a3a4 scid=b1b2 token_len=3 pn=7"),
                d.out());
        assertTrue(d.out().contains("CONNECTION_CLOSE type=0x1c error=0xa (PROTOCOL_VIOLATION) frame_type=0x8 "
                + "reason_len=10 reason=\"bad stream\""), d.out());
        assertTrue(d.out().contains("datagram length=1200"), d.out());
    }

    @Test
    void writeCloseClientAfterARetryUsesKeysFromTheRetrysSourceId() {
        // the client of RFC 9001 Appendix A.2 after the Retry of Appendix A.4 (SCID f067a5502a4262b5, token "token"):
        // its Initial keys derive from the Retry's SCID (RFC 9001 §5.2), not from its first DCID
        Result w = run("write-close", "--role", "client", "--version", "1", "--odcid", "8394c8f03e515708", "--dcid",
                "f067a5502a4262b5", "--scid", "b1b2", "--pn", "2", "--token", "746f6b656e", "--retry-scid",
                "f067a5502a4262b5", "--error", "0xa");
        assertEquals(0, w.status(), w.err());
        Result d = run("decode", "--odcid", "f067a5502a4262b5", "--hex", w.out().trim());
        assertEquals(0, d.status(), d.out());
        assertTrue(d.out().contains("packet INITIAL version=0x00000001 dcid=f067a5502a4262b5 scid=b1b2 token_len=5 pn=2"),
                d.out());
        assertTrue(d.out().contains("CONNECTION_CLOSE type=0x1c error=0xa (PROTOCOL_VIOLATION)"), d.out());
        Result original = run("decode", "--odcid", "8394c8f03e515708", "--hex", w.out().trim());
        assertEquals(1, original.status(), original.out());
    }

    @Test
    void frameTypeIsIgnoredForAnApplicationClose() {
        // an application close becomes 1c 0c 00 00 in an Initial whatever frame type was asked for: still V3
        Result r = run("write-close", "--role", "server", "--version", "1", "--odcid", "8394c8f03e515708", "--dcid",
                "0102030405060708", "--scid", "f067a5502a4262b5", "--pn", "0", "--app", "--error", "9",
                "--frame-type", "0x1e");
        assertEquals(V3 + "\n", r.out(), r.err());
    }

    @Test
    void decodeReadsRawAndHexFiles(@TempDir Path dir) throws Exception {
        Path raw = dir.resolve("close.bin");
        Files.write(raw, Hex.decode(V2));
        Path hex = dir.resolve("close.hex");
        Files.writeString(hex, V2.substring(0, 20) + "\n" + V2.substring(20));
        for (Path p : new Path[] {raw, hex}) {
            Result r = run("decode", "--odcid", "8394c8f03e515708", p.toString());
            assertEquals(0, r.status(), r.err());
            assertTrue(r.out().contains("keys=\"server Initial\""), r.out());
            assertTrue(r.out().contains("error=0x128 (CRYPTO_ERROR(40)) frame_type=0x0 reason_len=0"), r.out());
        }
    }

    @Test
    void decodeRefusesMoreThanAUdpDatagram(@TempDir Path dir) throws Exception {
        // a UDP payload is at most 65527 bytes (IPv6; 65507 on IPv4): a larger FILE is not a datagram (a capture given
        // by mistake, or /dev/zero, which used to be read until the heap ran out: an OutOfMemoryError's stack trace)
        Path big = dir.resolve("big.bin");
        Files.write(big, new byte[65528]);
        Result file = run("decode", "--odcid", "8394c8f03e515708", big.toString());
        assertEquals(2, file.status(), file.out());
        assertTrue(file.err().startsWith("error: " + big + " is larger than a UDP datagram (65527 bytes)\nusage: decode"),
                file.err());
        assertEquals("", file.out());
        Result hex = run("decode", "--odcid", "8394c8f03e515708", "--hex", "00".repeat(65528));
        assertEquals(2, hex.status(), hex.out());
        assertTrue(hex.err().startsWith("error: --hex is larger than a UDP datagram (65527 bytes)\n"), hex.err());
        Path max = dir.resolve("max.bin");
        Files.write(max, new byte[65527]);
        assertEquals(1, run("decode", "--odcid", "8394c8f03e515708", max.toString()).status());
    }

    @Test
    void decodeNamesAHexFileThatIsNotHex(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.hex");
        Files.writeString(bad, "zz\n");
        Result r = run("decode", "--odcid", "8394c8f03e515708", bad.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("error: " + bad + " is not hexadecimal: "), r.err());
    }

    @Test
    void decodeSaysWhyItCannotDecrypt() {
        Result r = run("decode", "--odcid", "0000000000000000", "--hex", V2);
        assertEquals(1, r.status());
        assertTrue(r.out().contains("does not decrypt"), r.out());
        assertTrue(r.out().contains("packet does not authenticate"), r.out());
    }

    @Test
    void helpAnywhereOnTheLinePrintsTheCommandsOptions() {
        Result r = run("close-client", "127.0.0.1", "4433", "--help");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("usage: close-client"), r.out());
        Result w = run("write-close", "--help");
        assertEquals(0, w.status(), w.err());
        assertTrue(w.out().contains("--pn"), w.out());
        assertTrue(w.out().lines().count() > 5, "the options are explained: " + w.out());
        Result d = run("decode", "--odcid", "00", "--help");
        assertTrue(d.out().contains("--dcid-len"), d.out());
    }

    @Test
    void aSwitchGivenAValueIsNamedAsSuch() {
        // --app exists: "unknown option --app" sent users looking for a typo that is not there
        Result r = run("reject-server", "--app=yes");
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("error: option --app takes no value: '--app=yes'\nusage: reject-server"),
                r.err());
    }

    @Test
    void closeClientPortIsANumberLikeTheOthers() throws Exception {
        // README: "Numbers are decimal or 0x hexadecimal"; --bind 127.0.0.1:0x1151 always took it
        assertEquals(4433, CloseClientCommand.parse(new String[] {"127.0.0.1", "0x1151"}).server().getPort());
        assertEquals(4433, CloseClientCommand.parse(new String[] {"127.0.0.1", "4433"}).server().getPort());
        Result r = run("close-client", "127.0.0.1", "0x10000");
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("error: PORT must be in 1..65535: 0x10000\n"), r.err());
        Result x = run("close-client", "127.0.0.1", "x");
        assertTrue(x.err().startsWith("error: PORT is not a number: 'x'\n"), x.err());
    }

    @Test
    void bindErrorsNameTheOptionAndItsPort() {
        // used to say "--bind must be in 0..65535: 70000" (the whole --bind is no number) and "bind: empty host"
        String[][] cases = {
            {"127.0.0.1:70000", "error: --bind port must be in 0..65535: 70000\n"},
            {"127.0.0.1:x", "error: --bind port is not a number: 'x'\n"},
            {"[]:4433", "error: --bind: empty host\n"},
            {"999.1.1.1:4433", "error: --bind: unknown host '999.1.1.1'\n"},
        };
        for (String[] c : cases) {
            Result r = run("reject-server", "--bind", c[0]);
            assertEquals(2, r.status(), c[0]);
            assertTrue(r.err().startsWith(c[1] + "usage: reject-server"), r.err());
        }
    }

    @Test
    void numbersAreDigitsOnly() throws Exception {
        assertEquals(-7, Args.number("n", "-7", -10, 10));
        assertEquals(0xab, Args.number("n", "0XaB", 0, 1000));
        // what Long.parseLong and Long.parseUnsignedLong would also read, and the README's "decimal or 0x
        // hexadecimal" does not promise
        for (String text : new String[] {"+5", " 5", "5 ", "0x+5", "0x", "0x-1", "", "1_000", "٣", "0x 5"}) {
            UsageException e = assertThrows(UsageException.class, () -> Args.number("error", text, -10, 1000),
                    "'" + text + "'");
            assertEquals("--error is not a number: '" + text + "'", e.getMessage());
        }
        Result r = run("write-close", "--role", "server", "--version", "1", "--odcid", "8394c8f03e515708", "--dcid",
                "0102030405060708", "--scid", "f067a5502a4262b5", "--pn", "+0");
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("error: --pn is not a number: '+0'\n"), r.err());
    }

    @Test
    void badArgumentsPrintOneErrorLineAndTheUsage() {
        String[][] bad = {
            {"write-close", "--role", "client"},
            {"write-close", "--role", "proxy", "--version", "1", "--odcid", "00", "--dcid", "00", "--scid", "00",
                "--pn", "1"},
            {"write-close", "--role", "server", "--version", "3", "--odcid", "00", "--dcid", "00", "--scid", "00",
                "--pn", "1"},
            {"write-close", "--role", "server", "--version", "1", "--odcid", "0g", "--dcid", "00", "--scid", "00",
                "--pn", "1"},
            {"write-close", "--role", "server", "--version", "1", "--odcid", "00", "--dcid", "00", "--scid", "00",
                "--pn", "1", "--error", "4611686018427387904"},
            {"write-close", "--role", "client", "--version", "1", "--odcid", "0011223344556677", "--dcid", "00",
                "--scid", "00", "--pn", "0"},
            {"write-close", "--role", "server", "--version", "1", "--odcid", "00", "--dcid", "00", "--scid", "00",
                "--pn", "1", "--bogus"},
            // a stateless server close: 4 bytes must cover twice the packet number (RFC 9000 §17.1)
            {"write-close", "--role", "server", "--version", "1", "--odcid", "0011223344556677", "--dcid", "00",
                "--scid", "00", "--pn", "2147483648"},
            // a server answers no client Initial whose DCID is shorter than 8 bytes (RFC 9000 §7.2)
            {"write-close", "--role", "server", "--version", "1", "--odcid", "01", "--dcid", "00", "--scid", "00",
                "--pn", "0"},
            // the client's first Initial cannot hold this token within 1200 bytes
            {"write-close", "--role", "client", "--version", "1", "--odcid", "0011223344556677", "--dcid",
                "0011223344556677", "--scid", "00", "--pn", "1", "--token", "00".repeat(1200)},
            // a Retry always carries a token, and never the client's own first DCID as its SCID (RFC 9000 §17.2.5.1)
            {"write-close", "--role", "client", "--version", "1", "--odcid", "0011223344556677", "--dcid",
                "a1a2a3a4", "--scid", "00", "--pn", "1", "--retry-scid", "a1a2a3a4"},
            {"write-close", "--role", "client", "--version", "1", "--odcid", "0011223344556677", "--dcid",
                "0011223344556677", "--scid", "00", "--pn", "1", "--token", "01", "--retry-scid", "0011223344556677"},
            {"write-close", "--role", "server", "--version", "1", "--odcid", "0011223344556677", "--dcid", "00",
                "--scid", "00", "--pn", "0", "--retry-scid", "a1a2a3a4"},
            // a forgotten value is not taken from the next option
            {"reject-server", "--reason", "--app"},
            {"write-close", "--role", "--version", "1", "--odcid", "0011223344556677", "--dcid", "00", "--scid",
                "00", "--pn", "1"},
            {"decode", "--odcid", "00"},
            {"decode"},
            {"frobnicate"},
        };
        for (String[] args : bad) {
            Result r = run(args);
            assertEquals(2, r.status(), String.join(" ", args));
            assertTrue(r.err().startsWith("error: "), r.err());
            assertTrue(r.err().contains("usage:"), r.err());
            assertEquals("", r.out());
        }
    }
}
