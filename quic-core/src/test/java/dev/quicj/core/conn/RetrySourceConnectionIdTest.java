package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_ODCID;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.QuicVersion;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * RFC 9000 §17.2.5.1: "A client MUST discard a Retry packet that contains a Source Connection ID field that is
 * identical to the Destination Connection ID field of its Initial packet." The DCID a client's Initials carry is its
 * original DCID, unless it was created with another ({@link QuicConnection.ClientBuilder#destinationConnectionId}).
 */
class RetrySourceConnectionIdTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();
    private static final byte[] TOKEN = {1, 2};
    /** The DCID of a client created with one that differs from its original DCID. */
    private static final ConnectionId OTHER_DCID = ConnectionFixtures.cid(0x55, 8);

    private static void assertDiscarded(QuicConnection c, byte[] retry, ConnectionId dcidBefore) throws Exception {
        ConnectionState before = c.state();
        assertEquals(ReceiveStatus.DROPPED, c.receive(ByteBuffer.wrap(retry), CLIENT_PATH, T0));
        assertEquals(DropReason.INVALID_RETRY, c.lastDropReason());
        assertEquals(before, c.state());
        assertEquals(dcidBefore, c.destinationConnectionId());
        assertNull(c.token());
    }

    @Test
    void aRetryWhoseSourceIdIsTheOriginalDestinationIdIsDiscarded() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        assertEquals(CLIENT_ODCID, c.destinationConnectionId());
        byte[] retry = ConnectionFixtures.retryPacket(QuicVersion.V1, CLIENT_SCID, CLIENT_ODCID, TOKEN, CLIENT_ODCID);
        assertDiscarded(c, retry, CLIENT_ODCID);
    }

    @Test
    void aRetryWhoseSourceIdIsTheDestinationIdOfTheClientsInitialsIsDiscarded() throws Exception {
        QuicConnection c = ConnectionFixtures.sentFirstInitial(
                ConnectionFixtures.clientBuilder(NULL).destinationConnectionId(OTHER_DCID).build(T0));
        assertEquals(OTHER_DCID, c.destinationConnectionId());
        // whichever DCID its integrity tag is computed over: the original one (which the connection checks it with)
        // or the one the Initials carried
        byte[] taggedWithOriginal = ConnectionFixtures.retryPacket(QuicVersion.V1, CLIENT_SCID, OTHER_DCID, TOKEN,
                CLIENT_ODCID);
        assertDiscarded(c, taggedWithOriginal, OTHER_DCID);
        byte[] taggedWithCurrent = ConnectionFixtures.retryPacket(QuicVersion.V1, CLIENT_SCID, OTHER_DCID, TOKEN,
                OTHER_DCID);
        assertDiscarded(c, taggedWithCurrent, OTHER_DCID);
    }

    @Test
    void aRetryWithAnotherSourceIdIsTaken() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        byte[] retry = ConnectionFixtures.retryPacket(QuicVersion.V1, CLIENT_SCID, SERVER_SCID, TOKEN, CLIENT_ODCID);
        assertEquals(ReceiveStatus.RETRY, c.receive(ByteBuffer.wrap(retry), CLIENT_PATH, T0));
        assertEquals(SERVER_SCID, c.destinationConnectionId());
        assertEquals(CLIENT_ODCID, c.originalDestinationConnectionId());
    }
}
