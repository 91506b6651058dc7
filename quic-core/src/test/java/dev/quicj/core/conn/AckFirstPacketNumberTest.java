package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_ODCID;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.LongPacketType;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.crypto.InitialSecrets;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** A server whose packet numbers start above 0 (Settings.initialPacketNumber) still takes a legitimate ACK. */
class AckFirstPacketNumberTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();

    @Test
    void aServerStartingAtFiveTakesTheAckOfItsFirstInitial() throws Exception {
        Settings from5 = NULL.toBuilder().initialPacketNumber(5).build();
        QuicConnection s = ConnectionFixtures.server(from5);
        s.submitCryptoData(EncryptionLevel.INITIAL, new byte[100]);
        assertTrue(s.writePacket(null, null, ByteBuffer.allocate(1500), T0 + 1) > 0);
        byte[] ack = ConnectionFixtures.peerLongPacket(ConnectionFixtures.peerProtection(from5,
                InitialSecrets.clientSecret(QuicVersion.V1, CLIENT_ODCID.toByteArray())), LongPacketType.INITIAL,
                SERVER_SCID, CLIENT_SCID, 6, Hex.decode("0205000000"), 1200);
        assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(ack), SERVER_PATH, T0 + 2),
                () -> String.valueOf(s.lastDropReason()));
        assertEquals(5, s.largestAcknowledged(EncryptionLevel.INITIAL));
    }
}
