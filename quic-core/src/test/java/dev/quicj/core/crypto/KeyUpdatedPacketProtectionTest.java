package dev.quicj.core.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.Hex;
import dev.quicj.core.QuicVersion;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link CryptoProvider#newUpdatedPacketProtection} (RFC 9001 §6.1): the next generation seals as a fresh protection
 * of the next secret does, and masks as the current generation does ("The header protection key is not updated").
 */
class KeyUpdatedPacketProtectionTest {
    private static final byte[] HEADER = Hex.decode("4200bff4");
    private static final byte[] PAYLOAD = Hex.decode("01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");

    /** A provider with only {@code newPacketProtection}: the interface's default key update. */
    private static final CryptoProvider DEFAULT_ONLY = (version, suite, secret) ->
            CryptoProvider.jca().newPacketProtection(version, suite, secret);

    /** RFC 9001 Appendix A.5: the ChaCha20-Poly1305 1-RTT secret and its "quic ku" successor. */
    @Test
    void rfc9001AppendixA5NextSecret() {
        byte[] secret = Hex.decode("9ac312a7f877468ebe69422748ad00a15443f18203a07d6060f688f30f21632b");
        assertEquals("1223504755036d556342ee9361d253421a826c9ecdf3c7148684b36b714881f9", Hex.encode(
                HkdfLabel.nextSecret(QuicVersion.V1, CipherSuite.TLS_CHACHA20_POLY1305_SHA256, secret)));
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void jcaNextGenerationSealsWithTheNextSecretAndMasksWithTheCurrentOne(CipherSuite suite) throws Exception {
        checkUpdate(CryptoProvider.jca(), suite, QuicVersion.V1);
        checkUpdate(CryptoProvider.jca(), suite, QuicVersion.V2);
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void defaultNextGenerationSealsWithTheNextSecretAndMasksWithTheCurrentOne(CipherSuite suite) throws Exception {
        checkUpdate(DEFAULT_ONLY, suite, QuicVersion.V1);
    }

    @Test
    void jcaProtectionsSharingHeaderProtectionAreNotReKeyedInPlace() throws Exception {
        CipherSuite suite = CipherSuite.TLS_AES_128_GCM_SHA256;
        PacketProtection current = CryptoProvider.jca().newPacketProtection(QuicVersion.V1, suite, secret(suite, 1));
        PacketProtection next = CryptoProvider.jca().newUpdatedPacketProtection(current, QuicVersion.V1, suite,
                HkdfLabel.nextSecret(QuicVersion.V1, suite, secret(suite, 1)));
        assertTrue(current instanceof AeadPacketProtection && next instanceof AeadPacketProtection);
        assertFalse(((AeadPacketProtection) current).rekeyable());
        assertFalse(((AeadPacketProtection) next).rekeyable());
        // so rekeyPacketProtection makes a new instance and both keep their keys
        PacketProtection other = CryptoProvider.jca().rekeyPacketProtection(current, QuicVersion.V1, suite,
                secret(suite, 9));
        assertNotEquals(current, other);
        assertArrayEquals(mask(CryptoProvider.jca().newPacketProtection(QuicVersion.V1, suite, secret(suite, 1))),
                mask(next));
    }

    @Test
    void argumentsAreChecked() throws Exception {
        CipherSuite suite = CipherSuite.TLS_AES_128_GCM_SHA256;
        for (CryptoProvider provider : new CryptoProvider[] {CryptoProvider.jca(), DEFAULT_ONLY,
                CryptoProvider.nullCrypto()}) {
            PacketProtection current = provider.newPacketProtection(QuicVersion.V1, suite, secret(suite, 1));
            assertThrows(IllegalArgumentException.class, () -> provider.newUpdatedPacketProtection(current,
                    QuicVersion.V1, CipherSuite.TLS_AES_256_GCM_SHA384,
                    secret(CipherSuite.TLS_AES_256_GCM_SHA384, 2)), provider::toString);
            assertThrows(IllegalArgumentException.class, () -> provider.newUpdatedPacketProtection(current,
                    QuicVersion.V1, suite, new byte[5]), provider::toString);
            assertThrows(NullPointerException.class, () -> provider.newUpdatedPacketProtection(null,
                    QuicVersion.V1, suite, secret(suite, 2)), provider::toString);
        }
    }

    @Test
    void aFailureToSetUpTheCipherIsACryptoException() throws Exception {
        CipherSuite suite = CipherSuite.TLS_AES_128_GCM_SHA256;
        PacketProtection current = CryptoProvider.jca().newPacketProtection(QuicVersion.V1, suite, secret(suite, 1));
        CryptoProvider failing = (version, s, secret) -> {
            throw new CryptoException("no cipher", null);
        };
        assertThrows(CryptoException.class, () -> failing.newUpdatedPacketProtection(current, QuicVersion.V1,
                suite, secret(suite, 2)));
        CryptoProvider nothing = (version, s, secret) -> null;
        assertThrows(CryptoException.class, () -> nothing.newUpdatedPacketProtection(current, QuicVersion.V1,
                suite, secret(suite, 2)));
    }

    @Test
    void nullCryptoNextGenerationIsNullProtection() throws Exception {
        CipherSuite suite = CipherSuite.TLS_AES_128_GCM_SHA256;
        CryptoProvider n = CryptoProvider.nullCrypto();
        PacketProtection current = n.newPacketProtection(QuicVersion.V1, suite, secret(suite, 1));
        PacketProtection next = n.newUpdatedPacketProtection(current, QuicVersion.V1, suite, secret(suite, 2));
        assertArrayEquals(seal(current, 7), seal(next, 7));
        assertArrayEquals(new byte[PacketProtection.MASK_LENGTH], mask(next));
    }

    /**
     * Two updates in a row: each generation seals as a fresh protection of its secret, and masks as the first;
     * the first generation still works as before.
     */
    private static void checkUpdate(CryptoProvider provider, CipherSuite suite, QuicVersion version)
            throws Exception {
        byte[] s0 = secret(suite, 1);
        byte[] s1 = HkdfLabel.nextSecret(version, suite, s0);
        byte[] s2 = HkdfLabel.nextSecret(version, suite, s1);
        CryptoProvider jca = CryptoProvider.jca();
        PacketProtection g0 = provider.newPacketProtection(version, suite, s0);
        PacketProtection g1 = provider.newUpdatedPacketProtection(g0, version, suite, s1);
        PacketProtection g2 = provider.newUpdatedPacketProtection(g1, version, suite, s2);
        assertEquals(suite, g1.suite());
        assertEquals(16, g1.tagLength());
        byte[] firstMask = mask(jca.newPacketProtection(version, suite, s0));
        assertArrayEquals(firstMask, mask(g1));
        assertArrayEquals(firstMask, mask(g2));
        assertFalse(Arrays.equals(firstMask, mask(jca.newPacketProtection(version, suite, s1))));
        assertArrayEquals(seal(jca.newPacketProtection(version, suite, s1), 5), seal(g1, 5));
        assertArrayEquals(seal(jca.newPacketProtection(version, suite, s2), 6), seal(g2, 6));
        assertArrayEquals(seal(jca.newPacketProtection(version, suite, s0), 7), seal(g0, 7));
        assertFalse(Arrays.equals(seal(jca.newPacketProtection(version, suite, s0), 8), seal(g1, 8)));
        // and each opens what it sealed
        byte[] sealed = seal(g2, 9);
        ByteBuffer b = ByteBuffer.wrap(sealed);
        assertEquals(PAYLOAD.length, g2.open(b, 0, HEADER.length, sealed.length - HEADER.length, 9));
        assertArrayEquals(PAYLOAD, Arrays.copyOfRange(sealed, HEADER.length, HEADER.length + PAYLOAD.length));
        ByteBuffer again = ByteBuffer.wrap(seal(g2, 10));
        assertThrows(CryptoException.class, () -> g1.open(again, 0, HEADER.length, again.capacity() - HEADER.length,
                10));
    }

    private static byte[] seal(PacketProtection p, long pn) throws CryptoException {
        byte[] packet = new byte[HEADER.length + PAYLOAD.length + 16];
        System.arraycopy(HEADER, 0, packet, 0, HEADER.length);
        System.arraycopy(PAYLOAD, 0, packet, HEADER.length, PAYLOAD.length);
        p.seal(ByteBuffer.wrap(packet), 0, HEADER.length, PAYLOAD.length, pn);
        return packet;
    }

    private static byte[] mask(PacketProtection p) throws CryptoException {
        byte[] sample = Hex.decode("5e5cd55c41f69080575d7999c25a5bfb");
        byte[] m = new byte[PacketProtection.MASK_LENGTH];
        p.headerProtectionMask(ByteBuffer.wrap(sample), 0, m);
        return m;
    }

    private static byte[] secret(CipherSuite suite, int fill) {
        byte[] s = new byte[suite.hashLength()];
        Arrays.fill(s, (byte) fill);
        return s;
    }
}
