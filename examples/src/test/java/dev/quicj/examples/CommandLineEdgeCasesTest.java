package dev.quicj.examples;

import static dev.quicj.examples.CommandLineTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.Hex;
import dev.quicj.examples.CommandLineTest.Result;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

/**
 * {@code write-close} and {@code decode} from a black-box review: QUIC v2 counterparts of close-spec V1-V3 computed
 * independently (Python, HKDF and AES-GCM of the {@code cryptography} package, RFC 9369 salt and labels), the size of
 * a server close, the number forms of {@code --version}, Retry integrity and Version Negotiation versions.
 */
class CommandLineEdgeCasesTest {
    private static final String ODCID = "8394c8f03e515708";
    private static final String[] SERVER = {"write-close", "--role", "server", "--odcid", ODCID, "--dcid",
        "0102030405060708", "--scid", "f067a5502a4262b5", "--pn", "0"};
    /** RFC 9001 Appendix A.4: the Retry answering the client Initial of A.2 (ODCID 8394c8f03e515708). */
    private static final String RETRY_V1 = "ff000000010008f067a5502a4262b5746f6b656e04a265ba2eff4d829058fb3f0f2496ba";
    /** RFC 9369 Appendix A.4: the same Retry in QUIC v2. */
    private static final String RETRY_V2 = "cf6b3343cf0008f067a5502a4262b5746f6b656ec8646ce8bfe33952d955543665dcc7b6";

