package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_ODCID;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.QuicVersion;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A server connection built after it sent a Retry and validated the token of the client's next Initial: RFC 9001
 * §5.2, the Initial keys now derive from the Retry's SCID, while RFC 9000 §7.3 / §18.2 keep the pre-Retry DCID as
 * original_destination_connection_id and the Retry's SCID as retry_source_connection_id.
 */
class ServerAfterRetryTest {
    private static final Settings JCA = Settings.defaults();
    private static final ConnectionId RETRY_SCID = ConnectionFixtures.cid(0x5e, 8);
    private static final byte[] TOKEN = "retry-token".getBytes(StandardCharsets.US_ASCII);

    /** The first Initial of a client that processed a Retry from RETRY_SCID (keys from RETRY_SCID, RFC 9001 §5.2). */
    private static byte[] clientInitialAfterRetry() throws Exception {
        QuicConnection c = QuicConnection.clientBuilder().version(QuicVersion.V1)
                .originalDestinationConnectionId(CLIENT_ODCID).sourceConnectionId(CLIENT_SCID).path(CLIENT_PATH)
                .settings(JCA).retrySourceConnectionId(RETRY_SCID).token(TOKEN).build(T0);
        c.submitCryptoData(EncryptionLevel.INITIAL, ConnectionFixtures.CLIENT_HELLO);
        ByteBuffer b = ByteBuffer.allocate(1500);
        int n = c.writePacket(null, null, b, T0);
        return Arrays.copyOf(b.array(), n);
    }

