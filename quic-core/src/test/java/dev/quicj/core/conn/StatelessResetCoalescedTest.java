package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_HANDSHAKE_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_HANDSHAKE_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.LongPacketType;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * RFC 9000 §10.3.1: "Endpoints MAY skip this check if any packet from a datagram is successfully processed. However,
 * the comparison MUST be performed when the first packet in an incoming datagram either cannot be associated with a
 * connection or cannot be decrypted." A datagram whose first packet does not decrypt is checked against the peer's
 * stateless reset tokens even when a packet coalesced after it would be processed (or would break the protocol); on
 * a match the connection drains and the rest of the datagram is not read.
 *
 * <p>Real crypto (JCA AES-GCM): the datagrams end with a real AEAD tag, which the tests register as the peer's token,
 * the only way for a datagram that carries an authentic packet to end with a token.
 */
class StatelessResetCoalescedTest {
    private static final Settings JCA = Settings.defaults();
    private static final byte[] PING = {0x01};

    /** A Handshake packet to the client that does not decrypt: sealed with the client's own Handshake key. */
    private static byte[] undecryptableHandshakePacket() throws Exception {
        return ConnectionFixtures.peerLongPacket(ConnectionFixtures.peerProtection(JCA, CLIENT_HANDSHAKE_SECRET),
                LongPacketType.HANDSHAKE, CLIENT_SCID, SERVER_SCID, 0, PING, 0);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] lastSixteen(byte[] dg) {
        return Arrays.copyOfRange(dg, dg.length - 16, dg.length);
    }

    @Test
    void anUndecryptableFirstPacketIsCheckedThoughAPacketCoalescedAfterItWouldBeProcessed() throws Exception {
        QuicConnection c = ConnectionFixtures.clientPostHandshake(JCA);
        byte[] oneRtt = ConnectionFixtures.peerShortPacket(JCA, SERVER_1RTT_SECRET, CLIENT_SCID, 0, PING);
        byte[] dg = concat(undecryptableHandshakePacket(), oneRtt);
        c.addStatelessResetToken(lastSixteen(dg));

        assertEquals(ReceiveStatus.DRAINING, c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0 + 1));
        assertTrue(c.isStatelessReset());
        assertEquals(ConnectionState.DRAINING, c.state());
        assertNull(c.peerCloseError());
        // the coalesced 1-RTT packet was not processed
        assertEquals(0, c.packetsReceived());
        assertEquals(-1, c.largestReceived(EncryptionLevel.ONE_RTT));
    }

    @Test
    void anUndecryptableFirstPacketIsCheckedBeforeAPacketCoalescedAfterItBreaksTheProtocol() throws Exception {
        QuicConnection c = ConnectionFixtures.clientPostHandshake(JCA);
        // NEW_TOKEN with an empty token: FRAME_ENCODING_ERROR, had the packet been read
        byte[] oneRtt = ConnectionFixtures.peerShortPacket(JCA, SERVER_1RTT_SECRET, CLIENT_SCID, 0,
                new byte[] {0x07, 0x00});
        byte[] dg = concat(undecryptableHandshakePacket(), oneRtt);
        c.addStatelessResetToken(lastSixteen(dg));

        assertEquals(ReceiveStatus.DRAINING, c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0 + 1));
        assertTrue(c.isStatelessReset());
    }

    @Test
    void aDatagramWhoseFirstPacketIsProcessedIsNotAStatelessReset() throws Exception {
        // the MAY of §10.3.1: a datagram with a processed first packet is not checked, so the same trailing bytes
        // after an authentic Handshake packet change nothing
        QuicConnection c = ConnectionFixtures.clientPostHandshake(JCA);
        byte[] handshake = ConnectionFixtures.peerLongPacket(
                ConnectionFixtures.peerProtection(JCA, SERVER_HANDSHAKE_SECRET), LongPacketType.HANDSHAKE,
                CLIENT_SCID, SERVER_SCID, 0, PING, 0);
        byte[] oneRtt = ConnectionFixtures.peerShortPacket(JCA, SERVER_1RTT_SECRET, CLIENT_SCID, 0, PING);
        byte[] dg = concat(handshake, oneRtt);
        c.addStatelessResetToken(lastSixteen(dg));

        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0 + 1));
        assertFalse(c.isStatelessReset());
        assertEquals(2, c.packetsReceived());
    }

    @Test
    void anUndecryptableFirstPacketWithoutAMatchingTokenLeavesTheRestToBeProcessed() throws Exception {
        QuicConnection c = ConnectionFixtures.clientPostHandshake(JCA);
        byte[] oneRtt = ConnectionFixtures.peerShortPacket(JCA, SERVER_1RTT_SECRET, CLIENT_SCID, 0, PING);
        byte[] dg = concat(undecryptableHandshakePacket(), oneRtt);
        byte[] other = lastSixteen(dg);
        other[0] ^= 1;
        c.addStatelessResetToken(other);

        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0 + 1));
        assertFalse(c.isStatelessReset());
        assertEquals(0, c.largestReceived(EncryptionLevel.ONE_RTT));
    }
}
