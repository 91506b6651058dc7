package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_ODCID;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.ConnectionFixtures.Side;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.crypto.InitialProtections;
import dev.quicj.core.inspect.InspectedFrame;
import dev.quicj.core.inspect.InspectedPacket;
import dev.quicj.core.packet.PacketForm;
import dev.quicj.core.packet.PacketWriter;
import dev.quicj.core.wire.CloseType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ngtcp2's own close tests (close-spec §8.1: {@code test_ngtcp2_conn_write_connection_close},
 * {@code test_ngtcp2_conn_write_application_close}, {@code test_ngtcp2_pkt_write_connection_close}), one scenario per
 * method, with null crypto and 18-byte CIDs as upstream. Beyond upstream, every packet's frames are decoded and
 * asserted, including the {@code 1c 0c 00 00} of application closes at Initial and Handshake level.
 */
class CloseWriterUpstreamTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();
    private static final byte[] FOO = "foo".getBytes(StandardCharsets.US_ASCII);

    /** The result of one close call: outcome, the datagram written, and what it decodes to. */
    record Written(CloseOutcome outcome, ByteBuffer datagram, List<InspectedPacket> packets) {
        int length() {
            return datagram.remaining();
        }
    }

    static Written close(QuicConnection c, CloseError error, int bufferSize, Side side) {
        ByteBuffer dest = ByteBuffer.allocate(bufferSize);
        CloseOutcome outcome = c.writeConnectionClose(null, null, dest, error, T0 + 1);
        dest.flip();
        return new Written(outcome, dest,
                ConnectionFixtures.inspect(dest, side, NULL, c.destinationConnectionId().length()));
    }

    static void assertForms(Written w, PacketForm... forms) {
        assertEquals(CloseOutcome.WRITTEN, w.outcome());
        assertEquals(forms.length, w.packets().size(), () -> "packets: " + w.packets());
        int total = 0;
        for (int i = 0; i < forms.length; i++) {
            InspectedPacket p = w.packets().get(i);
            assertEquals(forms[i], p.form(), () -> "packet types: " + w.packets());
            assertTrue(p.decrypted(), () -> "not decrypted: " + p);
            total += p.length();
        }
        assertEquals(w.length(), total, "the packets fill the datagram exactly");
    }

    /** The single CONNECTION_CLOSE of a packet. */
    static InspectedFrame.ConnectionClose closeFrame(InspectedPacket p) {
        List<InspectedFrame.ConnectionClose> closes = p.frames(InspectedFrame.ConnectionClose.class);
        assertEquals(1, closes.size(), () -> "frames: " + p.frames());
        return closes.get(0);
    }

    static void assertTransportClose(InspectedPacket p, long code, byte[] reason) {
        InspectedFrame.ConnectionClose f = closeFrame(p);
        assertEquals(CloseType.TRANSPORT, f.type());
        assertEquals(code, f.errorCode());
        assertEquals(0, f.frameType());
        assertArrayEquals(reason, f.reason());
    }

    /** Initial/Handshake replacement of an application close: exactly {@code 1c 0c 00 00}. */
    static void assertApplicationErrorReplacement(InspectedPacket p) {
        assertTransportClose(p, TransportErrorCode.APPLICATION_ERROR, new byte[0]);
    }

    static void assertApplicationClose(InspectedPacket p, long code, byte[] reason) {
        InspectedFrame.ConnectionClose f = closeFrame(p);
        assertEquals(CloseType.APPLICATION, f.type());
        assertEquals(code, f.errorCode());
        assertArrayEquals(reason, f.reason());
    }

    // ---------------------------------------------------------------------------------------------------------
    // test_ngtcp2_conn_write_connection_close

    @Test
    void transportCloseOfClientWithInitialKeysIsOnePaddedInitial() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        Written w = close(c, CloseError.transport(TransportErrorCode.NO_ERROR, "foo"), 1200, Side.CLIENT);
        assertTrue(w.length() >= 1200);
        assertForms(w, PacketForm.INITIAL);
        InspectedPacket p = w.packets().get(0);
        assertTransportClose(p, TransportErrorCode.NO_ERROR, FOO);
        // header + Length field value = total: Length covers pn + payload + tag
        assertEquals(1200, p.length());
        assertEquals(1, p.packetNumber(), "pn 0 was the first Initial");
        assertEquals(CLIENT_ODCID, p.dcid());
        assertEquals(CLIENT_SCID, p.scid());
        assertEquals(ConnectionState.CLOSING, c.state());
    }

    @Test
    void transportCloseOfClientWithHandshakeKeyIsOneHandshakePacket() throws Exception {
        QuicConnection c = ConnectionFixtures.clientWithHandshakeKeys(NULL);
        Written w = close(c, CloseError.fromLibraryError(LibraryError.NONE, null), 1200, Side.CLIENT);
        assertTrue(w.length() > 0 && w.length() < 1200);
        assertForms(w, PacketForm.HANDSHAKE);
        assertTransportClose(w.packets().get(0), TransportErrorCode.NO_ERROR, new byte[0]);
        assertEquals(0, w.packets().get(0).packetNumber());
    }

    @Test
    void transportCloseOfUnconfirmedClientAfterHandshakeIsHandshakeThenOneRtt() throws Exception {
        QuicConnection c = ConnectionFixtures.clientPostHandshake(NULL);
        Written w = close(c, CloseError.transport(TransportErrorCode.NO_ERROR), 1200, Side.CLIENT);
        assertForms(w, PacketForm.HANDSHAKE, PacketForm.ONE_RTT);
        assertTransportClose(w.packets().get(0), TransportErrorCode.NO_ERROR, new byte[0]);
        assertTransportClose(w.packets().get(1), TransportErrorCode.NO_ERROR, new byte[0]);
    }

    @Test
    void transportCloseOfConfirmedClientIsOneRttOnly() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
        Written w = close(c, CloseError.transport(TransportErrorCode.NO_ERROR), 1200, Side.CLIENT);
        assertTrue(w.length() < 1200);
        assertForms(w, PacketForm.ONE_RTT);
        assertTransportClose(w.packets().get(0), TransportErrorCode.NO_ERROR, new byte[0]);
    }

    @Test
    void transportCloseOfServerWithHandshakeKeysIsInitialThenHandshake() throws Exception {
        QuicConnection s = ConnectionFixtures.serverWithHandshakeKeys(NULL);
        assertEquals(1200, s.pathBytesReceived());
        Written w = close(s, CloseError.transport(TransportErrorCode.NO_ERROR), 1200, Side.SERVER);
        assertTrue(w.length() < 1200);
        assertForms(w, PacketForm.INITIAL, PacketForm.HANDSHAKE);
        for (InspectedPacket p : w.packets()) {
            assertTransportClose(p, TransportErrorCode.NO_ERROR, new byte[0]);
            assertEquals(SERVER_SCID, p.scid());
            assertEquals(CLIENT_SCID, p.dcid());
            assertEquals(0, p.tokenLength());
        }
    }

    @Test
    void transportCloseOfServerWithAllKeysIsInitialHandshakeOneRtt() throws Exception {
        QuicConnection s = ConnectionFixtures.serverAllKeys(NULL);
        Written w = close(s, CloseError.transport(TransportErrorCode.NO_ERROR), 1200, Side.SERVER);
        assertForms(w, PacketForm.INITIAL, PacketForm.HANDSHAKE, PacketForm.ONE_RTT);
        for (InspectedPacket p : w.packets()) {
            assertTransportClose(p, TransportErrorCode.NO_ERROR, new byte[0]);
        }
    }

    @Test
    void transportCloseOfConfirmedServerIsOneRttOnly() throws Exception {
        QuicConnection s = ConnectionFixtures.serverConfirmed(NULL);
        Written w = close(s, CloseError.transport(TransportErrorCode.NO_ERROR), 1200, Side.SERVER);
        assertForms(w, PacketForm.ONE_RTT);
        assertTransportClose(w.packets().get(0), TransportErrorCode.NO_ERROR, new byte[0]);
    }

    @Test
    void transportCloseOfConfirmedClientWithNineByteScidIsPaddedToThirtyOneAndNotRecorded() throws Exception {
        QuicConnection c = confirmedClientWithCids("0123456789abcdef", "0123456789abcdef01");
        long inFlightBefore = c.pathBytesSent();
        Written w = close(c, CloseError.transport(TransportErrorCode.NO_ERROR), 1200, Side.CLIENT);
        assertForms(w, PacketForm.ONE_RTT);
        // 1 + DCID 8 + pn 1 + frame 4 + tag 16 = 30, padded to local SCID 9 + 22 = 31
        assertEquals(31, w.length());
        assertEquals(1, w.packets().get(0).frames(InspectedFrame.Padding.class).get(0).length());
        // not recorded as sent: nothing counted against the path, no RTT sample pending
        assertEquals(inFlightBefore, c.pathBytesSent());
    }

    // ---------------------------------------------------------------------------------------------------------
    // test_ngtcp2_conn_write_application_close

    @Test
    void applicationCloseOfClientWithInitialKeysIsPaddedInitialWithApplicationErrorAndClosing() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        Written w = close(c, CloseError.application(0, FOO), 1200, Side.CLIENT);
        assertTrue(w.length() >= 1200);
        assertForms(w, PacketForm.INITIAL);
        assertApplicationErrorReplacement(w.packets().get(0));
        assertEquals(ConnectionState.CLOSING, c.state());
    }

    @Test
    void applicationCloseOfClientWithHandshakeKeyIsOneHandshakePacket() throws Exception {
        QuicConnection c = ConnectionFixtures.clientWithHandshakeKeys(NULL);
        Written w = close(c, CloseError.application(0, FOO), 1200, Side.CLIENT);
        assertForms(w, PacketForm.HANDSHAKE);
        assertApplicationErrorReplacement(w.packets().get(0));
        assertEquals(ConnectionState.CLOSING, c.state());
    }

    @Test
    void applicationCloseOfUnconfirmedClientAfterHandshakeIsHandshakeThenOneRtt() throws Exception {
        QuicConnection c = ConnectionFixtures.clientPostHandshake(NULL);
        Written w = close(c, CloseError.application(0, FOO), 1200, Side.CLIENT);
        assertForms(w, PacketForm.HANDSHAKE, PacketForm.ONE_RTT);
        assertApplicationErrorReplacement(w.packets().get(0));
        assertApplicationClose(w.packets().get(1), 0, FOO);
    }

    @Test
    void applicationCloseOfConfirmedClientIsOneRttOnly() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
        Written w = close(c, CloseError.application(0, FOO), 1200, Side.CLIENT);
        assertForms(w, PacketForm.ONE_RTT);
        assertApplicationClose(w.packets().get(0), 0, FOO);
    }

    @Test
    void applicationCloseOfServerWithHandshakeKeysIsInitialThenHandshake() throws Exception {
        QuicConnection s = ConnectionFixtures.serverWithHandshakeKeys(NULL);
        Written w = close(s, CloseError.application(0, FOO), 1200, Side.SERVER);
        assertForms(w, PacketForm.INITIAL, PacketForm.HANDSHAKE);
        assertApplicationErrorReplacement(w.packets().get(0));
        assertApplicationErrorReplacement(w.packets().get(1));
    }

    @Test
    void applicationCloseOfServerWithAllKeysBeforeCompletionIsInitialHandshakeOneRtt() throws Exception {
        QuicConnection s = ConnectionFixtures.serverAllKeys(NULL);
        assertEquals(ConnectionState.SERVER_WAIT_HANDSHAKE, s.state());
        Written w = close(s, CloseError.application(0, FOO), 1200, Side.SERVER);
        assertForms(w, PacketForm.INITIAL, PacketForm.HANDSHAKE, PacketForm.ONE_RTT);
        assertApplicationErrorReplacement(w.packets().get(0));
        assertApplicationErrorReplacement(w.packets().get(1));
        assertApplicationClose(w.packets().get(2), 0, FOO);
    }

    @Test
    void applicationCloseOfServerRightAfterTlsCompletionIsOneRttOnly() throws Exception {
        QuicConnection s = ConnectionFixtures.serverAllKeys(NULL);
        s.handshakeCompleted();
        assertTrue(s.isHandshakeConfirmed());
        Written w = close(s, CloseError.application(0, FOO), 1200, Side.SERVER);
        assertForms(w, PacketForm.ONE_RTT);
        assertApplicationClose(w.packets().get(0), 0, FOO);
    }

    @Test
    void applicationCloseOfConfirmedServerIsOneRttOnly() throws Exception {
        QuicConnection s = ConnectionFixtures.serverConfirmed(NULL);
        Written w = close(s, CloseError.application(0, FOO), 1200, Side.SERVER);
        assertForms(w, PacketForm.ONE_RTT);
        assertApplicationClose(w.packets().get(0), 0, FOO);
    }

    @Test
    void applicationCloseOfConfirmedClientWithEightByteCidsIsPaddedToThirtyAndNotRecorded() throws Exception {
        QuicConnection c = confirmedClientWithCids("0123456789abcdef", "0123456789abcdef");
        long sentBefore = c.pathBytesSent();
        Written w = close(c, CloseError.application(0), 1200, Side.CLIENT);
        assertForms(w, PacketForm.ONE_RTT);
        // 1 + DCID 8 + pn 1 + "1d 00 00" + tag 16 = 29, padded to SCID 8 + 22 = 30
        assertEquals(30, w.length());
        assertEquals(sentBefore, c.pathBytesSent());
    }

    // ---------------------------------------------------------------------------------------------------------
    // test_ngtcp2_pkt_write_connection_close

    @Test
    void statelessCloseWithEighteenByteCidsFitsTwelveHundredBytes() {
        ByteBuffer dest = ByteBuffer.allocate(1200);
        CloseOutcome o = StatelessClose.write(dest, QuicVersion.V1, ConnectionFixtures.CLIENT_ODCID, CLIENT_SCID,
                SERVER_SCID, CloseError.transport(TransportErrorCode.INVALID_TOKEN, "foo"), CryptoProvider.nullCrypto());
        assertEquals(CloseOutcome.WRITTEN, o);
        dest.flip();
        List<InspectedPacket> packets = ConnectionFixtures.inspect(dest, Side.SERVER, NULL);
        assertEquals(1, packets.size());
        assertEquals(PacketForm.INITIAL, packets.get(0).form());
        assertEquals(0, packets.get(0).packetNumber());
        assertTransportClose(packets.get(0), TransportErrorCode.INVALID_TOKEN, FOO);
        assertEquals(0, packets.get(0).frames(InspectedFrame.Padding.class).size(), "no padding");
    }

    /**
     * The client has received nothing from a stateless server, so its 4-byte packet number must cover twice the
     * value (RFC 9000 §17.1): 2^31-1 is the largest, and decodes back; 2^31 is refused by every overload rather than
     * sealed under a nonce the client cannot rebuild.
     */
    @Test
    void aStatelessCloseUsesPacketNumbersBelow2To31Only() throws Exception {
        long max = StatelessClose.MAX_PACKET_NUMBER;
        assertEquals((1L << 31) - 1, max);
        CloseError error = CloseError.transport(TransportErrorCode.INVALID_TOKEN, "foo");
        ByteBuffer dest = ByteBuffer.allocate(1200);
        assertEquals(CloseOutcome.WRITTEN, StatelessClose.write(dest, QuicVersion.V1, ConnectionFixtures.CLIENT_ODCID,
                CLIENT_SCID, SERVER_SCID, max, error, CryptoProvider.nullCrypto()));
        dest.flip();
        List<InspectedPacket> packets = ConnectionFixtures.inspect(dest, Side.SERVER, NULL);
        assertEquals(max, packets.get(0).packetNumber(), packets::toString);
        assertTransportClose(packets.get(0), TransportErrorCode.INVALID_TOKEN, FOO);

        long tooBig = max + 1;
        ByteBuffer other = ByteBuffer.allocate(1200);
        assertThrows(IllegalArgumentException.class, () -> StatelessClose.write(other, QuicVersion.V1,
                ConnectionFixtures.CLIENT_ODCID, CLIENT_SCID, SERVER_SCID, tooBig, error, CryptoProvider.nullCrypto()));
        InitialProtections keys = new InitialProtections(CryptoProvider.nullCrypto());
        assertThrows(IllegalArgumentException.class, () -> StatelessClose.write(other, QuicVersion.V1,
                ConnectionFixtures.CLIENT_ODCID, CLIENT_SCID, SERVER_SCID, tooBig, error, keys, new PacketWriter()));
        keys.deriveServer(QuicVersion.V1, ConnectionFixtures.CLIENT_ODCID);
        assertThrows(IllegalArgumentException.class, () -> StatelessClose.write(other, QuicVersion.V1, CLIENT_SCID,
                SERVER_SCID, tooBig, error, keys.server(), new PacketWriter()));
        assertThrows(IllegalArgumentException.class, () -> StatelessClose.write(other, QuicVersion.V1, CLIENT_SCID,
                SERVER_SCID, -1, error, keys.server(), new PacketWriter()));
        assertEquals(0, other.position(), "nothing written");
    }

    @Test
    void statelessCloseIntoSixteenBytesIsNobuf() {
        ByteBuffer dest = ByteBuffer.allocate(16);
        CloseOutcome o = StatelessClose.write(dest, QuicVersion.V1, ConnectionFixtures.CLIENT_ODCID, CLIENT_SCID,
                SERVER_SCID, CloseError.transport(TransportErrorCode.INVALID_TOKEN, "foo"), CryptoProvider.nullCrypto());
        assertEquals(CloseOutcome.NOBUF_BUFFER_TOO_SMALL, o);
        assertEquals(0, dest.position());
    }

    // ---------------------------------------------------------------------------------------------------------
    // test_ngtcp2_ccerr_set_liberr

    @Test
    void theFourSilentLibraryErrorsMapToTheirCloseTypes() {
        assertEquals(CloseError.Type.VERSION_NEGOTIATION,
                CloseError.fromLibraryError(LibraryError.RECV_VERSION_NEGOTIATION, null).type());
        assertEquals(CloseError.Type.IDLE_CLOSE, CloseError.fromLibraryError(LibraryError.IDLE_CLOSE, null).type());
        assertEquals(CloseError.Type.DROP_CONN, CloseError.fromLibraryError(LibraryError.DROP_CONN, null).type());
        assertEquals(CloseError.Type.RETRY, CloseError.fromLibraryError(LibraryError.RETRY, null).type());
        for (LibraryError e : new LibraryError[] {LibraryError.RECV_VERSION_NEGOTIATION, LibraryError.IDLE_CLOSE,
                LibraryError.DROP_CONN, LibraryError.RETRY}) {
            assertEquals(TransportErrorCode.NO_ERROR, CloseError.fromLibraryError(e, null).errorCode());
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    /** A confirmed client whose first DCID and SCID are given (hex). */
    static QuicConnection confirmedClientWithCids(String odcidHex, String scidHex) throws Exception {
        return confirmedClient(NULL, ConnectionId.fromHex(odcidHex), ConnectionId.fromHex(scidHex));
    }

    /**
     * A confirmed client with these settings that sends 1-RTT packets to {@code odcid} (its first DCID; no server
     * Initial was read) and whose own connection ID is {@code scid}: HANDSHAKE_DONE arrived in the server's 1-RTT
     * packet 0.
     */
    static QuicConnection confirmedClient(Settings settings, ConnectionId odcid, ConnectionId scid) throws Exception {
        QuicConnection c = QuicConnection.clientBuilder().originalDestinationConnectionId(odcid)
                .sourceConnectionId(scid).path(CLIENT_PATH).settings(settings).build(T0);
        ConnectionFixtures.sentFirstInitial(c);
        c.installTxKey(EncryptionLevel.HANDSHAKE, ConnectionFixtures.SUITE, ConnectionFixtures.CLIENT_HANDSHAKE_SECRET);
        c.installRxKey(EncryptionLevel.HANDSHAKE, ConnectionFixtures.SUITE, ConnectionFixtures.SERVER_HANDSHAKE_SECRET);
        c.installTxKey(EncryptionLevel.ONE_RTT, ConnectionFixtures.SUITE, ConnectionFixtures.CLIENT_1RTT_SECRET);
        c.installRxKey(EncryptionLevel.ONE_RTT, ConnectionFixtures.SUITE, ConnectionFixtures.SERVER_1RTT_SECRET);
        c.handshakeCompleted();
        byte[] done = ConnectionFixtures.peerShortPacket(settings, ConnectionFixtures.SERVER_1RTT_SECRET, scid, 0,
                new byte[] {0x1e});
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(done), CLIENT_PATH, T0));
        assertTrue(c.isHandshakeConfirmed());
        return c;
    }

    static NetworkPath serverPath() {
        return SERVER_PATH;
    }
}