    /** The same with the current API only: the server uses the Retry's SCID as its own ID. */
    @Test
    void aServerWhoseIdIsTheRetrySourceIdReadsTheInitialWithTheOriginalDcidGiven() throws Exception {
        QuicConnection s = QuicConnection.serverBuilder().version(QuicVersion.V1).sourceConnectionId(RETRY_SCID)
                .path(SERVER_PATH).settings(JCA).originalDestinationConnectionId(CLIENT_ODCID)
                .validatedToken(TOKEN).build(T0);
        assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(clientInitialAfterRetry()), SERVER_PATH, T0),
                () -> String.valueOf(s.lastDropReason()));
        assertEquals(CLIENT_ODCID, s.originalDestinationConnectionId());
    }

    /**
     * RFC 9001 §5.2: after a Retry, Initial keys derive from the DCID the server chose in it; RFC 9000 §7.3 / §18.2:
     * the server's original_destination_connection_id is still the DCID of the client's first (pre-Retry) Initial.
     * A server built after validating a Retry token knows both; with the original DCID given (as the builder's
     * javadoc asks, "the DCID of the client's first Initial"), it must still read the client's Initial, and report
     * the original DCID for its transport parameters.
     */
    @Test
    void aServerBuiltAfterARetryReadsTheClientsInitialAndKeepsTheOriginalDcid() throws Exception {
        QuicConnection s = QuicConnection.serverBuilder().version(QuicVersion.V1).sourceConnectionId(SERVER_SCID)
                .path(SERVER_PATH).settings(JCA).originalDestinationConnectionId(CLIENT_ODCID)
                .retrySourceConnectionId(RETRY_SCID).validatedToken(TOKEN).build(T0);
        assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(clientInitialAfterRetry()), SERVER_PATH, T0),
                () -> String.valueOf(s.lastDropReason()));
        assertEquals(CLIENT_ODCID, s.originalDestinationConnectionId());
        assertEquals(RETRY_SCID, s.retrySourceConnectionId());
        assertEquals(CLIENT_SCID, s.destinationConnectionId());
        assertEquals(ConnectionFixtures.CLIENT_HELLO.length, s.cryptoBytesReceived(EncryptionLevel.INITIAL));
    }

    /**
     * RFC 9000 §17.2.5.2: after a Retry the client's Initials go to the Retry's SCID, with keys from it. A copy of the
     * client's pre-Retry Initial (to the original DCID, keys from that), duplicated or reordered by the network, must
     * not key the Initial space: every Initial of the real client would then fail to decrypt.
     */
    @Test
    void aLatePreRetryInitialDoesNotTakeOverTheInitialKeys() throws Exception {
        QuicConnection s = QuicConnection.serverBuilder().version(QuicVersion.V1).sourceConnectionId(SERVER_SCID)
                .path(SERVER_PATH).settings(JCA).originalDestinationConnectionId(CLIENT_ODCID)
                .retrySourceConnectionId(RETRY_SCID).validatedToken(TOKEN).build(T0);
        assertEquals(ReceiveStatus.DROPPED, s.receive(ByteBuffer.wrap(ConnectionFixtures.clientFirstInitial(JCA)),
                SERVER_PATH, T0));
        assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(clientInitialAfterRetry()), SERVER_PATH,
                T0 + 1), () -> String.valueOf(s.lastDropReason()));
        assertEquals(CLIENT_ODCID, s.originalDestinationConnectionId());
    }

    /** Its close is sealed with the same keys: the client that took the Retry reads it and drains. */
    @Test
    void theServersCloseAfterARetryIsReadByTheClient() throws Exception {
        QuicConnection client = QuicConnection.clientBuilder().version(QuicVersion.V1)
                .originalDestinationConnectionId(CLIENT_ODCID).sourceConnectionId(CLIENT_SCID).path(CLIENT_PATH)
                .settings(JCA).retrySourceConnectionId(RETRY_SCID).token(TOKEN).build(T0);
        client.submitCryptoData(EncryptionLevel.INITIAL, ConnectionFixtures.CLIENT_HELLO);
        ByteBuffer initial = ByteBuffer.allocate(1500);
        client.writePacket(null, null, initial, T0);
        initial.flip();
        QuicConnection s = QuicConnection.serverBuilder().version(QuicVersion.V1).sourceConnectionId(SERVER_SCID)
                .path(SERVER_PATH).settings(JCA).originalDestinationConnectionId(CLIENT_ODCID)
                .retrySourceConnectionId(RETRY_SCID).validatedToken(TOKEN).build(T0);
        assertEquals(ReceiveStatus.PROCESSED, s.receive(initial, SERVER_PATH, T0));
        ByteBuffer close = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN, s.writeConnectionClose(null, null, close,
                CloseError.transport(0x2, "busy"), T0 + 1));
        close.flip();
        assertEquals(ReceiveStatus.DRAINING, client.receive(close, CLIENT_PATH, T0 + 2));
        assertEquals(0x2, client.peerCloseError().errorCode());
    }

    /** Without a Retry the keys still come from the client's first DCID, the original DCID given or not. */
    @Test
    void withoutARetryTheKeysComeFromTheOriginalDcid() throws Exception {
        byte[] first = ConnectionFixtures.clientFirstInitial(JCA);
        QuicConnection given = QuicConnection.serverBuilder().version(QuicVersion.V1).sourceConnectionId(SERVER_SCID)
                .path(SERVER_PATH).settings(JCA).originalDestinationConnectionId(CLIENT_ODCID).build(T0);
        assertEquals(ReceiveStatus.PROCESSED, given.receive(ByteBuffer.wrap(first.clone()), SERVER_PATH, T0));
        QuicConnection learned = QuicConnection.serverBuilder().version(QuicVersion.V1).sourceConnectionId(SERVER_SCID)
                .path(SERVER_PATH).settings(JCA).build(T0);
        assertEquals(ReceiveStatus.PROCESSED, learned.receive(ByteBuffer.wrap(first.clone()), SERVER_PATH, T0));
        assertEquals(CLIENT_ODCID, learned.originalDestinationConnectionId());
        assertNull(learned.retrySourceConnectionId());
    }

    @Test
    void aRetrySourceIdNeedsTheOriginalDcidAndTheValidatedTokenAndDiffersFromTheOriginalDcid() {
        assertThrows(IllegalStateException.class, () -> QuicConnection.serverBuilder().sourceConnectionId(SERVER_SCID)
                .path(SERVER_PATH).retrySourceConnectionId(RETRY_SCID).validatedToken(TOKEN).build(T0));
        assertThrows(IllegalStateException.class, () -> QuicConnection.serverBuilder().sourceConnectionId(SERVER_SCID)
                .path(SERVER_PATH).originalDestinationConnectionId(CLIENT_ODCID).retrySourceConnectionId(RETRY_SCID)
                .build(T0));
        assertThrows(IllegalStateException.class, () -> QuicConnection.serverBuilder().sourceConnectionId(SERVER_SCID)
                .path(SERVER_PATH).originalDestinationConnectionId(CLIENT_ODCID).retrySourceConnectionId(CLIENT_ODCID)
                .validatedToken(TOKEN).build(T0));
        assertThrows(NullPointerException.class, () -> QuicConnection.serverBuilder().retrySourceConnectionId(null));
    }
}
