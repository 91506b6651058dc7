package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_HANDSHAKE_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_ODCID;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_HANDSHAKE_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.SUITE;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * close-spec §3.3 rule 2 and §7 ("Minimum packet size": v0.12.1 padded 1-RTT packets to the <em>remote</em> DCID
 * length + 22; current ngtcp2, which the project follows, uses max(<em>local</em> SCID length + 22, pn_offset + 20)).
 * A confirmed client with a zero-length SCID sending to an 18-byte DCID: its 1-RTT application close
 * {@code 1d 00 00} is 1 + 18 + 1 + 3 + 16 = 39 bytes, exactly pn_offset 19 + 20, and not padded to 18 + 22 = 40.
 * Opened with JCA alone.
 */
class CloseMinimumSizeLocalScidTest {

    /** A confirmed client (JCA) with a zero-length SCID whose DCID is the fixture's 18-byte original DCID. */
    private static QuicConnection confirmedClientWithoutScid(Settings jca) throws Exception {
        ConnectionId empty = ConnectionId.of(new byte[0]);
        QuicConnection c = ConnectionFixtures.sentFirstInitial(QuicConnection.clientBuilder()
                .originalDestinationConnectionId(CLIENT_ODCID).sourceConnectionId(empty).path(CLIENT_PATH)
                .settings(jca).build(T0));
        c.installTxKey(EncryptionLevel.HANDSHAKE, SUITE, CLIENT_HANDSHAKE_SECRET);
        c.installRxKey(EncryptionLevel.HANDSHAKE, SUITE, SERVER_HANDSHAKE_SECRET);
        c.installTxKey(EncryptionLevel.ONE_RTT, SUITE, CLIENT_1RTT_SECRET);
        c.installRxKey(EncryptionLevel.ONE_RTT, SUITE, SERVER_1RTT_SECRET);
        c.handshakeCompleted();
        byte[] done = ConnectionFixtures.peerShortPacket(jca, SERVER_1RTT_SECRET, empty, 0, new byte[] {0x1e});
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(done), CLIENT_PATH, T0));
        assertTrue(c.isHandshakeConfirmed());
        return c;
    }

    private static byte[] close(QuicConnection c, CloseError e) {
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN, c.writeConnectionClose(null, null, dest, e, T0));
        return Arrays.copyOf(dest.array(), dest.position());
    }

    @Test
    void aZeroLengthScidGetsNoPaddingBeyondTheHeaderProtectionSample() throws Exception {
        Settings jca = Settings.defaults();
        IndependentQuic.Keys keys = IndependentQuic.keys(IndependentQuic.V1, CLIENT_1RTT_SECRET);
        byte[] app = close(confirmedClientWithoutScid(jca), CloseError.application(0));
        assertEquals(39, app.length, "pn_offset 19 + 20; v0.12.1 would pad to DCID 18 + 22 = 40");
        assertEquals("1d0000", IndependentQuic.open(app, 0, keys, CLIENT_ODCID.length()).payloadHex());
        // the transport close 1c 00 00 00 is 40 bytes, no padding either
        byte[] transport = close(confirmedClientWithoutScid(jca), CloseError.transport(0));
        assertEquals(40, transport.length);
        assertEquals("1c000000", IndependentQuic.open(transport, 0, keys, CLIENT_ODCID.length()).payloadHex());
    }
}
