package dev.quicj.core.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.packet.PacketHeader;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link InitialCheck}: what may open a server connection (RFC 9000 §14.1, §7.2) and what a server must drop or may
 * answer with Version Negotiation (§5.2.2), on real client Initials and on hand-built long headers.
 */
class InitialCheckTest {
    // a version no QUIC implementation uses (RFC 9000 §15: 0x?a?a?a?a is reserved for greasing)
    private static final int GREASE_VERSION = 0x1a2a3a4a;

    private static InitialCheck check(byte[] datagram) {
        ByteBuffer b = ByteBuffer.wrap(datagram);
        InitialCheck result = InitialCheck.of(b, new PacketHeader());
        assertEquals(0, b.position(), "the datagram is not consumed");
        return result;
    }

    private static byte[] clientFirstInitial(QuicVersion version) throws Exception {
        QuicConnection c = ConnectionFixtures.clientBuilder(Settings.defaults()).version(version)
                .build(ConnectionFixtures.T0);
        c.submitCryptoData(EncryptionLevel.INITIAL, ConnectionFixtures.CLIENT_HELLO);
        ByteBuffer out = ByteBuffer.allocate(1500);
        int n = c.writePacket(null, null, out, ConnectionFixtures.T0);
        return Arrays.copyOf(out.array(), n);
    }

    /**
     * A long header of {@code total} bytes: first byte, version, DCID, empty SCID, an empty token when
     * {@code initial}, a 2-byte Length covering the rest (filled with 0x5a).
     */
    private static byte[] longHeader(int firstByte, int version, int dcidLength, boolean initial, int total) {
        ByteBuffer b = ByteBuffer.allocate(total);
        b.put((byte) firstByte).putInt(version).put((byte) dcidLength);
        for (int i = 0; i < dcidLength; i++) {
            b.put((byte) (0xd0 + i));
        }
        b.put((byte) 0);
        if (initial) {
            b.put((byte) 0);
        }
        int rest = total - b.position() - 2;
        b.putShort((short) (0x4000 | rest));
        while (b.hasRemaining()) {
            b.put((byte) 0x5a);
        }
        return b.array();
    }

    @Test
    void aClientsFirstInitialIsAcceptableInBothVersions() throws Exception {
        for (QuicVersion v : QuicVersion.values()) {
            byte[] initial = clientFirstInitial(v);
            assertEquals(1200, initial.length);
            ByteBuffer b = ByteBuffer.wrap(initial);
            PacketHeader header = new PacketHeader();
            assertEquals(InitialCheck.ACCEPTABLE, InitialCheck.of(b, header), v.toString());
            assertEquals(v, header.version());
            assertEquals(ConnectionFixtures.CLIENT_ODCID, header.dcid(b));
            assertEquals(ConnectionFixtures.CLIENT_SCID, header.scid(b));
        }
    }

    @Test
    void eachReasonToRefuseIsNamed() {
        int v1 = QuicVersion.V1.wireValue();
        assertEquals(InitialCheck.ACCEPTABLE, check(longHeader(0xc0, v1, 8, true, 1200)));
        assertEquals(InitialCheck.DATAGRAM_TOO_SMALL, check(longHeader(0xc0, v1, 8, true, 1199)));
        assertEquals(InitialCheck.DCID_TOO_SHORT, check(longHeader(0xc0, v1, 7, true, 1200)));
        // a Handshake packet (type 2 in v1)
        assertEquals(InitialCheck.NOT_INITIAL, check(longHeader(0xe0, v1, 8, false, 1200)));
        // a short header, and a long header cut inside its connection ID
        byte[] shortHeader = new byte[1200];
        shortHeader[0] = 0x40;
        assertEquals(InitialCheck.MALFORMED, check(shortHeader));
        assertEquals(InitialCheck.MALFORMED, check(Arrays.copyOf(longHeader(0xc0, v1, 8, true, 1200), 9)));
    }

    @Test
    void anUnsupportedVersionIsReportedOnlyWhereVersionNegotiationMayAnswerIt() {
        // RFC 9000 §5.2.2: a server SHOULD send Version Negotiation for a datagram large enough to start a connection
        // in a version it supports, and MUST drop smaller packets that specify unsupported versions
        assertEquals(InitialCheck.UNSUPPORTED_VERSION, check(longHeader(0xc0, GREASE_VERSION, 8, true, 1200)));
        assertEquals(InitialCheck.DATAGRAM_TOO_SMALL, check(longHeader(0xc0, GREASE_VERSION, 8, true, 1199)));
        assertEquals(InitialCheck.DATAGRAM_TOO_SMALL, check(longHeader(0xc0, GREASE_VERSION, 8, true, 60)));
    }
}
