package dev.quicj.core.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.Hex;
import dev.quicj.core.QuicVersion;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link InitialProtections} and {@link CryptoProvider#rekeyPacketProtection}: a protection re-keyed in place seals,
 * opens and masks exactly as a new one made for the same secret, whatever keys it held before; the RFC vectors through
 * re-keyed instances are in {@link InitialPacketVectorsTest}.
 */
class InitialProtectionsTest {
    private static final CryptoProvider JCA = CryptoProvider.jca();

    /** Seals a random packet with both, compares the bytes, opens each with the other, compares a mask. */
    private static void assertSameProtection(PacketProtection expected, PacketProtection actual, SplittableRandom r,
            String what) throws CryptoException {
        int header = r.nextInt(1, 40);
        int payload = r.nextInt(20, 1300);
        long pn = r.nextLong(0, 1L << 40);
        byte[] packet = new byte[header + payload + 16];
        r.nextBytes(packet);
        byte[] a = packet.clone();
        byte[] b = packet.clone();
        expected.seal(ByteBuffer.wrap(a), 0, header, payload, pn);
        actual.seal(ByteBuffer.wrap(b), 0, header, payload, pn);
        assertEquals(Hex.encode(a), Hex.encode(b), what + ": sealed bytes");
        assertEquals(payload, expected.open(ByteBuffer.wrap(b), 0, header, payload + 16, pn), what + ": open");
        assertEquals(payload, actual.open(ByteBuffer.wrap(a), 0, header, payload + 16, pn), what + ": open");
        byte[] sample = new byte[16];
        r.nextBytes(sample);
        byte[] m1 = new byte[5];
        byte[] m2 = new byte[5];
        expected.headerProtectionMask(ByteBuffer.wrap(sample), 0, m1);
        actual.headerProtectionMask(ByteBuffer.wrap(sample), 0, m2);
        assertArrayEquals(m1, m2, what + ": mask");
    }

    @Test
    void everyDerivationMatchesNewProtectionsWhateverCameBefore() throws CryptoException {
        SplittableRandom r = new SplittableRandom(0x1a17L);
        InitialProtections keys = new InitialProtections(JCA);
        PacketProtection firstServer = null;
        PacketProtection firstClient = null;
        for (int i = 0; i < 300; i++) {
            QuicVersion version = QuicVersion.values()[r.nextInt(QuicVersion.values().length)];
            byte[] backing = new byte[24];
            r.nextBytes(backing);
            int length = r.nextInt(0, 21);
            int offset = r.nextInt(0, backing.length - length + 1);
            byte[] dcid = java.util.Arrays.copyOfRange(backing, offset, offset + length);
            PacketProtection[] fresh = InitialSecrets.bothProtections(JCA, version, dcid);
            String what = version + " dcid " + Hex.encode(dcid) + " #" + i;
            if (r.nextBoolean()) {
                keys.deriveBoth(version, backing, offset, length);
                assertSameProtection(fresh[0], keys.client(), r, what + " client");
                firstClient = firstClient == null ? keys.client() : firstClient;
                if (JdkGcmPrimitives.REKEY_AVAILABLE) {
                    assertSame(firstClient, keys.client(), "re-keyed in place");
                }
            } else if (r.nextBoolean()) {
                keys.deriveServer(version, backing, offset, length);
                assertThrows(IllegalStateException.class, keys::client);
            } else {
                keys.deriveServer(version, ConnectionId.of(dcid));
            }
            assertSameProtection(fresh[1], keys.server(), r, what + " server");
            firstServer = firstServer == null ? keys.server() : firstServer;
            if (JdkGcmPrimitives.REKEY_AVAILABLE) {
                assertSame(firstServer, keys.server(), "re-keyed in place");
            }
        }
    }

    @Test
    void connectionIdOverloadsDeriveTheSameKeys() throws CryptoException {
        SplittableRandom r = new SplittableRandom(7);
        ConnectionId dcid = ConnectionId.fromHex("8394c8f03e515708");
        InitialProtections keys = new InitialProtections(JCA);
        keys.deriveBoth(QuicVersion.V2, dcid);
        PacketProtection[] fresh = InitialSecrets.bothProtections(JCA, QuicVersion.V2, dcid.toByteArray());
        assertSameProtection(fresh[0], keys.client(), r, "client");
        assertSameProtection(fresh[1], keys.server(), r, "server");
    }

    @Test
    void nothingIsAvailableBeforeTheFirstDerivation() {
        InitialProtections keys = new InitialProtections(JCA);
        assertThrows(IllegalStateException.class, keys::client);
        assertThrows(IllegalStateException.class, keys::server);
    }

    /** A rejected call hands out no keys afterwards: never the previous DCID's in place of the asked-for ones. */
    @Test
    void badArgumentsAreRejectedAndHandOutNoKeysUntilTheNextDerivation() throws CryptoException {
        InitialProtections keys = new InitialProtections(JCA);
        byte[] dcid = new byte[21];
        java.util.List<org.junit.jupiter.api.function.Executable> bad = java.util.List.of(
                () -> keys.deriveBoth(QuicVersion.V1, dcid, 0, 21),
                () -> keys.deriveServer(QuicVersion.V1, dcid, 14, 8),
                () -> keys.deriveServer(QuicVersion.V1, dcid, -1, 4),
                () -> keys.deriveServer(null, dcid, 0, 8),
                () -> keys.deriveBoth(QuicVersion.V1, (byte[]) null, 0, 0),
                () -> keys.deriveBoth(QuicVersion.V1, (ConnectionId) null));
        for (org.junit.jupiter.api.function.Executable call : bad) {
            keys.deriveBoth(QuicVersion.V1, dcid, 0, 8);
            assertThrows(RuntimeException.class, call);
            assertThrows(IllegalStateException.class, keys::client);
            assertThrows(IllegalStateException.class, keys::server);
        }
        assertThrows(NullPointerException.class, () -> new InitialProtections(null));
        keys.deriveServer(QuicVersion.V1, dcid, 0, 8);
        assertSameProtection(InitialSecrets.serverProtection(JCA, QuicVersion.V1, new byte[8]), keys.server(),
                new SplittableRandom(3), "after the rejected calls");
    }

    /**
     * Re-keying once the JIT has compiled the sealing path, so GHASH and AES-CTR run as HotSpot intrinsics (the
     * start-up self-test runs before that, in Java): the AVX GHASH stub caches powers of H in the subkey table, which
     * a re-key must clear. Each re-keyed instance must then seal as a new one does.
     */
    @Test
    void reKeyingAfterTheIntrinsicsAreCompiledMatchesNewInstances() throws CryptoException {
        SplittableRandom r = new SplittableRandom(0xc2L);
        byte[] secret = new byte[32];
        r.nextBytes(secret);
        PacketProtection reused = JCA.newPacketProtection(QuicVersion.V1, CipherSuite.TLS_AES_128_GCM_SHA256, secret);
        byte[] packet = new byte[1200];
        ByteBuffer buffer = ByteBuffer.wrap(packet);
        for (int i = 0; i < 40_000; i++) {
            reused.seal(buffer, 0, 40, 1000, i);
        }
        for (int i = 0; i < 40; i++) {
            r.nextBytes(secret);
            PacketProtection previous = reused;
            reused = JCA.rekeyPacketProtection(reused, QuicVersion.V1, CipherSuite.TLS_AES_128_GCM_SHA256, secret);
            if (JdkGcmPrimitives.REKEY_AVAILABLE) {
                assertSame(previous, reused, "re-keyed in place");
            }
            PacketProtection fresh = JCA.newPacketProtection(QuicVersion.V1, CipherSuite.TLS_AES_128_GCM_SHA256,
                    secret);
            for (int j = 0; j < 200; j++) {
                // the same packet sealed by both: many blocks, so the stub's eight-block path runs
                r.nextBytes(packet);
                byte[] copy = packet.clone();
                reused.seal(buffer, 0, 40, 1000, j);
                fresh.seal(ByteBuffer.wrap(copy), 0, 40, 1000, j);
                if (!java.util.Arrays.equals(copy, packet)) {
                    assertEquals(Hex.encode(copy), Hex.encode(packet), "re-key " + i + ", packet " + j);
                }
            }
        }
    }

    /** A provider that fails on chosen calls, for the CALLBACK_FAILURE path. */
    private static final class FailingOnCall implements CryptoProvider {
        final AtomicInteger calls = new AtomicInteger();
        final int failingCall;

        FailingOnCall(int failingCall) {
            this.failingCall = failingCall;
        }

        @Override
        public PacketProtection newPacketProtection(QuicVersion version, CipherSuite suite, byte[] secret)
                throws CryptoException {
            if (calls.incrementAndGet() == failingCall) {
                throw new CryptoException("injected failure", null);
            }
            return JCA.newPacketProtection(version, suite, secret);
        }
    }

    @Test
    void aFailedDerivationLeavesNothingAvailableAndTheNextOneWorks() throws CryptoException {
        // calls 1 and 2 are the first deriveBoth; call 4 is the server of the second one
        FailingOnCall provider = new FailingOnCall(4);
        InitialProtections keys = new InitialProtections(provider);
        keys.deriveBoth(QuicVersion.V1, new byte[8], 0, 8);
        CryptoException e = assertThrows(CryptoException.class,
                () -> keys.deriveBoth(QuicVersion.V1, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, 0, 8));
        assertEquals("injected failure", e.getMessage());
        assertThrows(IllegalStateException.class, keys::client);
        assertThrows(IllegalStateException.class, keys::server);
        byte[] dcid = {9, 9, 9, 9, 9, 9, 9, 9};
        keys.deriveBoth(QuicVersion.V1, dcid, 0, 8);
        PacketProtection[] fresh = InitialSecrets.bothProtections(JCA, QuicVersion.V1, dcid);
        assertSameProtection(fresh[0], keys.client(), new SplittableRandom(1), "client after the failure");
        assertSameProtection(fresh[1], keys.server(), new SplittableRandom(2), "server after the failure");
    }

    /** The default re-key of a provider that does not re-key is a new instance, with the same keys. */
    @Test
    void theDefaultRekeyMakesANewInstance() throws CryptoException {
        FailingOnCall never = new FailingOnCall(-1);
        byte[] secret = new byte[32];
        new SplittableRandom(5).nextBytes(secret);
        PacketProtection first = never.newPacketProtection(QuicVersion.V1, CipherSuite.TLS_AES_128_GCM_SHA256, secret);
        secret[0] ^= 1;
        PacketProtection second = never.rekeyPacketProtection(first, QuicVersion.V1,
                CipherSuite.TLS_AES_128_GCM_SHA256, secret);
        assertNotSame(first, second);
        assertSameProtection(JCA.newPacketProtection(QuicVersion.V1, CipherSuite.TLS_AES_128_GCM_SHA256, secret),
                second, new SplittableRandom(6), "default re-key");
    }

    /**
     * {@code jca().rekeyPacketProtection} for every suite and version, from a protection of any suite (or none):
     * the same keys as {@code newPacketProtection}. AES-GCM protections of the same suite are re-keyed in place when
     * the JVM allows; ChaCha20 ones and a changed suite get a new instance.
     */
    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void jcaRekeyGivesTheKeysOfNewPacketProtection(CipherSuite suite) throws CryptoException {
        SplittableRandom r = new SplittableRandom(suite.ordinal());
        PacketProtection reused = null;
        for (int i = 0; i < 12; i++) {
            QuicVersion version = QuicVersion.values()[i % QuicVersion.values().length];
            CipherSuite from = i % 4 == 3 ? CipherSuite.values()[(suite.ordinal() + 1) % CipherSuite.values().length]
                    : suite;
            byte[] secret = new byte[from.hashLength()];
            r.nextBytes(secret);
            PacketProtection previous = reused;
            reused = JCA.rekeyPacketProtection(reused, version, from, secret);
            assertEquals(from, reused.suite());
            if (previous != null && previous.suite() == from && from != CipherSuite.TLS_CHACHA20_POLY1305_SHA256
                    && JdkGcmPrimitives.REKEY_AVAILABLE) {
                assertSame(previous, reused, "re-keyed in place");
            }
            assertSameProtection(JCA.newPacketProtection(version, from, secret), reused, r,
                    from + " " + version + " #" + i);
        }
        assertThrows(IllegalArgumentException.class,
                () -> JCA.rekeyPacketProtection(null, QuicVersion.V1, suite, new byte[suite.hashLength() + 1]));
    }

    /** With the JDK's AES internals open (as the build's tests run), a warm derivation allocates nothing. */
    @Test
    void aWarmDerivationAllocatesNothing() throws CryptoException {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(threads instanceof com.sun.management.ThreadMXBean
                && ((com.sun.management.ThreadMXBean) threads).isThreadAllocatedMemorySupported());
        // where the JDK's AES internals are open (the build's test JVMs), re-keying them must work too
        Assumptions.assumeTrue(JdkGcmPrimitives.AVAILABLE, JdkGcmPrimitives.UNAVAILABLE_REASON);
        assertTrue(JdkGcmPrimitives.REKEY_AVAILABLE, "re-keying unavailable: " + JdkGcmPrimitives.NO_REKEY_REASON);
        com.sun.management.ThreadMXBean counter = (com.sun.management.ThreadMXBean) threads;
        InitialProtections keys = new InitialProtections(JCA);
        byte[] dcid = new byte[20];
        byte[] packet = new byte[1200];
        ByteBuffer buffer = ByteBuffer.wrap(packet);
        byte[] mask = new byte[5];
        int rounds = 20_000;
        for (int round = 0; round < 2; round++) {
            long before = counter.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < rounds; i++) {
                dcid[i & 15] = (byte) i;
                keys.deriveBoth(QuicVersion.V1, dcid, 0, 8 + (i & 7));
                keys.server().seal(buffer, 0, 40, 100, i);
                keys.client().headerProtectionMask(buffer, 44, mask);
            }
            long perDerivation = (counter.getCurrentThreadAllocatedBytes() - before) / rounds;
            if (round == 1) {
                assertEquals(0, perDerivation, "bytes allocated per derivation");
            }
        }
    }
}
