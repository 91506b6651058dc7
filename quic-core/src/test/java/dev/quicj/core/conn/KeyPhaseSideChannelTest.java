package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.QuicVersion;
import dev.quicj.core.crypto.CipherSuite;
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.crypto.PacketProtection;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * RFC 9001 §6.3 and §9.5: a packet whose Key Phase bit no key generation can explain costs the same AEAD work as any
 * other forged packet before it is dropped.
 */
class KeyPhaseSideChannelTest {
    private static final Settings REAL = Settings.defaults();
    private static final byte[] PING = {0x01};

    /** Counts AEAD open attempts of every protection the connection makes (current, next, previous generation). */
    private static final class CountingProvider implements CryptoProvider {
        final CryptoProvider jca = CryptoProvider.jca();
        int opens;
        int protectionsMade;

        PacketProtection wrap(PacketProtection p) {
            return new ForwardingPacketProtection(p) {
                @Override
                public int open(ByteBuffer packet, int headerOffset, int headerLength, int ciphertextLength,
                        long packetNumber) throws CryptoException {
                    opens++;
                    return super.open(packet, headerOffset, headerLength, ciphertextLength, packetNumber);
                }
            };
        }

        @Override
        public PacketProtection newPacketProtection(QuicVersion version, CipherSuite suite, byte[] secret)
                throws CryptoException {
            protectionsMade++;
            return wrap(jca.newPacketProtection(version, suite, secret));
        }
    }

    /**
     * RFC 9001 §6.3: "Endpoints responding to an apparent key update MUST NOT generate a timing side-channel signal
     * that might indicate that the Key Phase bit was invalid"; §9.5: "the entire process of header protection
     * removal, packet number recovery, and packet protection removal MUST be applied together without timing and
     * other side channels". A forged packet of the current Key Phase is put through AEAD open before it is dropped;
     * the same forged packet with the other Key Phase and a packet number between the first of the current
     * generation and the largest received is dropped at once, without any AEAD work (KeyGenerations.otherPhaseRx
     * returns null, openOneRtt returns DECRYPTION_FAILED): the drop is measurably faster exactly when the Key Phase
     * bit is invalid, and which packet numbers take the fast path reveals where the current generation began.
     */
    @Test
    void aFlippedKeyPhaseInsideTheCurrentGenerationIsRejectedWithoutAnyAeadWork() throws Exception {
        CountingProvider provider = new CountingProvider();
        Settings settings = REAL.toBuilder().cryptoProvider(provider).build();
        QuicConnection c = ConnectionFixtures.clientConfirmed(settings);
        // packets 1 and 3 of the first generation; packet number 2 is still unused
        assertEquals(ReceiveStatus.PROCESSED, receive(c, peerPacket(1, 0, 0, PING), T0 + 1));
        assertEquals(ReceiveStatus.PROCESSED, receive(c, peerPacket(3, 0, 0, PING), T0 + 1));

        // a forged packet 2 with the current Key Phase: AEAD open is attempted, then it is dropped
        byte[] forgedCurrent = peerPacket(2, 0, 1, PING);
        int before = provider.opens;
        assertEquals(ReceiveStatus.DROPPED, receive(c, forgedCurrent, T0 + 2));
        assertEquals(DropReason.DECRYPTION_FAILED, c.lastDropReason());
        assertTrue(provider.opens > before, "sanity: the current phase's forged packet is opened");

        // the same forged packet 2 with the other Key Phase
        byte[] forgedOther = peerPacket(2, 1, 1, PING);
        before = provider.opens;
        assertEquals(ReceiveStatus.DROPPED, receive(c, forgedOther, T0 + 3));
        assertEquals(DropReason.DECRYPTION_FAILED, c.lastDropReason());
        assertTrue(provider.opens > before,
                "a packet whose Key Phase bit is invalid is dropped without attempting packet protection removal: "
                        + "a timing signal that the Key Phase bit was invalid (RFC 9001 §6.3, §9.5)");
    }

    /**
     * RFC 9001 §9.5: "After receiving a key update, an endpoint SHOULD generate and save the next set of receive
     * packet protection keys [...] This depends on not doing this key generation during packet processing." The next
     * generation is derived when the 1-RTT keys are installed, and the one after it right after the update, so an
     * injected packet of the other Key Phase is opened without any key derivation.
     */
    @Test
    void theNextGenerationIsDerivedAheadSoAnInjectedPacketDerivesNothing() throws Exception {
        CountingProvider provider = new CountingProvider();
        Settings settings = REAL.toBuilder().cryptoProvider(provider).build();
        QuicConnection c = ConnectionFixtures.clientConfirmed(settings);
        assertEquals(ReceiveStatus.PROCESSED, receive(c, peerPacket(1, 0, 0, PING), T0 + 1));
        int made = provider.protectionsMade;
        int opens = provider.opens;
        // an injected packet of the other Key Phase, newer than every packet received: opened with the next
        // generation, made before it arrived
        assertEquals(ReceiveStatus.DROPPED, receive(c, peerPacket(2, 1, 0, PING), T0 + 2));
        assertEquals(DropReason.DECRYPTION_FAILED, c.lastDropReason());
        assertEquals(made, provider.protectionsMade, "no key derivation while the injected packet was processed");
        assertEquals(opens + 1, provider.opens);
        // the peer's real update: processed with that generation, and the generation after it is made at once
        assertEquals(ReceiveStatus.PROCESSED, receive(c, peerPacket(3, 1, 1, PING), T0 + 3));
        assertEquals(made + 2, provider.protectionsMade, "the next receive and transmit generations, made ahead");
        made = provider.protectionsMade;
        assertEquals(ReceiveStatus.DROPPED, receive(c, peerPacket(4, 0, 1, PING), T0 + 4));
        assertEquals(made, provider.protectionsMade);
        assertEquals(ReceiveStatus.PROCESSED, receive(c, peerPacket(5, 0, 2, PING), T0 + 5));
    }

    // ------------------------------------------------------------------------------------------------------

    private static ReceiveStatus receive(QuicConnection c, byte[] dg, long now) throws Exception {
        return c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, now);
    }

    /** A server 1-RTT packet with the given Key Phase bit, sealed with generation {@code gen} of its keys. */
    private static byte[] peerPacket(long pn, int keyPhase, int gen, byte[] frames) throws CryptoException {
        return KeyUpdateTest.peerPacket(pn, keyPhase, gen, frames);
    }
}
