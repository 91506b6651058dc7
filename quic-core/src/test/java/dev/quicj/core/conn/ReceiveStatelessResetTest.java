package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link QuicConnection#receiveStatelessReset}: RFC 9000 §10.3.1 for a datagram that no connection ID names, which is
 * what a real Stateless Reset looks like (its DCID field is "Unpredictable Bits", §10.3), compared with the tokens of
 * the connection of the path it arrived on.
 */
class ReceiveStatelessResetTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();
    private static final byte[] TOKEN = filled(16, 0x7e);

    private static byte[] filled(int length, int value) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }

    private static ByteBuffer reset(byte[] token, int length) {
        byte[] dg = filled(length, 0x3c);
        dg[0] = 0x41;
        System.arraycopy(token, 0, dg, length - token.length, token.length);
        return ByteBuffer.wrap(dg);
    }

    private static QuicConnection clientWithToken() throws Exception {
        QuicConnection c = ConnectionFixtures.clientPostHandshake(NULL);
        c.addStatelessResetToken(TOKEN);
        return c;
    }

    @Test
    void aDatagramEndingInATokenOnTheConnectionsPathDrainsIt() throws Exception {
        QuicConnection c = clientWithToken();
        ByteBuffer dg = reset(TOKEN, 40);
        assertEquals(ReceiveStatus.DRAINING, c.receiveStatelessReset(dg, CLIENT_PATH, T0 + 1));
        assertTrue(c.isStatelessReset());
        assertEquals(ConnectionState.DRAINING, c.state());
        assertNull(c.peerCloseError());
        assertEquals(0, dg.position());
        assertEquals(40, dg.limit());
        // the draining connection sends nothing (§10.3.1: "not send any further packets")
        ByteBuffer out = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.NOTHING_TO_WRITE,
                c.writeConnectionClose(null, null, out, CloseError.transport(0x0), T0 + 2));
        assertEquals(0, out.position());
        // and never looks for a reset again
        assertEquals(ReceiveStatus.DROPPED, c.receiveStatelessReset(reset(TOKEN, 40), CLIENT_PATH, T0 + 3));
    }

    @Test
    void theSmallestResetIs21Bytes() throws Exception {
        QuicConnection c = clientWithToken();
        assertEquals(ReceiveStatus.DROPPED, c.receiveStatelessReset(reset(TOKEN, 20), CLIENT_PATH, T0 + 1));
        assertFalse(c.state().isClosed());
        assertEquals(ReceiveStatus.DRAINING, c.receiveStatelessReset(reset(TOKEN, 21), CLIENT_PATH, T0 + 1));
    }

    @Test
    void anotherTokenOrAnotherPathChangesNothing() throws Exception {
        QuicConnection c = clientWithToken();
        DropReason before = c.lastDropReason();
        long received = c.packetsReceived();
        assertEquals(ReceiveStatus.DROPPED, c.receiveStatelessReset(reset(filled(16, 0x7f), 40), CLIENT_PATH,
                T0 + 1));
        NetworkPath otherRemote = new NetworkPath(CLIENT_PATH.local(), new InetSocketAddress("127.0.0.1", 1));
        assertEquals(ReceiveStatus.DROPPED, c.receiveStatelessReset(reset(TOKEN, 40), otherRemote, T0 + 1));
        assertFalse(c.state().isClosed());
        assertEquals(before, c.lastDropReason());
        assertEquals(received, c.packetsReceived());
    }

    @Test
    void withoutTokensNothingIsAReset() throws Exception {
        QuicConnection c = ConnectionFixtures.clientPostHandshake(NULL);
        assertEquals(ReceiveStatus.DROPPED, c.receiveStatelessReset(reset(TOKEN, 40), CLIENT_PATH, T0 + 1));
        assertFalse(c.state().isClosed());
    }

    @Test
    void theOffsetOfTheDatagramIsItsPosition() throws Exception {
        QuicConnection c = clientWithToken();
        // the token at the limit, not at the end of the array
        byte[] framed = new byte[60];
        ByteBuffer dg = reset(TOKEN, 40);
        System.arraycopy(dg.array(), 0, framed, 10, 40);
        ByteBuffer view = ByteBuffer.wrap(framed, 10, 40);
        assertEquals(ReceiveStatus.DRAINING, c.receiveStatelessReset(view, CLIENT_PATH, T0 + 1));
        assertEquals(10, view.position());
        assertEquals(50, view.limit());
    }

    @Test
    void badArgumentsAreTyped() throws Exception {
        QuicConnection c = clientWithToken();
        assertThrows(NullPointerException.class, () -> c.receiveStatelessReset(null, CLIENT_PATH, T0 + 1));
        assertThrows(NullPointerException.class, () -> c.receiveStatelessReset(reset(TOKEN, 40), null, T0 + 1));
        c.receiveStatelessReset(reset(filled(16, 1), 40), CLIENT_PATH, T0 + 5);
        assertThrows(IllegalArgumentException.class,
                () -> c.receiveStatelessReset(reset(TOKEN, 40), CLIENT_PATH, T0 + 4));
        assertFalse(c.state().isClosed());
    }
}
