package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_ODCID;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.Hex;
import dev.quicj.core.LongPacketType;
import dev.quicj.core.QuicException;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.crypto.InitialSecrets;
import dev.quicj.core.tls.TransportParameters;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * A client created after it processed the server's first Initial
 * ({@link QuicConnection.ClientBuilder#serverSourceConnectionId}, or a
 * {@link QuicConnection.ClientBuilder#destinationConnectionId} other than the one its keys derive from). RFC 9000
 * §7.2: "Once a client has received a valid Initial packet from the server, it MUST discard any subsequent packet it
 * receives on that connection with a different Source Connection ID"; §17.2.5.2 and §6.2: it takes no Retry and no
 * Version Negotiation packet.
 */
class ClientBuiltAfterServerInitialTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();
    private static final ConnectionId INTRUDER = ConnectionFixtures.cid(0x77, 8);

    /** A server Initial (PING) to the fixture client from {@code scid}, under the Initial keys of the fixture ODCID. */
    private static byte[] serverInitial(ConnectionId scid, long pn) throws Exception {
        return ConnectionFixtures.peerLongPacket(ConnectionFixtures.peerProtection(NULL,
                InitialSecrets.serverSecret(QuicVersion.V1, CLIENT_ODCID.toByteArray())), LongPacketType.INITIAL,
                CLIENT_SCID, scid, pn, Hex.decode("01"), 0);
    }

    private static QuicConnection built(QuicConnection.ClientBuilder b) throws Exception {
        return ConnectionFixtures.sentFirstInitial(b.build(T0));
    }

    private static void assertDropped(QuicConnection c, byte[] dg, DropReason reason, ConnectionId dcid)
            throws Exception {
        assertEquals(ReceiveStatus.DROPPED, c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0));
        assertEquals(reason, c.lastDropReason());
        assertEquals(dcid, c.destinationConnectionId());
    }

    private static void assertProcessed(QuicConnection c, byte[] dg, ConnectionId dcid) throws Exception {
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0));
        assertEquals(dcid, c.destinationConnectionId());
    }

    @Test
    void aClientCreatedWithTheServersIdAsItsDestinationDiscardsAnInitialFromAnotherSourceId() throws Exception {
        QuicConnection c = built(ConnectionFixtures.clientBuilder(NULL).destinationConnectionId(SERVER_SCID));
        // anyone who saw the original DCID can seal an Initial: it must not move the client's DCID
        assertDropped(c, serverInitial(INTRUDER, 0), DropReason.PEER_SCID_MISMATCH, SERVER_SCID);
        assertProcessed(c, serverInitial(SERVER_SCID, 0), SERVER_SCID);
    }

    @Test
    void aServerMayHaveChosenTheOriginalDestinationIdAsItsOwn() throws Exception {
        QuicConnection c = built(ConnectionFixtures.clientBuilder(NULL).serverSourceConnectionId(CLIENT_ODCID));
        assertEquals(CLIENT_ODCID, c.destinationConnectionId());
        byte[] retry = ConnectionFixtures.retryPacket(QuicVersion.V1, CLIENT_SCID, SERVER_SCID, new byte[] {1},
                CLIENT_ODCID);
        assertDropped(c, retry, DropReason.INVALID_RETRY, CLIENT_ODCID);
        byte[] vn = Hex.decode("80" + "00000000" + String.format("%02x", CLIENT_SCID.length()) + CLIENT_SCID.toHex()
                + String.format("%02x", CLIENT_ODCID.length()) + CLIENT_ODCID.toHex() + "ff00001d");
        assertDropped(c, vn, DropReason.IGNORED_VERSION_NEGOTIATION, CLIENT_ODCID);
        assertNull(c.token());
        assertDropped(c, serverInitial(INTRUDER, 0), DropReason.PEER_SCID_MISMATCH, CLIENT_ODCID);
        assertEquals(ConnectionState.CLIENT_WAIT_HANDSHAKE, c.state());

        // its transport parameters are checked against the SCID given, before any packet of this object's
        c.checkPeerConnectionIds(TransportParameters.builder().initialSourceConnectionId(CLIENT_ODCID.toByteArray())
                .originalDestinationConnectionId(CLIENT_ODCID.toByteArray()).build());
        QuicException e = assertThrows(QuicException.class, () -> c.checkPeerConnectionIds(TransportParameters
                .builder().initialSourceConnectionId(INTRUDER.toByteArray())
                .originalDestinationConnectionId(CLIENT_ODCID.toByteArray()).build()));
        assertEquals(TransportErrorCode.TRANSPORT_PARAMETER_ERROR, e.errorCode());
    }

    @Test
    void packetsGoToTheDestinationGivenAndComeFromTheServersId() throws Exception {
        // the server's SCID is known, and packets go to another of its IDs
        ConnectionId other = ConnectionFixtures.cid(0x55, 8);
        QuicConnection c = built(ConnectionFixtures.clientBuilder(NULL).serverSourceConnectionId(SERVER_SCID)
                .destinationConnectionId(other));
        assertEquals(other, c.destinationConnectionId());
        assertDropped(c, serverInitial(other, 0), DropReason.PEER_SCID_MISMATCH, other);
        assertProcessed(c, serverInitial(SERVER_SCID, 0), other);
    }

    @Test
    void aClientCreatedWithItsOriginalIdStillTakesTheServersFirstInitial() throws Exception {
        QuicConnection c = built(ConnectionFixtures.clientBuilder(NULL).destinationConnectionId(CLIENT_ODCID));
        assertProcessed(c, serverInitial(SERVER_SCID, 0), SERVER_SCID);
        assertDropped(c, serverInitial(INTRUDER, 1), DropReason.PEER_SCID_MISMATCH, SERVER_SCID);
    }
}
