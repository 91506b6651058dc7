package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.tls.TransportParameters;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** RETIRE_CONNECTION_ID bookkeeping around a failed seal and a refused packet (RFC 9000 §5.1.2). */
class RetireConnectionIdBookkeepingTest {
    @Test
    void aFailedSealKeepsTheRetirementsAndTheNextWriteSendsThem() throws Exception {
        FailingCryptoProvider crypto = new FailingCryptoProvider(CryptoProvider.nullCrypto());
        Settings settings = Settings.builder().cryptoProvider(crypto).build();
        QuicConnection c = ConnectionFixtures.clientPostHandshake(settings);
        c.setLocalTransportParameters(TransportParameters.builder()
                .initialSourceConnectionId(CLIENT_SCID.toByteArray()).activeConnectionIdLimit(4).build());
        byte[] dg = ConnectionFixtures.peerShortPacket(settings, SERVER_1RTT_SECRET, CLIENT_SCID, 0,
                Hex.decode(ConnectionFixtures.newConnectionIdFrame(1, 0) + ConnectionFixtures.newConnectionIdFrame(2, 2)));
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0 + 100));
        assertEquals(2, c.peerConnectionIdsIfAny().pendingRetirements());
        long pn = c.nextPacketNumber(EncryptionLevel.ONE_RTT);
        crypto.fail(FailingCryptoProvider.Failure.SEAL);
        assertThrows(CryptoException.class, () -> c.writePacket(null, null, ByteBuffer.allocate(1500), T0 + 150));
        assertEquals(2, c.peerConnectionIdsIfAny().pendingRetirements(), "nothing was sent");
        crypto.fail(FailingCryptoProvider.Failure.NONE);
        assertTrue(c.writePacket(null, null, ByteBuffer.allocate(1500), T0 + 160) > 0);
        assertEquals(0, c.peerConnectionIdsIfAny().pendingRetirements());
        assertEquals(ConnectionFixtures.issuedId(2), c.destinationConnectionId());
        assertTrue(c.nextPacketNumber(EncryptionLevel.ONE_RTT) > pn);
    }

    @Test
    void aRefusedPacketQueuesNoRetirement() throws Exception {
        Settings settings = ConnectionFixtures.nullCrypto();
        QuicConnection c = ConnectionFixtures.clientPostHandshake(settings);
        c.setLocalTransportParameters(TransportParameters.builder()
                .initialSourceConnectionId(CLIENT_SCID.toByteArray()).activeConnectionIdLimit(4).build());
        // a valid NEW_CONNECTION_ID retiring sequence 0, then RETIRE_CONNECTION_ID of a sequence never issued
        byte[] dg = ConnectionFixtures.peerShortPacket(settings, SERVER_1RTT_SECRET, CLIENT_SCID, 0,
                Hex.decode(ConnectionFixtures.newConnectionIdFrame(2, 2) + "1905"));
        assertThrows(dev.quicj.core.QuicException.class, () -> c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0 + 100));
        PeerConnectionIds ids = c.peerConnectionIdsIfAny();
        assertEquals(0, ids == null ? 0 : ids.pendingRetirements());
    }
}
