package dev.quicj.core.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quicj.core.Hex;
import dev.quicj.core.QuicVersion;
import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The header rules of RFC 9000 §17 that {@link PacketParser} enforces on untrusted bytes, each against a header built
 * field by field: the fixed bit, connection IDs of at most 20 bytes in the versions this library speaks (but any
 * length in other versions and in Version Negotiation, whose invariants a server reads to answer them, RFC 9000
 * §17.2 and RFC 8999 §5.1), Token Length and Length within the datagram (non-minimal varints allowed, §16), a Length
 * shorter than the datagram ending the packet there (coalescing, §12.2), and room for the header-protection sample
 * (RFC 9001 §5.4.2).
 */
class PacketParserTest {
    private static final String CID8 = "08 0102030405060708";
    private static final String CID21 = "15 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private static final String ZERO20 = "0000000000000000000000000000000000000000";

    private static HeaderStatus parse(String hex, PacketHeader out) {
        return PacketParser.parse(ByteBuffer.wrap(Hex.decode(hex)), 0, 8, out);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // v1 Initial: DCID 8, SCID 0, token 0, Length 20, 20 bytes of packet number and payload
        "Initial                          | c0 00000001 " + CID8 + " 00 00 14 " + ZERO20 + " | OK",
        "Initial, token of 2 bytes        | c0 00000001 " + CID8 + " 00 02 abcd 14 " + ZERO20 + " | OK",
        // RFC 9000 §16: non-minimal varints are valid in Token Length and Length
        "Initial, 8-byte Token Length 0   | c0 00000001 " + CID8 + " 00 c000000000000000 4014 " + ZERO20 + " | OK",
        "Handshake                        | e0 00000001 " + CID8 + " 00 14 " + ZERO20 + " | OK",
        "0-RTT                            | d0 00000001 " + CID8 + " 00 14 " + ZERO20 + " | OK",
        "v2 Initial (type bits 01)        | d0 6b3343cf " + CID8 + " 00 00 14 " + ZERO20 + " | OK",
        "short header                     | 40 0102030405060708 " + ZERO20 + " | OK",
        // RFC 9000 §17.2: a version 1 long header with a connection ID longer than 20 bytes MUST be dropped
        "v1 DCID of 21 bytes              | c0 00000001 " + CID21 + " 00 00 14 " + ZERO20 + " | CONNECTION_ID_TOO_LONG",
        "v1 SCID of 21 bytes              | c0 00000001 " + CID8 + " " + CID21 + " 00 14 " + ZERO20
                + " | CONNECTION_ID_TOO_LONG",
        "v2 DCID of 21 bytes              | d0 6b3343cf " + CID21 + " 00 00 14 " + ZERO20 + " | CONNECTION_ID_TOO_LONG",
        // ... but the invariants of another version are read whatever their length (a server answers them)
        "unknown version, DCID of 21      | c0 1a2a3a4a " + CID21 + " 00 " + ZERO20 + " | UNSUPPORTED_VERSION",
        "Version Negotiation, DCID of 21  | 80 00000000 " + CID21 + " 00 00000001 | OK",
        // RFC 9000 §17.2, §17.3.1: a fixed bit of 0 is not a valid packet of these versions
        "Initial, fixed bit clear         | 80 00000001 " + CID8 + " 00 00 14 " + ZERO20 + " | FIXED_BIT_CLEAR",
        "short header, fixed bit clear    | 00 0102030405060708 " + ZERO20 + " | FIXED_BIT_CLEAR",
        // RFC 9000 §17.2.1: the fixed bit of Version Negotiation is unused
        "Version Negotiation, bit clear   | 80 00000000 " + CID8 + " 00 00000001 | OK",
        // lengths past the end of the datagram
        "Initial, Token Length past end   | c0 00000001 " + CID8 + " 00 3f " + ZERO20 + " | TRUNCATED",
        "Initial, Length past end         | c0 00000001 " + CID8 + " 00 00 15 " + ZERO20 + " | TRUNCATED",
        "Initial, Length cut short        | c0 00000001 " + CID8 + " 00 00 40 | TRUNCATED",
        "Initial, no Length               | c0 00000001 " + CID8 + " 00 00 | TRUNCATED",
        "DCID past end                    | c0 00000001 14 0102030405060708 | TRUNCATED",
        "short header, DCID past end      | 40 01020304050607 | TRUNCATED",
        // RFC 9001 §5.4.2: the sample starts 4 bytes into the packet number and takes 16 bytes
        "Initial, Length 19               | c0 00000001 " + CID8 + " 00 00 13 " + ZERO20 + " | TOO_SHORT_FOR_SAMPLE",
        "short header, 19 bytes after ID  | 40 0102030405060708 00000000000000000000000000000000000000 | TOO_SHORT_FOR_SAMPLE",
    })
    void headerRules(String scenario, String hex, HeaderStatus expected) {
        assertEquals(expected, parse(hex, new PacketHeader()), scenario);
    }

    /** A Length shorter than the rest of the datagram ends the packet there: the next one starts after it. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "Length 20, 25 bytes follow              | c0 00000001 " + CID8 + " 00 00 14 " + ZERO20 + " 0102030405 | 17 | 37",
        "Length 20 in 2 bytes, token 2, 3 follow | c0 00000001 " + CID8 + " 00 02 abcd 4014 " + ZERO20
                + " 010203 | 20 | 40",
    })
    void theLengthFieldEndsThePacket(String scenario, String hex, int pnOffset, int packetEnd) {
        PacketHeader h = new PacketHeader();
        assertEquals(HeaderStatus.OK, parse(hex, h), scenario);
        assertEquals(pnOffset, h.pnOffset(), scenario);
        assertEquals(packetEnd, h.packetEnd(), scenario);
    }

    /** RFC 9000 §17.2.5: a Retry's token is everything between the SCID and the 16-byte integrity tag. */
    @ParameterizedTest(name = "token of {1} bytes")
    @CsvSource({
        "f0 00000001 " + CID8 + " 00 aabbcc " + "00112233445566778899aabbccddeeff, 3",
        "f0 00000001 " + CID8 + " 00 " + "00112233445566778899aabbccddeeff, 0",
    })
    void retryTokenIsWhatPrecedesTheTag(String hex, int tokenLength) {
        PacketHeader h = new PacketHeader();
        assertEquals(HeaderStatus.OK, parse(hex, h));
        assertEquals(PacketForm.RETRY, h.form());
        assertEquals(QuicVersion.V1, h.version());
        assertEquals(tokenLength, h.tokenLength());
    }

    @ParameterizedTest
    @CsvSource({"f0 00000001 " + CID8 + " 00 00112233445566778899aabbccdd"})
    void aRetryShorterThanItsTagIsTruncated(String hex) {
        PacketHeader h = new PacketHeader();
        assertEquals(HeaderStatus.TRUNCATED, parse(hex, h));
    }
}
