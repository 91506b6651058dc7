package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The stateless reset tokens a connection holds when more are given than it keeps ({@code MAX_RESET_TOKENS}): the
 * oldest is forgotten, so it no longer resets the connection (RFC 9000 §10.3.1 checks only tokens of connection IDs in
 * use), the newest does, and a datagram matching none of a full set is an ordinary drop, through both {@code receive}
 * and {@code receiveStatelessReset}.
 */
class StatelessResetTokenCapacityTest {
    private static byte[] token(int n) {
        byte[] t = new byte[16];
        Arrays.fill(t, (byte) (0x40 + n));
        return t;
    }

    // a short-header datagram whose DCID names no connection and which ends in the token
    private static ByteBuffer reset(byte[] token) {
        byte[] dg = new byte[40];
        Arrays.fill(dg, (byte) 0x3c);
        dg[0] = 0x4a;
        System.arraycopy(token, 0, dg, dg.length - 16, 16);
        return ByteBuffer.wrap(dg);
    }

    private static QuicConnection withTokens(int count) throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(ConnectionFixtures.nullCrypto());
        for (int i = 0; i < count; i++) {
            c.addStatelessResetToken(token(i));
        }
        return c;
    }

    @Test
    void aFullSetMatchingNothingIsADrop() throws Exception {
        QuicConnection c = withTokens(QuicConnection.MAX_RESET_TOKENS);
        assertEquals(ReceiveStatus.DROPPED, c.receive(reset(token(99)), CLIENT_PATH, T0 + 10));
        assertEquals(ConnectionState.POST_HANDSHAKE, c.state());
        assertEquals(ReceiveStatus.DROPPED, c.receiveStatelessReset(reset(token(99)), CLIENT_PATH, T0 + 11));
        assertEquals(ConnectionState.POST_HANDSHAKE, c.state());
    }

    @Test
    void theOldestTokenIsForgottenWhenOneMoreIsGiven() throws Exception {
        QuicConnection c = withTokens(QuicConnection.MAX_RESET_TOKENS + 1);
        assertEquals(ReceiveStatus.DROPPED, c.receive(reset(token(0)), CLIENT_PATH, T0 + 10));
        assertEquals(false, c.isStatelessReset());
        assertEquals(ReceiveStatus.DRAINING, c.receive(reset(token(QuicConnection.MAX_RESET_TOKENS)), CLIENT_PATH,
                T0 + 11));
        assertEquals(true, c.isStatelessReset());
        assertEquals(ConnectionState.DRAINING, c.state());
    }

    @Test
    void everyKeptTokenResets() throws Exception {
        for (int i = 1; i <= QuicConnection.MAX_RESET_TOKENS; i++) {
            QuicConnection c = withTokens(QuicConnection.MAX_RESET_TOKENS + 1);
            assertEquals(ReceiveStatus.DRAINING, c.receiveStatelessReset(reset(token(i)), CLIENT_PATH, T0 + 10),
                    "token " + i);
            assertEquals(ConnectionState.DRAINING, c.state());
        }
    }
}
