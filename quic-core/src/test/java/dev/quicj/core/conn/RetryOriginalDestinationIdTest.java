package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.inspect.DatagramInspector;
import dev.quicj.core.inspect.InspectedPacket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which Original Destination Connection ID a client checks a Retry's integrity tag with (RFC 9001 §5.8: "the
 * Destination Connection ID from the Initial packet that this Retry is in response to"), on the Retry of RFC 9001
 * Appendix A.4: the server's answer to the client of Appendix A.2, whose first Initial had DCID 8394c8f03e515708 and
 * an empty SCID; the Retry has SCID f067a5502a4262b5 and the token "token".
 *
 * <p>A client that may still take a Retry has sent its Initials with its original DCID only, so that is the ODCID. A
 * client created with another DCID has already had the server's Initial or Retry (RFC 9000 §7.2), and discards any
 * Retry (§17.2.5.2); so does a client that took one.
 */
class RetryOriginalDestinationIdTest {
    private static final Settings JCA = Settings.defaults();
    private static final ConnectionId ODCID = ConnectionId.of(Hex.decode("8394c8f03e515708"));
    private static final ConnectionId EMPTY = ConnectionId.of(new byte[0]);
    private static final ConnectionId RETRY_SCID = ConnectionId.of(Hex.decode("f067a5502a4262b5"));
    /** RFC 9001 Appendix A.4. */
    private static final byte[] A4_RETRY = Hex.decode(
            "ff000000010008f067a5502a4262b5746f6b656e04a265ba2eff4d829058fb3f0f2496ba");

    /** The client of Appendix A.2 (empty SCID), after its first Initial. */
    private static QuicConnection client(ConnectionId odcid, ConnectionId dcid) throws Exception {
        QuicConnection.ClientBuilder b = QuicConnection.clientBuilder().version(QuicVersion.V1)
                .originalDestinationConnectionId(odcid).sourceConnectionId(EMPTY).path(CLIENT_PATH).settings(JCA);
        if (dcid != null) {
            b.destinationConnectionId(dcid);
        }
        return ConnectionFixtures.sentFirstInitial(b.build(T0));
    }

    private static void assertDiscarded(QuicConnection c) throws Exception {
        ConnectionId dcid = c.destinationConnectionId();
        byte[] token = c.token();
        ConnectionState state = c.state();
        assertEquals(ReceiveStatus.DROPPED, c.receive(ByteBuffer.wrap(A4_RETRY.clone()), CLIENT_PATH, T0));
        assertEquals(DropReason.INVALID_RETRY, c.lastDropReason());
        assertEquals(dcid, c.destinationConnectionId());
        assertArrayEquals(token, c.token());
        assertEquals(state, c.state());
    }

    @Test
    void theClientOfAppendixATakesTheAppendixA4Retry() throws Exception {
        QuicConnection c = client(ODCID, null);
        assertEquals(ReceiveStatus.RETRY, c.receive(ByteBuffer.wrap(A4_RETRY.clone()), CLIENT_PATH, T0));
        assertEquals(RETRY_SCID, c.destinationConnectionId());
        assertEquals(ODCID, c.originalDestinationConnectionId());
        assertArrayEquals("token".getBytes(StandardCharsets.US_ASCII), c.token());
        assertEquals(ConnectionState.CLIENT_INITIAL, c.state());

        // its next Initial goes to the Retry's SCID with the token, under keys derived from that SCID (RFC 9000
        // §17.2.5.2, RFC 9001 §5.2)
        ByteBuffer next = ByteBuffer.allocate(1500);
        int n = c.writePacket(null, null, next, T0 + 1);
        assertEquals(1200, n);
        List<InspectedPacket> packets = DatagramInspector.inspect(Arrays.copyOf(next.array(), n),
                DatagramInspector.initialKeys(RETRY_SCID, JCA.cryptoProvider()), 0);
        InspectedPacket initial = packets.get(0);
        assertEquals(EncryptionLevel.INITIAL, initial.level());
        assertTrue(initial.decrypted(), initial.failure());
        assertEquals(RETRY_SCID, initial.dcid());
        assertEquals(5, initial.tokenLength());
    }

    @Test
    void aSecondRetryIsDiscarded() throws Exception {
        QuicConnection c = client(ODCID, null);
        assertEquals(ReceiveStatus.RETRY, c.receive(ByteBuffer.wrap(A4_RETRY.clone()), CLIENT_PATH, T0));
        assertDiscarded(c);
    }

    @Test
    void aRetryTaggedForAnotherOriginalIdIsDiscarded() throws Exception {
        assertDiscarded(client(ConnectionId.of(Hex.decode("8394c8f03e515709")), null));
    }

    @Test
    void aClientCreatedWithAnotherDestinationIdDiscardsTheRetry() throws Exception {
        // its DCID is the server's SCID, learned from the server's Initial: it takes no Retry, not even one whose tag
        // is valid for its original DCID
        QuicConnection c = client(ODCID, ConnectionId.of(Hex.decode("0102030405060708")));
        assertDiscarded(c);
        assertNull(c.token());
    }
}
