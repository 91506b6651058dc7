package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.clientConfirmed;
import static dev.quicj.core.conn.ConnectionFixtures.nullCrypto;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.EncryptionLevel;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * The per-level accessors at 0-RTT. This core never holds 0-RTT keys (installTxKey refuses ZERO_RTT) and 0-RTT has
 * no CRYPTO stream (submitCryptoData refuses it), but 0-RTT shares the application packet number space with 1-RTT
 * (RFC 9000 §12.3). hasTxKey(ZERO_RTT) said true as soon as the 1-RTT key was installed, inviting a caller to send
 * 0-RTT packets it has no key for; cryptoBytesReceived(ZERO_RTT) reported the 1-RTT stream.
 */
class ZeroRttAccessorTest {

    @Test
    void noZeroRttKeyAndNoZeroRttCryptoStream() throws Exception {
        QuicConnection c = clientConfirmed(nullCrypto());
        // the 1-RTT stream has data, so a mix-up would show
        ByteBuffer dg = ByteBuffer.wrap(ConnectionFixtures.peerShortPacket(nullCrypto(),
                ConnectionFixtures.SERVER_1RTT_SECRET, c.sourceConnectionId(), 1,
                new byte[] {0x06, 0x00, 0x03, 1, 2, 3}));
        assertEquals(ReceiveStatus.PROCESSED, c.receive(dg, ConnectionFixtures.CLIENT_PATH, ConnectionFixtures.T0));
        assertEquals(3, c.cryptoBytesReceived(EncryptionLevel.ONE_RTT));
        assertTrue(c.hasTxKey(EncryptionLevel.ONE_RTT));
        assertFalse(c.hasTxKey(EncryptionLevel.ZERO_RTT));
        assertEquals(0, c.cryptoBytesReceived(EncryptionLevel.ZERO_RTT));
        // the packet number space is the application one, shared with 1-RTT
        assertEquals(c.nextPacketNumber(EncryptionLevel.ONE_RTT), c.nextPacketNumber(EncryptionLevel.ZERO_RTT));
        assertEquals(c.largestReceived(EncryptionLevel.ONE_RTT), c.largestReceived(EncryptionLevel.ZERO_RTT));
    }

    @Test
    void nullLevelIsNamed() throws Exception {
        QuicConnection c = clientConfirmed(nullCrypto());
        assertEquals("level", assertThrows(NullPointerException.class, () -> c.hasTxKey(null)).getMessage());
        assertEquals("level", assertThrows(NullPointerException.class, () -> c.nextPacketNumber(null)).getMessage());
        assertEquals("level",
                assertThrows(NullPointerException.class, () -> c.largestAcknowledged(null)).getMessage());
        assertEquals("level", assertThrows(NullPointerException.class, () -> c.largestReceived(null)).getMessage());
        assertEquals("level",
                assertThrows(NullPointerException.class, () -> c.cryptoBytesReceived(null)).getMessage());
    }
}
