package dev.quicj.core.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.QuicException;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.crypto.CipherSuite;
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.crypto.PacketProtection;
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
    void clientDatagramWithInitialIsPaddedWhenTheHandshakePacketDoesNotFit() throws CryptoException, QuicException {
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

    /** Fails the seal of every protection created while {@link #armed}. */
    private static final class FailNewKeys implements CryptoProvider {
        final CryptoProvider delegate = CryptoProvider.nullCrypto();
        boolean armed;

        @Override
        public PacketProtection newPacketProtection(QuicVersion version, CipherSuite suite, byte[] secret)
                throws CryptoException {
            if (!armed) {
                return delegate.newPacketProtection(version, suite, secret);
            }
            FailingCryptoProvider failing = new FailingCryptoProvider(delegate);
            failing.fail(FailingCryptoProvider.Failure.SEAL);
            return failing.newPacketProtection(version, suite, secret);
        }
    }

    /**
     * writePacket's contract: a CryptoException sends nothing, only the packet numbers already used stay used. The
     * Initial packet sealed before the Handshake packet failed was never sent, so its CRYPTO data must stay unsent
     * and its ACK pending (there is no loss recovery to send them again).
     */
    @Test
    void cryptoExceptionOnALaterPacketLeavesTheEarlierPacketsDataUnsent() throws Exception {
        FailNewKeys crypto = new FailNewKeys();
        QuicConnection c = ConnectionFixtures.client(Settings.builder().cryptoProvider(crypto).build());
        crypto.armed = true;
        c.installTxKey(EncryptionLevel.HANDSHAKE, ConnectionFixtures.SUITE, ConnectionFixtures.CLIENT_HANDSHAKE_SECRET);
        c.submitCryptoData(EncryptionLevel.INITIAL, new byte[100]);
        c.submitCryptoData(EncryptionLevel.HANDSHAKE, new byte[100]);
        ByteBuffer dest = ByteBuffer.allocate(1500);
        long sentBefore = c.pathBytesSent();
        assertThrows(CryptoException.class, () -> c.writePacket(null, null, dest, ConnectionFixtures.T0));
        assertEquals(0, dest.position());
        assertEquals(sentBefore, c.pathBytesSent());
        assertEquals(100, c.space(EncryptionLevel.INITIAL).crypto.unsent(), "Initial CRYPTO data lost");
        assertEquals(100, c.space(EncryptionLevel.HANDSHAKE).crypto.unsent());
    }

    /**
     * RFC 9000 §14.1: every datagram of a client carrying an Initial is at least 1200 bytes. A destination smaller
     * than that has no room for one: writePacket returns 0 (its contract: "0 when ... no room") and writes nothing.
     */
    @Test
    void clientInitialIsNotWrittenIntoADestinationSmallerThan1200() throws CryptoException, QuicException {
        QuicConnection c = ConnectionFixtures.freshClient(ConnectionFixtures.nullCrypto());
        c.submitCryptoData(EncryptionLevel.INITIAL, ConnectionFixtures.CLIENT_HELLO);
        ByteBuffer small = ByteBuffer.allocate(1000);
        int n = c.writePacket(null, null, small, ConnectionFixtures.T0);
        assertEquals(0, n, "a " + n + "-byte datagram carrying an Initial");
        assertEquals(0, small.position());
        assertEquals(ConnectionState.CLIENT_INITIAL, c.state());
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(1200, c.writePacket(null, null, dest, ConnectionFixtures.T0));
    }
    /** RFC 9000 §17.2.3: 0-RTT packets carry no CRYPTO frames; the data must not go out as 1-RTT CRYPTO either. */
    @Test
    void cryptoDataAtZeroRttIsRefusedAndNothingIsQueued() throws Exception {
        Settings settings = ConnectionFixtures.nullCrypto();
        QuicConnection c = ConnectionFixtures.clientConfirmed(settings);
        QuicConnection twin = ConnectionFixtures.clientConfirmed(settings);
        assertThrows(IllegalArgumentException.class,
                () -> c.submitCryptoData(EncryptionLevel.ZERO_RTT, new byte[] {1, 2, 3, 4, 5}));
        ByteBuffer a = ByteBuffer.allocate(1500);
        ByteBuffer b = ByteBuffer.allocate(1500);
        assertEquals(twin.writePacket(null, null, b, ConnectionFixtures.T0),
                c.writePacket(null, null, a, ConnectionFixtures.T0), "no CRYPTO frame added to the 1-RTT packet");
    }
}
