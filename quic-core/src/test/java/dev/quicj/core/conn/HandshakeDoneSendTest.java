package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.conn.ConnectionFixtures.Side;
import dev.quicj.core.inspect.InspectedFrame;
import dev.quicj.core.inspect.InspectedPacket;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 9001 §4.1.2: "The server MUST send a HANDSHAKE_DONE frame as soon as the handshake is complete." RFC 9000
 * §19.20: only a server sends it, never before its handshake completed, and only in 1-RTT packets. This core has no
 * loss recovery, so it is sent once.
 */
class HandshakeDoneSendTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();

    /** The HANDSHAKE_DONE frames of each packet of a datagram a fixture connection wrote. */
    private static int handshakeDoneFrames(ByteBuffer written, Side writer, EncryptionLevel[] levelOut) {
        ByteBuffer view = written.duplicate().flip();
        int count = 0;
        for (InspectedPacket p : ConnectionFixtures.inspect(view, writer, NULL)) {
            assertTrue(p.decrypted(), p.toString());
            int n = p.frames(InspectedFrame.HandshakeDone.class).size();
            if (n > 0 && levelOut != null) {
                levelOut[0] = p.level();
            }
            count += n;
        }
        return count;
    }

    @Test
    void aServerSendsHandshakeDoneInA1RttPacketOnceItsHandshakeCompleted() throws Exception {
        QuicConnection s = ConnectionFixtures.serverAllKeys(NULL);
        // before completion: the Initial ACK goes out, no HANDSHAKE_DONE (RFC 9000 §19.20: "Servers MUST NOT send a
        // HANDSHAKE_DONE frame before completing the handshake")
        ByteBuffer before = ByteBuffer.allocate(1500);
        assertTrue(s.writePacket(null, null, before, T0) > 0);
        assertEquals(0, handshakeDoneFrames(before, Side.SERVER, null));

        s.handshakeCompleted();
        long pn = s.nextPacketNumber(EncryptionLevel.ONE_RTT);
        ByteBuffer done = ByteBuffer.allocate(1500);
        int n = s.writePacket(null, null, done, T0 + 1);
        assertTrue(n > 0, "nothing written after the handshake completed");
        EncryptionLevel[] level = new EncryptionLevel[1];
        assertEquals(1, handshakeDoneFrames(done, Side.SERVER, level));
        assertEquals(EncryptionLevel.ONE_RTT, level[0]);
        assertEquals(pn + 1, s.nextPacketNumber(EncryptionLevel.ONE_RTT));
        // ack-eliciting: the first one sent since the last packet processed restarts the idle timer (RFC 9000 §10.1)
        assertEquals(T0 + 1, s.idleTimerStart());

        // exactly once: nothing more to send
        ByteBuffer again = ByteBuffer.allocate(1500);
        assertEquals(0, s.writePacket(null, null, again, T0 + 2));
    }

    @Test
    void theClientIsConfirmedByTheServersHandshakeDone() throws Exception {
        QuicConnection s = ConnectionFixtures.serverConfirmed(NULL);
        ByteBuffer dg = ByteBuffer.allocate(1500);
        int n = s.writePacket(null, null, dg, T0);
        assertTrue(n > 0);
        QuicConnection c = ConnectionFixtures.clientPostHandshake(NULL);
        assertFalse(c.isHandshakeConfirmed());
        dg.flip();
        // the server discarded its Initial keys on completion (RFC 9001 §4.9.2), so this is the 1-RTT packet alone
        assertEquals(1, ConnectionFixtures.inspect(dg, Side.SERVER, NULL).size());
        assertEquals(ReceiveStatus.PROCESSED, c.receive(dg, CLIENT_PATH, T0 + 1));
        assertTrue(c.isHandshakeConfirmed(), "the client did not see HANDSHAKE_DONE");
    }

    @Test
    void aHandshakeDoneThatDidNotFitStaysPending() throws Exception {
        QuicConnection s = ConnectionFixtures.serverConfirmed(NULL);
        // too small for any packet: nothing is written and nothing is lost
        ByteBuffer tiny = ByteBuffer.allocate(10);
        assertEquals(0, s.writePacket(null, null, tiny, T0));
        ByteBuffer dg = ByteBuffer.allocate(1500);
        assertTrue(s.writePacket(null, null, dg, T0) > 0);
        assertEquals(1, handshakeDoneFrames(dg, Side.SERVER, null));
    }

    @Test
    void aClientNeverSendsHandshakeDone() throws Exception {
        // RFC 9000 §19.20: "A HANDSHAKE_DONE frame can only be sent by the server."
        QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
        c.submitCryptoData(EncryptionLevel.ONE_RTT, new byte[] {1, 2, 3});
        ByteBuffer dg = ByteBuffer.allocate(1500);
        assertTrue(c.writePacket(null, null, dg, T0 + 1) > 0);
        assertEquals(0, handshakeDoneFrames(dg, Side.CLIENT, null));
        // and its datagrams carry the ACK and CRYPTO data only
        List<InspectedPacket> packets = ConnectionFixtures.inspect(dg.duplicate().flip(), Side.CLIENT, NULL);
        assertEquals(1, packets.size());
        assertEquals(EncryptionLevel.ONE_RTT, packets.get(0).level());
    }
}
