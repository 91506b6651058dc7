package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.tls.TransportParameters;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Edge cases of NEW_CONNECTION_ID handling: storage bounds, a closed connection (RFC 9000 §5.1.1, §5.1.2, §19.15). */
class NewConnectionIdEdgeCasesTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();

    private static ReceiveStatus receive(QuicConnection c, long pn, String frames) throws Exception {
        byte[] dg = ConnectionFixtures.peerShortPacket(NULL, SERVER_1RTT_SECRET, CLIENT_SCID, pn, Hex.decode(frames));
        return c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0 + 1 + pn);
    }

    /**
     * Without local transport parameters at most 8 IDs are kept; a frame that then retires all of them (its own
     * sequence number being its Retire Prior To) must leave the connection on that frame's ID (§5.1.2: retire, then
     * add). Checking the storage bound before the retirement left no ID at all, and receive threw an
     * ArrayIndexOutOfBoundsException, against its contract ("Nothing else is thrown, whatever the datagram holds").
     */
    @Test
    void retiringEveryTrackedIdWhenTheUnknownLimitCapIsReachedKeepsTheNewId() throws Exception {
        QuicConnection c = ConnectionFixtures.clientPostHandshake(NULL);
        StringBuilder frames = new StringBuilder();
        for (int s = 1; s < PeerConnectionIds.MAX_TRACKED_UNKNOWN_LIMIT; s++) {
            frames.append(ConnectionFixtures.newConnectionIdFrame(s, 0));
        }
        assertEquals(ReceiveStatus.PROCESSED, receive(c, 0, frames.toString()));
        int next = PeerConnectionIds.MAX_TRACKED_UNKNOWN_LIMIT;
        assertEquals(ReceiveStatus.PROCESSED, receive(c, 1, ConnectionFixtures.newConnectionIdFrame(next, next)));
        assertEquals(ConnectionFixtures.issuedId(next), c.destinationConnectionId());
    }

    /** The same with an advertised limit above MAX_TRACKED (the limit is a varint; 1025 IDs are kept at most). */
    @Test
    void retiringEveryTrackedIdWhenMaxTrackedIsReachedKeepsTheNewId() throws Exception {
        QuicConnection c = ConnectionFixtures.clientPostHandshake(NULL);
        c.setLocalTransportParameters(TransportParameters.builder()
                .initialSourceConnectionId(CLIENT_SCID.toByteArray()).activeConnectionIdLimit(5000).build());
        int pn = 0;
        StringBuilder frames = new StringBuilder();
        for (int s = 1; s < PeerConnectionIds.MAX_TRACKED; s++) {
            frames.append(ConnectionFixtures.newConnectionIdFrame(s, 0));
            if (frames.length() > 1000) {
                assertEquals(ReceiveStatus.PROCESSED, receive(c, pn++, frames.toString()));
                frames.setLength(0);
            }
        }
        if (frames.length() > 0) {
            assertEquals(ReceiveStatus.PROCESSED, receive(c, pn++, frames.toString()));
        }
        int next = PeerConnectionIds.MAX_TRACKED;
        assertEquals(ReceiveStatus.PROCESSED, receive(c, pn, ConnectionFixtures.newConnectionIdFrame(next, next)));
        assertEquals(ConnectionFixtures.issuedId(next), c.destinationConnectionId());
    }

    /**
     * PacketReceiver.Applier: "Once the CRYPTO data listener has closed the connection (on an earlier frame of the
     * packet), the later frames have none". A NEW_CONNECTION_ID after the CRYPTO frame whose listener closed the
     * connection must not retire the handshake ID nor move the closed connection's destinationConnectionId (what the
     * handler reports in QuicConnectionEndedEvent) to an ID its close was never sent to.
     */
    @Test
    void aNewConnectionIdAfterTheListenerClosedTheConnectionHasNoEffect() throws Exception {
        QuicConnection[] self = new QuicConnection[1];
        QuicConnection c = ConnectionFixtures.clientBuilder(NULL).cryptoDataListener((level, offset, data) -> {
            if (level == EncryptionLevel.ONE_RTT) {
                self[0].writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.transport(0x0),
                        T0 + 1);
            }
        }).build(T0);
        self[0] = c;
        ConnectionFixtures.sentFirstInitial(c);
        c.installTxKey(EncryptionLevel.HANDSHAKE, ConnectionFixtures.SUITE, ConnectionFixtures.CLIENT_HANDSHAKE_SECRET);
        c.installRxKey(EncryptionLevel.HANDSHAKE, ConnectionFixtures.SUITE, ConnectionFixtures.SERVER_HANDSHAKE_SECRET);
        c.installTxKey(EncryptionLevel.ONE_RTT, ConnectionFixtures.SUITE, ConnectionFixtures.CLIENT_1RTT_SECRET);
        c.installRxKey(EncryptionLevel.ONE_RTT, ConnectionFixtures.SUITE, SERVER_1RTT_SECRET);
        c.handshakeCompleted();
        ConnectionId handshakeId = c.destinationConnectionId();
        // CRYPTO (offset 0, 4 bytes), then NEW_CONNECTION_ID 1 retiring sequence number 0
        receive(c, 0, "060004" + "01020304" + ConnectionFixtures.newConnectionIdFrame(1, 1));
        assertTrue(c.state().isClosed());
        assertEquals(handshakeId, c.destinationConnectionId(), "a frame after the close took effect");
    }
}
