package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.Hex;
import dev.quicj.core.LongPacketType;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Closing/draining state and amplification-accounting cases that PIT (pitest 1.20, default mutators, over the conn
 * tests) found unchecked in {@link QuicConnection} and {@link PacketReceiver}, asserted against close-spec §1.2, §3.2,
 * §5.1 and RFC 9000 §8.1 / §10.3. Each test names the mutants it kills.
 */
class ClosingStateMutationGapsTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();

    /**
     * close-spec §5.1: "in_closing_period is true iff the state is CLOSING; in_draining_period iff DRAINING". Kills
     * QuicConnection.isInClosingPeriod "replaced boolean return with true".
     */
    @Test
    void closingAndDrainingPredicatesFollowTheState() throws Exception {
        QuicConnection open = ConnectionFixtures.clientConfirmed(NULL);
        assertFalse(open.isInClosingPeriod());
        assertFalse(open.isInDrainingPeriod());

        QuicConnection closing = ConnectionFixtures.clientConfirmed(NULL);
        assertEquals(CloseOutcome.WRITTEN, closing.writeConnectionClose(null, null, ByteBuffer.allocate(1500),
                CloseError.transport(0), T0 + 1));
        assertTrue(closing.isInClosingPeriod());
        assertFalse(closing.isInDrainingPeriod());

        // the peer's 1-RTT CONNECTION_CLOSE (NO_ERROR, frame type 0, no reason) moves an open connection to DRAINING
        QuicConnection draining = ConnectionFixtures.clientConfirmed(NULL);
        byte[] dg = ConnectionFixtures.peerShortPacket(NULL, SERVER_1RTT_SECRET, draining.sourceConnectionId(), 1,
                Hex.decode("1c000000"));
        assertEquals(ReceiveStatus.DRAINING, draining.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0 + 1));
        assertFalse(draining.isInClosingPeriod());
        assertTrue(draining.isInDrainingPeriod());
    }

    /**
     * The documented contract of writeConnectionClose: a read-only {@code dest} is an IllegalArgumentException
     * "checked before anything changes": no path copied (§1.2 step 5 not reached), the timestamp not taken (step 1),
     * the state unchanged. Kills QuicConnection.writeConnectionClose "removed call to checkWritable" (the writer then
     * failed later, after filling the path and advancing the timestamp).
     */
    @Test
    void readOnlyDestinationChangesNothing() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
        PathInfo path = new PathInfo();
        ByteBuffer ro = ByteBuffer.allocate(1500).asReadOnlyBuffer();
        assertThrows(IllegalArgumentException.class,
                () -> c.writeConnectionClose(path, null, ro, CloseError.transport(0), T0 + 100));
        assertNull(path.path());
        assertEquals(ConnectionState.POST_HANDSHAKE, c.state());
        assertEquals(CLIENT_PATH, c.path());
        // the failed call's timestamp was not recorded: an earlier one is still accepted
        assertEquals(CloseOutcome.WRITTEN, c.writeConnectionClose(path, null, ByteBuffer.allocate(1500),
                CloseError.transport(0), T0 + 1));
        assertEquals(CLIENT_PATH, path.path());
    }

    /**
     * RFC 9000 §8.1 / close-spec §3.2: a server's budget is 3 x the bytes received on the path, counted per datagram
     * whatever the buffer's position: the datagram is {@code [position, limit)}. Kills PacketReceiver.receive
     * "limit - start" replaced with addition, and PacketReceiver.countReceived's statistics "+=" replaced with "-=".
     */
    @Test
    void bytesReceivedCountTheDatagramNotTheBufferOffset() throws Exception {
        byte[] initial = ConnectionFixtures.clientFirstInitial(NULL);
        assertEquals(1200, initial.length);
        byte[] big = new byte[37 + initial.length + 50];
        Arrays.fill(big, (byte) 0x5a);
        System.arraycopy(initial, 0, big, 37, initial.length);
        QuicConnection s = ConnectionFixtures.serverBuilder(NULL).build(T0);
        assertEquals(ReceiveStatus.PROCESSED,
                s.receive(ByteBuffer.wrap(big, 37, initial.length), SERVER_PATH, T0));
        assertEquals(1200, s.pathBytesReceived());
        assertEquals(1200, s.bytesReceived());
        assertEquals(3600, s.amplificationBudget());

        // the same for a datagram of an established connection (a duplicate of the Initial: counted, then dropped)
        s.receive(ByteBuffer.wrap(big, 37, initial.length), SERVER_PATH, T0);
        assertEquals(2400, s.pathBytesReceived());
        assertEquals(2400, s.bytesReceived());
        assertEquals(7200, s.amplificationBudget());
    }

    /**
     * RFC 9000 §10.3: a Stateless Reset is at least 5 + 16 = 21 bytes; one of exactly 21 bytes that arrives through
     * the ordinary receive path (its first packet names no connection of ours) drains the connection (§5.1), one of 20
     * does not. Kills PacketReceiver.receive "length >= MIN_STATELESS_RESET_LENGTH" boundary changed.
     */
    @Test
    void aTwentyOneByteStatelessResetThroughReceiveDrains() throws Exception {
        byte[] token = new byte[16];
        Arrays.fill(token, (byte) 0x7e);
        for (int length : new int[] {20, 21}) {
            QuicConnection c = ConnectionFixtures.clientPostHandshake(NULL);
            c.addStatelessResetToken(token);
            byte[] dg = new byte[length];
            Arrays.fill(dg, (byte) 0x3c);
            dg[0] = 0x41;
            System.arraycopy(token, 0, dg, length - 16, 16);
            ReceiveStatus st = c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0 + 1);
            if (length == 21) {
                assertEquals(ReceiveStatus.DRAINING, st);
                assertTrue(c.isInDrainingPeriod());
                assertTrue(c.isStatelessReset());
            } else {
                assertEquals(ReceiveStatus.DROPPED, st);
                assertFalse(c.state().isClosed());
            }
        }
    }

    /**
     * close-spec §5.2 / E13: the receive that delivers the peer's CONNECTION_CLOSE returns DRAINING, also when the
     * close came in a 1-RTT packet held until the handshake completed (RFC 9001 §5.7) and the handshake completed
     * (from the CRYPTO data listener) while a later datagram was read. Kills the negated conditionals of
     * QuicConnection.receive's "held == DRAINING" return.
     */
    @Test
    void aHeldPeerCloseProcessedWhenTheHandshakeCompletesInsideReceiveReturnsDraining() throws Exception {
        QuicConnection s = ConnectionFixtures.serverCompletingOnHandshakeCrypto(NULL);
        // the client's 1-RTT CONNECTION_CLOSE (PROTOCOL_VIOLATION) arrives first: held
        byte[] close = ConnectionFixtures.peerShortPacket(NULL, ConnectionFixtures.CLIENT_1RTT_SECRET,
                ConnectionFixtures.SERVER_SCID, 0, Hex.decode("1c0a0000"));
        s.receive(ByteBuffer.wrap(close), SERVER_PATH, T0);
        assertFalse(s.state().isClosed());
        // then its Handshake CRYPTO data, on which TLS completes the handshake
        byte[] hs = ConnectionFixtures.peerLongPacket(
                ConnectionFixtures.peerProtection(NULL, ConnectionFixtures.CLIENT_HANDSHAKE_SECRET),
                LongPacketType.HANDSHAKE, ConnectionFixtures.SERVER_SCID, ConnectionFixtures.CLIENT_SCID, 0,
                Hex.decode("060004" + "14000000"), 0);
        assertEquals(ReceiveStatus.DRAINING, s.receive(ByteBuffer.wrap(hs), SERVER_PATH, T0 + 1));
        assertTrue(s.isInDrainingPeriod());
        assertEquals(0x0a, s.peerCloseError().errorCode());
    }
}
