package dev.quicj.core.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.quicj.core.Hex;
import dev.quicj.core.QuicVersion;
import java.util.Arrays;
import java.util.SplittableRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both HMAC-SHA256 engines of the key derivation (the JDK compression function driven directly, and
 * {@code MessageDigest}) against RFC 5869 and against the JDK's own {@code HmacSHA256}, an independent
 * implementation. The build opens {@code sun.security.provider}, so the direct engine must be available here.
 */
class Sha256HmacTest {
    private static final long SEED = Long.getLong("quicj.seed", System.nanoTime());

    private static Sha256Hmac engine(boolean direct) {
        if (direct) {
            assumeTrue(JdkSha256Primitives.AVAILABLE, JdkSha256Primitives.UNAVAILABLE_REASON);
        }
        return new Sha256Hmac(direct);
    }

    @Test
    void theDirectEngineIsAvailableUnderTheBuildsJvmOptions() {
        assertTrue(JdkSha256Primitives.AVAILABLE, JdkSha256Primitives.UNAVAILABLE_REASON);
        assertEquals("jdk-intrinsics", CryptoProvider.sha256Implementation());
        assertNull(Sha256Hmac.selfTest());
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void rfc5869TestCase1(boolean direct) {
        Sha256Hmac h = engine(direct);
        byte[] ikm = new byte[22];
        Arrays.fill(ikm, (byte) 0x0b);
        byte[] prk = h.extract(Hex.decode("000102030405060708090a0b0c"), ikm);
        assertArrayEquals(Hex.decode("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5"), prk);
        // T(1), the first 32 bytes of the 42-byte OKM
        assertArrayEquals(Hex.decode("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"),
                h.expand(prk, Hex.decode("f0f1f2f3f4f5f6f7f8f9"), 32));
        assertArrayEquals(Hex.decode("3cb25f25faacd57a90434f64d0362f2a"),
                h.expand(prk, Hex.decode("f0f1f2f3f4f5f6f7f8f9"), 16));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void rfc5869TestCase3WithNoSaltAndNoInfo(boolean direct) {
        Sha256Hmac h = engine(direct);
        byte[] ikm = new byte[22];
        Arrays.fill(ikm, (byte) 0x0b);
        byte[] prk = h.extract(null, ikm);
        assertArrayEquals(Hex.decode("19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04"), prk);
        assertArrayEquals(Hex.decode("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"),
                h.expand(prk, new byte[0], 32));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void agreesWithTheJdkHmacOverEveryPaddingBoundary(boolean direct) throws Exception {
        System.out.println("Sha256HmacTest seed " + SEED);
        Sha256Hmac h = engine(direct);
        Mac jdk = Mac.getInstance("HmacSHA256");
        SplittableRandom random = new SplittableRandom(SEED);
        byte[] out = new byte[32 + 7];
        for (int i = 0; i < 600; i++) {
            byte[] key = new byte[random.nextInt(1, 65)];
            byte[] m1 = new byte[i < 200 ? i : random.nextInt(0, 1000)];
            byte[] m2 = random.nextBoolean() ? null : new byte[random.nextInt(0, 130)];
            random.nextBytes(key);
            random.nextBytes(m1);
            jdk.init(new SecretKeySpec(key, "HmacSHA256"));
            jdk.update(m1);
            if (m2 != null) {
                random.nextBytes(m2);
                jdk.update(m2);
            }
            byte[] expected = jdk.doFinal();
            h.mac(key, m1, m2, out, 7);
            assertArrayEquals(expected, Arrays.copyOfRange(out, 7, 39), "seed " + SEED + " case " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void theInitialSecretOfEachVersionMatchesAPlainExtract(boolean direct) {
        Sha256Hmac h = engine(direct);
        Sha256Hmac reference = new Sha256Hmac(false);
        SplittableRandom random = new SplittableRandom(SEED);
        for (QuicVersion v : QuicVersion.values()) {
            for (int length = 0; length <= 20; length++) {
                byte[] dcid = new byte[length];
                random.nextBytes(dcid);
                assertArrayEquals(reference.extract(v.initialSalt(), dcid), h.extractInitial(v, dcid));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void expandAllEqualsOneExpandPerInfo(boolean direct) {
        Sha256Hmac h = engine(direct);
        byte[] prk = Hex.decode("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
        byte[][] infos = {Hex.decode("00"), new byte[0], Hex.decode("f0f1f2f3f4f5f6f7f8f9")};
        byte[][] all = h.expandAll(prk, infos, new int[] {16, 12, 32});
        for (int i = 0; i < infos.length; i++) {
            assertArrayEquals(h.expand(prk, infos[i], all[i].length), all[i]);
        }
        assertEquals(12, all[1].length);
    }

    /** The into-array forms (what {@link InitialProtections} uses) give the bytes of the allocating ones. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void theIntoFormsEqualTheAllocatingOnes(boolean direct) {
        Sha256Hmac h = engine(direct);
        SplittableRandom random = new SplittableRandom(SEED + 1);
        byte[] backing = new byte[40];
        byte[] prk = new byte[32];
        for (QuicVersion v : QuicVersion.values()) {
            for (int length = 0; length <= 20; length++) {
                random.nextBytes(backing);
                int offset = random.nextInt(0, backing.length - length + 1);
                // a dirty output array: every byte must be written
                java.util.Arrays.fill(prk, (byte) 0x5a);
                h.extractInitialInto(v, backing, offset, length, prk);
                assertArrayEquals(h.extractInitial(v, java.util.Arrays.copyOfRange(backing, offset, offset + length)),
                        prk, v + " DCID of " + length + " at " + offset);
            }
        }
        byte[][] infos = {Hex.decode("00"), new byte[0], Hex.decode("f0f1f2f3f4f5f6f7f8f9")};
        byte[][] all = h.expandAll(prk, infos, new int[] {16, 12, 32});
        byte[] a = new byte[16];
        byte[] b = new byte[12];
        byte[] c = new byte[32];
        h.expandInto(prk, infos, a, b, c);
        assertArrayEquals(all[0], a);
        assertArrayEquals(all[1], b);
        assertArrayEquals(all[2], c);
        byte[] first = new byte[16];
        h.expandInto(prk, infos, first, null, null);
        assertArrayEquals(all[0], first);
        assertThrows(IllegalArgumentException.class, () -> h.expandInto(prk, new byte[][] {infos[0]}, a, b, null));
        assertThrows(IllegalArgumentException.class, () -> h.expandInto(prk, infos, new byte[33], null, null));
        assertThrows(IndexOutOfBoundsException.class, () -> h.extractInitialInto(QuicVersion.V1, backing, 30, 11, prk));
    }

    @Test
    void keysLongerThanABlockAndOutputsLongerThanTheHashAreRefused() {
        Sha256Hmac h = engine(false);
        assertThrows(IllegalArgumentException.class, () -> h.mac(new byte[65], new byte[1], null, new byte[32], 0));
        assertThrows(IllegalArgumentException.class, () -> h.expand(new byte[32], new byte[1], 33));
    }

    private static int[] engineState() throws ReflectiveOperationException {
        java.lang.reflect.Field c = Sha256Hmac.class.getDeclaredField("compressor");
        c.setAccessible(true);
        Object compressor = c.get(Sha256Hmac.get());
        java.lang.reflect.Field s = compressor.getClass().getDeclaredField("engineState");
        s.setAccessible(true);
        return (int[]) s.get(compressor);
    }

    /**
     * The JDK engine keeps the chaining state of its last compression, which is the last HMAC's output: wiped with
     * the rest after each call (found by an audit: the server Initial secret, and the hp key of RFC 9001 A.1, stayed
     * in it until the thread's next derivation).
     */
    @Test
    void noDerivedSecretIsLeftInTheJdkEngine() throws Exception {
        assumeTrue(JdkSha256Primitives.AVAILABLE, "direct engine only");
        byte[] secret = InitialSecrets.serverSecret(QuicVersion.V1, Hex.decode("8394c8f03e515708"));
        assertEquals("3c199828fd139efd216c155ad844cc81fb82fa8d7446fa7d78be803acdda951b", Hex.encode(secret));
        assertArrayEquals(new int[8], engineState(), "the server Initial secret is still in the engine");
        CryptoProvider.jca().newPacketProtection(QuicVersion.V1, CipherSuite.TLS_AES_128_GCM_SHA256, secret);
        assertArrayEquals(new int[8], engineState(), "a packet key is still in the engine");
    }
}
