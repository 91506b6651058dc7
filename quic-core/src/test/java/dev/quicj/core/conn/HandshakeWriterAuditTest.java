package dev.quicj.core.conn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.crypto.CryptoException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Audit of HandshakeWriter against RFC 9000. */
class HandshakeWriterAuditTest {
    /**
     * RFC 9000 §14.1: a client MUST expand the payload of all UDP datagrams carrying Initial packets to at least
     * 1200 bytes, also when the coalesced Handshake packet after the Initial does not fit the datagram.
     */
    @Test
    void clientDatagramWithInitialIsPaddedWhenTheHandshakePacketDoesNotFit() throws CryptoException {
        for (int size = 1000; size <= 1200; size++) {
            QuicConnection c = ConnectionFixtures.clientWithHandshakeKeys(ConnectionFixtures.nullCrypto());
            c.submitCryptoData(EncryptionLevel.INITIAL, new byte[size]);
            byte[] hs = new byte[100];
            Arrays.fill(hs, (byte) 7);
            c.submitCryptoData(EncryptionLevel.HANDSHAKE, hs);
            ByteBuffer dest = ByteBuffer.allocate(1500);
            int n = c.writePacket(null, null, dest, ConnectionFixtures.T0);
            assertTrue(n >= 1200, "Initial crypto " + size + ": datagram of " + n + " bytes");
        }
    }
}
