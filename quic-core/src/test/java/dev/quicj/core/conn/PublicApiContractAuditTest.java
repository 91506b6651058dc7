package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.SERVER_HANDSHAKE_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.SUITE;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quicj.core.EncryptionLevel;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * Claims of the public javadoc of the connection API that an audit of it doubted, checked against the code (the
 * undocumented exceptions and state changes it found are pinned here).
 */
class PublicApiContractAuditTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();

    /**
     * A server that has read no client Initial (and was given no destination connection ID) has nowhere to send:
     * keys installed out of order must not turn that into a NullPointerException. The close is INVALID_STATE, as for
     * such a server without keys (close-spec project decision 3); writePacket refuses with IllegalStateException.
     */
    @Test
    void aServerThatKnowsNoPeerIdCannotWriteEvenWithKeys() throws Exception {
        QuicConnection s = ConnectionFixtures.serverBuilder(NULL).build(T0);
        s.installTxKey(EncryptionLevel.HANDSHAKE, SUITE, SERVER_HANDSHAKE_SECRET);
        s.submitCryptoData(EncryptionLevel.HANDSHAKE, new byte[100]);
        assertNull(s.destinationConnectionId());
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertThrows(IllegalStateException.class, () -> s.writePacket(null, null, dest, T0));
        assertEquals(0, dest.position());
        assertEquals(CloseOutcome.INVALID_STATE,
                s.writeConnectionClose(null, null, dest, CloseError.noError(), T0));
        assertEquals(0, dest.position());
        assertEquals(ConnectionState.SERVER_INITIAL, s.state());
        // without keys nothing changes: nothing to send
        QuicConnection fresh = ConnectionFixtures.serverBuilder(NULL).build(T0);
        PathInfo pathInfo = new PathInfo();
        PacketInfo packetInfo = new PacketInfo();
        assertEquals(0, fresh.writePacket(pathInfo, packetInfo, dest, T0));
        // writePacket fills the holders too, also when it returns 0
        assertEquals(ConnectionFixtures.SERVER_PATH, pathInfo.path());
        assertEquals(Ecn.NOT_ECT, packetInfo.ecn());
    }

    /** The documentation fixes of the audit, pinned: each was what the code did already. */
    @Test
    void documentedBehaviourTheAuditCorrected() throws Exception {
        byte[] initial = ConnectionFixtures.clientFirstInitial(NULL);
        QuicConnection s = ConnectionFixtures.serverBuilder(NULL).validatedToken(new byte[] {1, 2}).build(T0);
        // token(): a server's is the validated token it was built with
        assertArrayEquals(new byte[] {1, 2}, s.token());
        // receive: position and limit are left as they were
        ByteBuffer dg = ByteBuffer.allocate(initial.length + 20);
        dg.position(10);
        dg.put(initial).flip().position(10);
        assertEquals(ReceiveStatus.PROCESSED, s.receive(dg, ConnectionFixtures.SERVER_PATH, T0));
        assertEquals(10, dg.position());
        assertEquals(10 + initial.length, dg.limit());
        // setPathMaxUdpPayloadSize lowers too
        s.setPathMaxUdpPayloadSize(1500);
        s.setPathMaxUdpPayloadSize(1200);
        // ReceiveStatus.CLOSING: a datagram from another address does not raise the amplification budget
        assertEquals(CloseOutcome.WRITTEN,
                s.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.noError(), T0));
        long path = s.pathBytesReceived();
        long all = s.bytesReceived();
        NetworkPath other = new NetworkPath(ConnectionFixtures.SERVER_ADDRESS, new InetSocketAddress("127.0.0.1", 1));
        assertEquals(ReceiveStatus.CLOSING, s.receive(ByteBuffer.allocate(100), other, T0));
        assertEquals(path, s.pathBytesReceived());
        assertEquals(all + 100, s.bytesReceived());
        // a listener's exception leaves receive
        QuicConnection failing = ConnectionFixtures.serverBuilder(NULL).cryptoDataListener((level, offset, data) -> {
            throw new IllegalStateException("listener");
        }).build(T0);
        assertThrows(IllegalStateException.class,
                () -> failing.receive(ByteBuffer.wrap(initial.clone()), ConnectionFixtures.SERVER_PATH, T0));
        // VersionNegotiation.write: a read-only destination is an IllegalArgumentException
        byte[] unsupported = initial.clone();
        unsupported[1] = 0x1a;
        unsupported[2] = 0x2a;
        assertThrows(IllegalArgumentException.class, () -> VersionNegotiation.write(
                ByteBuffer.allocate(2000).asReadOnlyBuffer(), ByteBuffer.wrap(unsupported), 1));
        // the builders' undocumented IllegalArgumentExceptions, now documented
        assertThrows(IllegalArgumentException.class,
                () -> QuicConnection.serverBuilder().validatedToken(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> Settings.builder().maxCryptoBuffer(4095));
        // receiveStatelessReset: a datagram that is no reset changes the last timestamp, nothing else
        QuicConnection client = ConnectionFixtures.client(NULL);
        long sent = client.bytesReceived();
        assertEquals(ReceiveStatus.DROPPED,
                client.receiveStatelessReset(ByteBuffer.allocate(40), ConnectionFixtures.CLIENT_PATH, T0 + 5));
        assertEquals(T0 + 5, client.lastTimestamp());
        assertEquals(sent, client.bytesReceived());
    }

    /** ConnectionState: CLOSING is final, a peer's CONNECTION_CLOSE arriving then is not read. */
    @Test
    void aClosingConnectionDoesNotBecomeDraining() throws Exception {
        QuicConnection c = ConnectionFixtures.clientPostHandshake(NULL);
        assertEquals(CloseOutcome.WRITTEN,
                c.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.noError(), T0));
        byte[] peerClose = ConnectionFixtures.peerShortPacket(NULL, ConnectionFixtures.SERVER_1RTT_SECRET,
                ConnectionFixtures.CLIENT_SCID, 0, new byte[] {0x1c, 0, 0, 0});
        assertEquals(ReceiveStatus.CLOSING, c.receive(ByteBuffer.wrap(peerClose), ConnectionFixtures.CLIENT_PATH, T0));
        assertEquals(ConnectionState.CLOSING, c.state());
        assertNull(c.peerCloseError());
        // the same packet drains a live connection
        QuicConnection live = ConnectionFixtures.clientPostHandshake(NULL);
        assertEquals(ReceiveStatus.DRAINING,
                live.receive(ByteBuffer.wrap(peerClose.clone()), ConnectionFixtures.CLIENT_PATH, T0));
    }
}
