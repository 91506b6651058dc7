package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.SERVER_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The 1-RTT packets held before the handshake completes (RFC 9001 §5.7) are kept unauthenticated (they cannot be
 * opened yet), so whoever knows the connection's ID decides their size: they are bounded in bytes
 * ({@link QuicConnection#MAX_HELD_BYTES}), not only in number.
 */
class HeldPacketBytesTest {
    /** A forged 1-RTT datagram of {@code length} bytes to the server's ID: nothing in it authenticates. */
    static byte[] forgedShort(int length) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) 0x5a);
        b[0] = 0x41;
        SERVER_SCID.writeTo(ByteBuffer.wrap(b, 1, SERVER_SCID.length()));
        return b;
    }

    private static long heldBytes(QuicConnection s) {
        long held = 0;
        if (s.heldPackets != null) {
            for (byte[] p : s.heldPackets) {
                held += p.length;
            }
        }
        return held;
    }

    @Test
    void largeForgedPacketsAreNotHeld() throws Exception {
        QuicConnection s = ConnectionFixtures.server(Settings.defaults());
        for (int i = 0; i < 20; i++) {
            s.receive(ByteBuffer.wrap(forgedShort(65527)), SERVER_PATH, T0 + i);
        }
        assertEquals(0, heldBytes(s));
        assertEquals(DropReason.TOO_MANY_HELD_PACKETS, s.lastDropReason());
    }

    @Test
    void eightFullSizedPacketsAreHeldAndNotOneByteMore() throws Exception {
        QuicConnection s = ConnectionFixtures.server(Settings.defaults());
        for (int i = 0; i < QuicConnection.MAX_HELD_PACKETS - 1; i++) {
            s.receive(ByteBuffer.wrap(forgedShort(1500)), SERVER_PATH, T0 + i);
        }
        assertEquals(7 * 1500, heldBytes(s));
        // the eighth would take them one byte past the budget
        s.receive(ByteBuffer.wrap(forgedShort(1501)), SERVER_PATH, T0 + 10);
        assertEquals(DropReason.TOO_MANY_HELD_PACKETS, s.lastDropReason());
        assertEquals(7 * 1500, heldBytes(s));
        s.receive(ByteBuffer.wrap(forgedShort(1500)), SERVER_PATH, T0 + 11);
        assertEquals(QuicConnection.MAX_HELD_BYTES, heldBytes(s));
    }
}
