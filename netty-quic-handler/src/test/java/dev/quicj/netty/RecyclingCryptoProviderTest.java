package dev.quicj.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.quicj.core.QuicVersion;
import dev.quicj.core.crypto.CipherSuite;
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.crypto.PacketProtection;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link RecyclingCryptoProvider}: protections come back only from a lending window closed with {@code reclaim}, and
 * a recycled one has exactly the keys of a new one.
 */
class RecyclingCryptoProviderTest {
    private static final CipherSuite SUITE = CipherSuite.TLS_AES_128_GCM_SHA256;
    private final SplittableRandom random = new SplittableRandom(42);

    private byte[] secret() {
        byte[] s = new byte[32];
        random.nextBytes(s);
        return s;
    }

    /** The same packet sealed by both, and a mask, are equal. */
    private void assertSameKeys(PacketProtection expected, PacketProtection actual) throws CryptoException {
        byte[] a = new byte[600];
        random.nextBytes(a);
        byte[] b = a.clone();
        expected.seal(ByteBuffer.wrap(a), 0, 30, 550, 7);
        actual.seal(ByteBuffer.wrap(b), 0, 30, 550, 7);
        assertArrayEquals(a, b);
        byte[] m1 = new byte[5];
        byte[] m2 = new byte[5];
        expected.headerProtectionMask(ByteBuffer.wrap(a), 40, m1);
        actual.headerProtectionMask(ByteBuffer.wrap(a), 40, m2);
        assertArrayEquals(m1, m2);
    }

    @Test
    void reclaimedProtectionsAreReKeyedForTheNextConnection() throws CryptoException {
        RecyclingCryptoProvider p = new RecyclingCryptoProvider(CryptoProvider.jca());
        p.startLending();
        PacketProtection first = p.newPacketProtection(QuicVersion.V1, SUITE, secret());
        PacketProtection second = p.newPacketProtection(QuicVersion.V1, SUITE, secret());
        p.stopLending(true);
        p.startLending();
        byte[] s1 = secret();
        byte[] s2 = secret();
        PacketProtection again1 = p.newPacketProtection(QuicVersion.V2, SUITE, s1.clone());
        PacketProtection again2 = p.newPacketProtection(QuicVersion.V2, SUITE, s2.clone());
        p.stopLending(false);
        List<PacketProtection> reused = List.of(again1, again2);
        // both came back, re-keyed in place by the JCA provider (the build's JVMs open the JDK's AES internals)
        assertEquals(2, new ArrayList<>(List.of(first, second)).stream().filter(x -> reused.contains(x)).count());
        assertSameKeys(CryptoProvider.jca().newPacketProtection(QuicVersion.V2, SUITE, s1), again1);
        assertSameKeys(CryptoProvider.jca().newPacketProtection(QuicVersion.V2, SUITE, s2), again2);
    }

    @Test
    void withoutReclaimNothingComesBack() throws CryptoException {
        RecyclingCryptoProvider p = new RecyclingCryptoProvider(CryptoProvider.jca());
        p.startLending();
        PacketProtection kept = p.newPacketProtection(QuicVersion.V1, SUITE, secret());
        p.stopLending(false);
        p.startLending();
        PacketProtection next = p.newPacketProtection(QuicVersion.V1, SUITE, secret());
        p.stopLending(false);
        assertNotSame(kept, next);
    }

    @Test
    void outsideALendingWindowItOnlyDelegates() throws CryptoException {
        RecyclingCryptoProvider p = new RecyclingCryptoProvider(CryptoProvider.jca());
        PacketProtection outside = p.newPacketProtection(QuicVersion.V1, SUITE, secret());
        // a window closed with reclaim gives back only what was made inside it
        p.startLending();
        p.stopLending(true);
        p.startLending();
        PacketProtection inside = p.newPacketProtection(QuicVersion.V1, SUITE, secret());
        p.stopLending(true);
        assertNotSame(outside, inside);
        p.startLending();
        byte[] s = secret();
        PacketProtection recycled = p.newPacketProtection(QuicVersion.V1, SUITE, s.clone());
        p.stopLending(false);
        assertSame(inside, recycled);
        assertSameKeys(CryptoProvider.jca().newPacketProtection(QuicVersion.V1, SUITE, s), recycled);
        assertEquals("recycling(CryptoProvider.jca())", p.toString());
    }

    /** {@code InitialProtections} asks for a new connection's keys with {@code rekeyPacketProtection(null, ...)}. */
    @Test
    void reKeyingWithoutAPreviousProtectionTakesAReclaimedOne() throws CryptoException {
        RecyclingCryptoProvider p = new RecyclingCryptoProvider(CryptoProvider.jca());
        p.startLending();
        PacketProtection first = p.rekeyPacketProtection(null, QuicVersion.V1, SUITE, secret());
        PacketProtection second = p.rekeyPacketProtection(null, QuicVersion.V1, SUITE, secret());
        p.stopLending(true);
        p.startLending();
        byte[] s1 = secret();
        byte[] s2 = secret();
        PacketProtection again1 = p.rekeyPacketProtection(null, QuicVersion.V2, SUITE, s1.clone());
        PacketProtection again2 = p.rekeyPacketProtection(null, QuicVersion.V2, SUITE, s2.clone());
        p.stopLending(true);
        assertSame(second, again1, "the last reclaimed comes out first");
        assertSame(first, again2);
        assertSameKeys(CryptoProvider.jca().newPacketProtection(QuicVersion.V2, SUITE, s1), again1);
        assertSameKeys(CryptoProvider.jca().newPacketProtection(QuicVersion.V2, SUITE, s2), again2);
        // outside a window, even a null previous makes a new instance and nothing is taken from the free list
        PacketProtection outside = p.rekeyPacketProtection(null, QuicVersion.V1, SUITE, secret());
        assertNotSame(first, outside);
        assertNotSame(second, outside);
    }

    /**
     * A connection that re-derives its keys in one window (a version change) re-keys a lent protection: it is
     * reclaimed once, never handed to two connections.
     */
    @Test
    void aProtectionReKeyedTwiceInOneWindowComesBackOnce() throws CryptoException {
        RecyclingCryptoProvider p = new RecyclingCryptoProvider(CryptoProvider.jca());
        p.startLending();
        PacketProtection lent = p.rekeyPacketProtection(null, QuicVersion.V1, SUITE, secret());
        assertSame(lent, p.rekeyPacketProtection(lent, QuicVersion.V2, SUITE, secret()));
        p.stopLending(true);
        p.startLending();
        PacketProtection a = p.rekeyPacketProtection(null, QuicVersion.V1, SUITE, secret());
        PacketProtection b = p.rekeyPacketProtection(null, QuicVersion.V1, SUITE, secret());
        p.stopLending(false);
        assertSame(lent, a);
        assertNotSame(a, b);
    }
}
