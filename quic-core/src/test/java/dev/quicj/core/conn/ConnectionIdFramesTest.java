package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_HANDSHAKE_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_HANDSHAKE_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.SUITE;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.QuicException;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * The connection-ID frames a peer may not send to this endpoint (RFC 9000 §19.15, §19.16): NEW_CONNECTION_ID to an
 * endpoint that sends zero-length Destination Connection IDs, RETIRE_CONNECTION_ID to an endpoint that provided a
 * zero-length connection ID or naming a sequence number this endpoint never issued. Each is a PROTOCOL_VIOLATION
 * carrying the frame type, thrown before the packet has any effect.
 */
class ConnectionIdFramesTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();
    private static final ConnectionId EMPTY = ConnectionId.of(new byte[0]);
    // NEW_CONNECTION_ID: sequence 1, retire prior to 0, an 8-byte ID, a reset token
    private static final String NEW_CONNECTION_ID = "18" + "01" + "00" + "08" + "0102030405060708"
            + "00112233445566778899aabbccddeeff";

    /** A client that completed its handshake with a server that chose a zero-length connection ID. */
    private static QuicConnection clientOfAZeroLengthServer() throws Exception {
        QuicConnection c = ConnectionFixtures.clientAfterServerInitial(NULL, EMPTY, "01000000");
        assertEquals(0, c.destinationConnectionId().length());
        return completeHandshake(c, CLIENT_HANDSHAKE_SECRET, SERVER_HANDSHAKE_SECRET, CLIENT_1RTT_SECRET,
                SERVER_1RTT_SECRET);
    }

    /** A server that chose a zero-length connection ID and completed its handshake. */
    private static QuicConnection zeroLengthServer() throws Exception {
        QuicConnection s = QuicConnection.serverBuilder().version(QuicVersion.V1).sourceConnectionId(EMPTY)
                .path(SERVER_PATH).settings(NULL).build(T0);
        byte[] clientInitial = ConnectionFixtures.clientFirstInitial(NULL);
        assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(clientInitial), SERVER_PATH, T0));
        return completeHandshake(s, SERVER_HANDSHAKE_SECRET, CLIENT_HANDSHAKE_SECRET, SERVER_1RTT_SECRET,
                CLIENT_1RTT_SECRET);
    }

    /** Installs the Handshake and 1-RTT keys of both directions and completes the handshake. */
    private static QuicConnection completeHandshake(QuicConnection c, byte[] handshakeTx, byte[] handshakeRx,
            byte[] oneRttTx, byte[] oneRttRx) throws Exception {
        c.installTxKey(EncryptionLevel.HANDSHAKE, SUITE, handshakeTx);
        c.installRxKey(EncryptionLevel.HANDSHAKE, SUITE, handshakeRx);
        c.installTxKey(EncryptionLevel.ONE_RTT, SUITE, oneRttTx);
        c.installRxKey(EncryptionLevel.ONE_RTT, SUITE, oneRttRx);
        c.handshakeCompleted();
        return c;
    }

    private static void assertProtocolViolation(long frameType, QuicConnection c, byte[] dg, NetworkPath path) {
        QuicException e = assertThrows(QuicException.class, () -> c.receive(ByteBuffer.wrap(dg), path, T0 + 1));
        assertEquals(TransportErrorCode.PROTOCOL_VIOLATION, e.errorCode(), e.toString());
        assertEquals(frameType, e.frameType());
        // no effect: the packet was not recorded as received
        assertEquals(-1, c.largestReceived(EncryptionLevel.ONE_RTT));
    }

    @Test
    void newConnectionIdToAnEndpointSendingZeroLengthDestinationIdsIsAProtocolViolation() throws Exception {
        // RFC 9000 §19.15: "An endpoint that is sending packets with a zero-length Destination Connection ID MUST
        // treat receipt of a NEW_CONNECTION_ID frame as a connection error of type PROTOCOL_VIOLATION."
        QuicConnection c = clientOfAZeroLengthServer();
        byte[] dg = ConnectionFixtures.peerShortPacket(NULL, SERVER_1RTT_SECRET, CLIENT_SCID, 0,
                Hex.decode(NEW_CONNECTION_ID));
        assertProtocolViolation(0x18, c, dg, CLIENT_PATH);
    }

    @Test
    void retireConnectionIdToAnEndpointThatProvidedAZeroLengthIdIsAProtocolViolation() throws Exception {
        // RFC 9000 §19.16: "An endpoint that provides a zero-length connection ID MUST treat receipt of a
        // RETIRE_CONNECTION_ID frame as a connection error of type PROTOCOL_VIOLATION."
        QuicConnection s = zeroLengthServer();
        byte[] dg = ConnectionFixtures.peerShortPacket(NULL, CLIENT_1RTT_SECRET, EMPTY, 0, Hex.decode("1900"));
        assertProtocolViolation(0x19, s, dg, SERVER_PATH);
    }

    @Test
    void retiringASequenceNumberNeverIssuedIsAProtocolViolation() throws Exception {
        // RFC 9000 §19.16: "Receipt of a RETIRE_CONNECTION_ID frame containing a sequence number greater than any
        // previously sent to the peer MUST be treated as a connection error of type PROTOCOL_VIOLATION." A client
        // issues only sequence number 0 (its handshake SCID, §5.1.1): it sends no preferred_address and this core no
        // NEW_CONNECTION_ID.
        QuicConnection c = ConnectionFixtures.clientPostHandshake(NULL);
        byte[] dg = ConnectionFixtures.peerShortPacket(NULL, SERVER_1RTT_SECRET, CLIENT_SCID, 0, Hex.decode("1901"));
        assertProtocolViolation(0x19, c, dg, CLIENT_PATH);
        // a server may have issued sequence number 1 in its preferred_address transport parameter, not 2
        QuicConnection s = ConnectionFixtures.serverConfirmed(NULL);
        byte[] two = ConnectionFixtures.peerShortPacket(NULL, CLIENT_1RTT_SECRET, s.sourceConnectionId(), 0,
                Hex.decode("1902"));
        assertProtocolViolation(0x19, s, two, SERVER_PATH);
        // a huge (8-byte) sequence number too
        QuicConnection c2 = ConnectionFixtures.clientPostHandshake(NULL);
        byte[] huge = ConnectionFixtures.peerShortPacket(NULL, SERVER_1RTT_SECRET, CLIENT_SCID, 0,
                Hex.decode("19" + "ffffffffffffffff"));
        assertProtocolViolation(0x19, c2, huge, CLIENT_PATH);
    }

    @Test
    void theConnectionIdFramesAPeerMaySendAreTaken() throws Exception {
        // with non-empty connection IDs both ways, NEW_CONNECTION_ID is fine, and so is retiring what was issued
        QuicConnection c = ConnectionFixtures.clientPostHandshake(NULL);
        byte[] ncid = ConnectionFixtures.peerShortPacket(NULL, SERVER_1RTT_SECRET, CLIENT_SCID, 0,
                Hex.decode(NEW_CONNECTION_ID));
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(ncid), CLIENT_PATH, T0 + 1));
        byte[] retire0 = ConnectionFixtures.peerShortPacket(NULL, SERVER_1RTT_SECRET, CLIENT_SCID, 1,
                Hex.decode("1900"));
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(retire0), CLIENT_PATH, T0 + 1));
        QuicConnection s = ConnectionFixtures.serverConfirmed(NULL);
        byte[] retire1 = ConnectionFixtures.peerShortPacket(NULL, CLIENT_1RTT_SECRET, s.sourceConnectionId(), 0,
                Hex.decode("1901"));
        assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(retire1), SERVER_PATH, T0 + 1));
    }
}