    private static String[] with(String[] base, String... more) {
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void v2CounterpartsOfVectorsV1ToV3() throws Exception {
        // V1 in QUIC v2: first byte 0xd0 | pn_len-1 before header protection (Initial type 0b01, RFC 9369 §3.2)
        Result c = run("write-close", "--role", "client", "--version", "2", "--odcid", ODCID, "--dcid", ODCID,
                "--scid", "0102030405060708", "--pn", "1", "--reason", "foo");
        assertEquals(0, c.status(), c.err());
        String hex = c.out().trim();
        assertEquals(2400, hex.length());
        assertTrue(hex.startsWith("d16b3343cf088394c8f03e5157080801020304050607080080000494a340918af286a28e43c649cf67a27a871fcb49cc"), hex);
        assertTrue(hex.endsWith("515139955d01448ee29b166a50d93a4380da1233092d9162fda85098b342187a"), hex);
        assertEquals("d666f92600d49ccdaa9f7ddfdb478b162da157240581f8d4a201bac455d03f3c",
                Hex.encode(MessageDigest.getInstance("SHA-256").digest(Hex.decode(hex))));
        // V2 and V3 in QUIC v2
        assertEquals("d16b3343cf08010203040506070808f067a5502a4262b50080000016d883bf8f416aded7b9ed4047781c8811ac632e59327e\n",
                run(with(SERVER, "--version", "2", "--error", "0x128")).out());
        assertEquals("d06b3343cf08010203040506070808f067a5502a4262b500800000155983f2a7419fd7575559036c9b0da970272a3808fd\n",
                run(with(SERVER, "--version", "2", "--error", "77", "--app", "--reason", "dropped")).out());
    }

    @Test
    void aServerCloseIsHeldTo1200BytesLikeTheLibrarysOwnStatelessRefusals() {
        // QuicCloseHandler gives StatelessClose at most 1200 bytes (nothing is known of the path, close-spec §3.1), as
        // the client's close is held to 1200: a reason of 1150 bytes just fits (29-byte header, 5 bytes of frame
        // fields, 16-byte tag), one more is the same clean error as for a client, not a 1201-byte datagram (the
        // command wrote up to 1500, so a 1420-byte reason gave 1470 bytes, more than a 1500-byte MTU carries over IPv6)
        Result fits = run(with(SERVER, "--version", "1", "--reason", "r".repeat(1150)));
        assertEquals(0, fits.status(), fits.err());
        assertEquals(2400, fits.out().trim().length());
        for (String role : new String[] {"server", "client"}) {
            String[] base = role.equals("server") ? SERVER : new String[] {"write-close", "--role", "client", "--odcid",
                ODCID, "--dcid", ODCID, "--scid", "0102030405060708", "--pn", "1"};
            for (int n : new int[] {1151, 1420}) {
                Result r = run(with(base, "--version", "1", "--reason", "r".repeat(n)));
                assertEquals(2, r.status(), role + " " + n + ": " + r.out().length() / 2 + " bytes");
                assertTrue(r.err().startsWith("error: no close written: the " + n + "-byte --reason does not fit the "
                        + "datagram (NOBUF_BUFFER_TOO_SMALL); use a shorter one\nusage: write-close"), r.err());
                assertEquals("", r.out());
            }
        }
    }

    @Test
    void versionIsANumberLikeTheOthers() {
        // "Numbers decimal or 0x hex": --version 0x1 and 0x6b3343cf were taken as exact strings, but 0x2, 0X1, 01,
        // 0x01 and RFC 9369's version in capitals were "--version must be 1 or 2"
        String v1 = run(with(SERVER, "--version", "1")).out();
        String v2 = run(with(SERVER, "--version", "2")).out();
        assertTrue(v1.startsWith("c") && v2.startsWith("d"), v1 + v2);
        for (String text : new String[] {"0x1", "0X1", "01", "0x01", "0x00000001"}) {
            Result r = run(with(SERVER, "--version", text));
            assertEquals(v1, r.out(), text + ": " + r.err());
        }
        for (String text : new String[] {"0x2", "0x02", "0x6b3343cf", "0x6B3343CF", "1798521807"}) {
            Result r = run(with(SERVER, "--version", text));
            assertEquals(v2, r.out(), text + ": " + r.err());
        }
        for (String text : new String[] {"3", "0", "0x709a50c4", "v1", "", "-1", "1.0"}) {
            Result r = run(with(SERVER, "--version", text));
            assertEquals(2, r.status(), text);
            assertTrue(r.err().startsWith("error: --version must be 1 or 2: '" + text + "'\nusage: write-close"),
                    r.err());
        }
    }

    @Test
    void decodeChecksARetrysIntegrityTagWithTheOdcid() {
        // RFC 9001 §5.8 / RFC 9369 §3.3.3: the tag authenticates the Retry with the client's original DCID, which
        // --odcid gives; a Retry whose tag does not verify was printed like a good one, exit status 0
        Result v1 = run("decode", "--odcid", ODCID, "--hex", RETRY_V1);
        assertEquals(0, v1.status(), v1.out());
        assertEquals("datagram length=36 packets=1\npacket RETRY version=0x00000001 dcid= scid=f067a5502a4262b5 "
                + "token_len=5 offset=0 length=36\n", v1.out());
        Result v2 = run("decode", "--odcid", ODCID, "--hex", RETRY_V2);
        assertEquals(0, v2.status(), v2.out());
        assertTrue(v2.out().contains("packet RETRY version=0x6b3343cf dcid= scid=f067a5502a4262b5 token_len=5"),
                v2.out());
        String badTag = RETRY_V1.substring(0, RETRY_V1.length() - 2) + "bb";
        String[][] bad = {{ODCID, badTag}, {"0000000000000000", RETRY_V1}, {ODCID, RETRY_V2.replace("746f6b656e", "746f6b656f")}};
        for (String[] b : bad) {
            Result r = run("decode", "--odcid", b[0], "--hex", b[1]);
            assertEquals(1, r.status(), r.out());
            assertTrue(r.out().contains(" undecrypted=\"Retry Integrity Tag does not verify with the keys of --odcid "
                    + "(RFC 9001 §5.8)\""), r.out());
        }
    }

    @Test
    void decodePrintsTheVersionsOfAVersionNegotiationPacket() {
        // a VN packet's content is its Supported Versions list (RFC 9000 §17.2.1): tshark shows it, decode did not
        Result r = run("decode", "--odcid", ODCID, "--hex",
                "80000000000801020304050607080" + "8f067a5502a4262b5000000016b3343cf1a2a3a4a");
        assertEquals(0, r.status(), r.out());
        assertEquals("datagram length=35 packets=1\npacket VERSION_NEGOTIATION version=0x00000000 dcid=0102030405060708 "
                + "scid=f067a5502a4262b5 offset=0 length=35 versions=0x00000001,0x6b3343cf,0x1a2a3a4a\n", r.out());
    }
}
