package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.Hex;
import dev.quicj.core.QuicException;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.tls.PreferredAddress;
import dev.quicj.core.tls.TransportParameters;
import dev.quicj.core.wire.FrameType;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The connection IDs the peer issues (RFC 9000 §5.1), checked against the active_connection_id_limit this endpoint
 * sent (§5.1.1: "After processing a NEW_CONNECTION_ID frame and adding and retiring active connection IDs, if the
 * number of active connection IDs exceeds the value advertised in its active_connection_id_limit transport parameter,
 * an endpoint MUST close the connection with an error of type CONNECTION_ID_LIMIT_ERROR"), retired by Retire Prior To
 * (§5.1.2: the endpoint "MUST stop using the corresponding connection IDs"), with the §19.15 rules on repeats. The
 * connection ID of the handshake is sequence number 0, a server's preferred_address ID sequence number 1.
 */
class ActiveConnectionIdLimitTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();
    private static final InetSocketAddress PREFERRED = new InetSocketAddress("127.0.0.1", 4434);

    private static ConnectionId issuedId(int sequence) {
        return ConnectionId.fromHex(String.format("%016x", 0x0102030405060700L + sequence));
    }

    private static byte[] token(int sequence) {
        return Hex.decode(String.format("%032x", 0x7700 + sequence));
    }

    /** NEW_CONNECTION_ID: sequence, Retire Prior To, the 8-byte {@link #issuedId}, its {@link #token}. */
    private static String newConnectionId(int sequence, int retirePriorTo) {
        return newConnectionId(sequence, retirePriorTo, issuedId(sequence), token(sequence));
    }

    private static String newConnectionId(int sequence, int retirePriorTo, ConnectionId id, byte[] token) {
        return "18" + String.format("%02x%02x%02x", sequence, retirePriorTo, id.length()) + id.toHex()
                + Hex.encode(token);
    }

    private static ReceiveStatus receive(QuicConnection c, long pn, String frames) throws Exception {
        byte[] dg = ConnectionFixtures.peerShortPacket(NULL, SERVER_1RTT_SECRET, CLIENT_SCID, pn, Hex.decode(frames));
        return c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0 + 1 + pn);
    }

    private static void assertError(long code, QuicConnection c, long pn, String frames) {
        QuicException e = assertThrows(QuicException.class, () -> receive(c, pn, frames));
        assertEquals(TransportErrorCode.name(code), TransportErrorCode.name(e.errorCode()), e.toString());
        assertEquals(FrameType.NEW_CONNECTION_ID, e.frameType());
    }

    /**
     * The Destination Connection ID of the first packet of the close the connection writes now (a Handshake packet
     * before the handshake is confirmed, RFC 9000 §10.2.3, with the 1-RTT one after it).
     */
    private static ConnectionId closeDestination(QuicConnection c, int shortHeaderLength) {
        ByteBuffer out = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN, c.writeConnectionClose(null, null, out, CloseError.transport(0), T0 + 100));
        byte[] b = out.array();
        if ((b[0] & 0x80) != 0) {
            return ConnectionId.of(Arrays.copyOfRange(b, 6, 6 + b[5]));
        }
        return ConnectionId.of(Arrays.copyOfRange(b, 1, 1 + shortHeaderLength));
    }

    private static byte[] reset(byte[] token) {
        byte[] dg = new byte[30];
        Arrays.fill(dg, (byte) 0x5c);
        dg[0] = 0x45;
        System.arraycopy(token, 0, dg, dg.length - 16, 16);
        return dg;
    }

    @Test
    void aThirdActiveConnectionIdBeyondALimitOfTwoIsAConnectionIdLimitError() throws Exception {
        // sequence numbers 0 (the handshake's), 1 and 2 all active: 3 > 2
        assertError(TransportErrorCode.CONNECTION_ID_LIMIT_ERROR, ConnectionFixtures.clientWithConnectionIdLimit(2), 0,
                newConnectionId(1, 0) + newConnectionId(2, 0));
    }

    @Test
    void theLimitCountsAcrossPackets() throws Exception {
        QuicConnection c = ConnectionFixtures.clientWithConnectionIdLimit(2);
        assertEquals(ReceiveStatus.PROCESSED, receive(c, 0, newConnectionId(1, 0)));
        assertError(TransportErrorCode.CONNECTION_ID_LIMIT_ERROR, c, 1, newConnectionId(2, 0));
    }

    @Test
    void connectionIdsWithinTheLimitAreTaken() throws Exception {
        QuicConnection c = ConnectionFixtures.clientWithConnectionIdLimit(3);
        assertEquals(ReceiveStatus.PROCESSED, receive(c, 0, newConnectionId(1, 0) + newConnectionId(2, 0)));
    }

    @Test
    void retiredIdsMakeRoomAndTheEndpointStopsUsingThem() throws Exception {
        QuicConnection c = ConnectionFixtures.clientWithConnectionIdLimit(2);
        ConnectionId handshakeId = c.destinationConnectionId();
        // sequence 1 retires 0: one active; then 2 while 1 is active: two, within the limit
        assertEquals(ReceiveStatus.PROCESSED, receive(c, 0, newConnectionId(1, 1) + newConnectionId(2, 1)));
        assertEquals(issuedId(1), c.destinationConnectionId(), "§5.1.2: MUST stop using " + handshakeId);
        assertEquals(issuedId(1), closeDestination(c, 8));
    }

    @Test
    void anIdRetiredAlreadyIsNotCountedAndAnIdAtTheRetirePriorToIsUsed() throws Exception {
        QuicConnection c = ConnectionFixtures.clientWithConnectionIdLimit(2);
        assertEquals(ReceiveStatus.PROCESSED, receive(c, 0, newConnectionId(3, 3)));
        assertEquals(issuedId(3), c.destinationConnectionId());
        // sequence 2 arrives late: below the Retire Prior To 3, so retired at once (not active, not counted)
        assertEquals(ReceiveStatus.PROCESSED, receive(c, 1, newConnectionId(2, 0) + newConnectionId(4, 3)));
        assertEquals(issuedId(3), c.destinationConnectionId());
    }

    @Test
    void theSameFrameTwiceIsNoError() throws Exception {
        QuicConnection c = ConnectionFixtures.clientWithConnectionIdLimit(2);
        // §19.15: "Receipt of the same frame multiple times MUST NOT be treated as a connection error"
        assertEquals(ReceiveStatus.PROCESSED, receive(c, 0, newConnectionId(1, 0) + newConnectionId(1, 0)));
        assertEquals(ReceiveStatus.PROCESSED, receive(c, 1, newConnectionId(1, 0)));
    }

    @Test
    void aSequenceNumberReusedForAnotherIdOrTokenIsAProtocolViolation() throws Exception {
        QuicConnection c = ConnectionFixtures.clientWithConnectionIdLimit(4);
        assertEquals(ReceiveStatus.PROCESSED, receive(c, 0, newConnectionId(1, 0)));
        assertError(TransportErrorCode.PROTOCOL_VIOLATION, c, 1, newConnectionId(1, 0, issuedId(9), token(1)));
        QuicConnection d = ConnectionFixtures.clientWithConnectionIdLimit(4);
        assertEquals(ReceiveStatus.PROCESSED, receive(d, 0, newConnectionId(1, 0)));
        assertError(TransportErrorCode.PROTOCOL_VIOLATION, d, 1, newConnectionId(1, 0, issuedId(1), token(9)));
        QuicConnection e = ConnectionFixtures.clientWithConnectionIdLimit(4);
        assertEquals(ReceiveStatus.PROCESSED, receive(e, 0, newConnectionId(1, 0)));
        assertError(TransportErrorCode.PROTOCOL_VIOLATION, e, 1, newConnectionId(2, 0, issuedId(1), token(2)));
    }

    @Test
    void aRefusedPacketLeavesTheIdsAsTheyWere() throws Exception {
        QuicConnection c = ConnectionFixtures.clientWithConnectionIdLimit(4);
        // NEW_CONNECTION_ID 1, then NEW_TOKEN with an empty token: FRAME_ENCODING_ERROR, the whole packet refused
        assertThrows(QuicException.class, () -> receive(c, 0, newConnectionId(1, 1) + "0700"));
        assertEquals(ConnectionFixtures.clientPostHandshake(NULL).destinationConnectionId(),
                c.destinationConnectionId());
        // sequence 1 was never taken: now with another ID, it is no reuse
        assertEquals(ReceiveStatus.PROCESSED, receive(c, 1, newConnectionId(1, 0, issuedId(7), token(7))));
    }

    @Test
    void withoutTheLocalParametersNoLimitIsEnforced() throws Exception {
        QuicConnection c = ConnectionFixtures.clientPostHandshake(NULL);
        assertEquals(ReceiveStatus.PROCESSED, receive(c, 0, newConnectionId(1, 0) + newConnectionId(2, 0)
                + newConnectionId(3, 0)));
    }

    @Test
    void aPreferredAddressIdIsSequenceNumberOneAndCounts() throws Exception {
        QuicConnection c = ConnectionFixtures.clientWithConnectionIdLimit(2);
        c.setPeerTransportParameters(TransportParameters.builder()
                .preferredAddress(PreferredAddress.of(PREFERRED, null, issuedId(1).toByteArray(), token(1)))
                .build());
        // 0, 1 (the preferred address's) and 2: beyond 2
        assertError(TransportErrorCode.CONNECTION_ID_LIMIT_ERROR, c, 0, newConnectionId(2, 0));
        // the preferred address's ID repeated as sequence number 1 is the same ID
        QuicConnection d = ConnectionFixtures.clientWithConnectionIdLimit(3);
        d.setPeerTransportParameters(TransportParameters.builder()
                .preferredAddress(PreferredAddress.of(PREFERRED, null, issuedId(1).toByteArray(), token(1)))
                .build());
        assertEquals(ReceiveStatus.PROCESSED, receive(d, 0, newConnectionId(1, 0) + newConnectionId(2, 0)));
    }

    @Test
    void theTokensFollowTheIdInUse() throws Exception {
        QuicConnection c = ConnectionFixtures.clientWithConnectionIdLimit(2);
        byte[] handshakeToken = token(0x55);
        c.setPeerTransportParameters(TransportParameters.builder().statelessResetToken(handshakeToken).build());
        assertEquals(ReceiveStatus.PROCESSED, receive(c, 0, newConnectionId(1, 1)));
        // §10.3.1: "MUST NOT check for any stateless reset tokens associated with ... connection IDs that have been
        // retired"
        assertEquals(ReceiveStatus.DROPPED, c.receive(ByteBuffer.wrap(reset(handshakeToken)), CLIENT_PATH, T0 + 10));
        assertEquals(ReceiveStatus.DRAINING, c.receive(ByteBuffer.wrap(reset(token(1))), CLIENT_PATH, T0 + 11));
        assertArrayEquals(issuedId(1).toByteArray(), c.destinationConnectionId().toByteArray());
    }
}
