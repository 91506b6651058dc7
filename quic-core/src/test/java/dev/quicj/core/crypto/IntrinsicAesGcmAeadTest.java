package dev.quicj.core.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The zero-allocation AES-GCM built on the JDK's intrinsic primitives agrees with the JCA cipher byte for byte, and
 * allocates nothing. The build runs tests with the {@code --add-opens} that enables it, so it must be available here.
 */
class IntrinsicAesGcmAeadTest {
    private static final long SEED = Long.getLong("quicj.seed", System.nanoTime());

    /** The other tests need the primitives; run without the build's JVM options, only the first test fails. */
    @BeforeEach
    void needsThePrimitives(org.junit.jupiter.api.TestInfo test) {
        if (!test.getTestMethod().orElseThrow().getName().equals("isAvailableUnderTheBuildsJvmOptions")) {
            assumeTrue(JdkGcmPrimitives.AVAILABLE, JdkGcmPrimitives.UNAVAILABLE_REASON);
        }
    }

    @Test
    void isAvailableUnderTheBuildsJvmOptions() {
        assertTrue(JdkGcmPrimitives.AVAILABLE, JdkGcmPrimitives.UNAVAILABLE_REASON);
        assertEquals("jdk-intrinsics", CryptoProvider.aesGcmImplementation());
    }

    @Test
    void sealsAndOpensExactlyLikeTheJcaCipher() throws Exception {
        System.out.println("IntrinsicAesGcmAeadTest seed " + SEED);
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < 500; i++) {
            byte[] key = new byte[random.nextBoolean() ? 16 : 32];
            random.nextBytes(key);
            byte[] nonce = new byte[12];
            random.nextBytes(nonce);
            int aad = random.nextInt(0, 70);
            int text = random.nextInt(0, 1500);
            int offset = random.nextInt(0, 9);
            byte[] a = new byte[offset + aad + text + Aead.TAG_LENGTH + 3];
            random.nextBytes(a);
            byte[] b = a.clone();
            new AesGcmAead(key).seal(nonce, a, offset, aad, text);
            IntrinsicAesGcmAead mine = new IntrinsicAesGcmAead(key);
            mine.seal(nonce, b, offset, aad, text);
            assertArrayEquals(a, b, "seed " + SEED + " case " + i);
            assertEquals(text, mine.open(nonce, b, offset, aad, text + Aead.TAG_LENGTH));
            assertEquals(text, new AesGcmAead(key).open(nonce, a, offset, aad, text + Aead.TAG_LENGTH));
            assertArrayEquals(a, b, "plaintext after open, seed " + SEED + " case " + i);
        }
    }

    @Test
    void aTamperedPacketDoesNotAuthenticateAndIsNotDecrypted() throws Exception {
        byte[] key = new byte[16];
        byte[] nonce = new byte[12];
        byte[] buf = new byte[20 + 100 + 16];
        IntrinsicAesGcmAead aead = new IntrinsicAesGcmAead(key);
        aead.seal(nonce, buf, 0, 20, 100);
        for (int at : new int[] {0, 19, 20, 119, 120, 135}) {
            byte[] bad = buf.clone();
            bad[at] ^= 1;
            byte[] before = bad.clone();
            assertThrows(CryptoException.class, () -> aead.open(nonce, bad, 0, 20, 116));
            assertArrayEquals(before, bad, "a packet that fails is left as it was");
        }
    }

    @Test
    void sealingTheSameNumberTwiceWorksUnlikeTheJcaCipher() throws Exception {
        byte[] key = new byte[16];
        byte[] nonce = new byte[12];
        IntrinsicAesGcmAead aead = new IntrinsicAesGcmAead(key);
        byte[] one = new byte[64];
        byte[] two = new byte[64];
        aead.seal(nonce, one, 0, 8, 40);
        aead.seal(nonce, two, 0, 8, 40);
        assertArrayEquals(one, two);
    }

    @Test
    void allocatesNothingOnceWarm() throws Exception {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        IntrinsicAesGcmAead aead = new IntrinsicAesGcmAead(new byte[16]);
        byte[] nonce = new byte[12];
        byte[] buf = new byte[1200];
        long perOp = Long.MAX_VALUE;
        for (int pass = 0; pass < 5 && perOp > 0; pass++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 20_000; i++) {
                nonce[11] = (byte) i;
                aead.seal(nonce, buf, 0, 29, 1155);
                aead.open(nonce, buf, 0, 29, 1171);
            }
            perOp = (mx.getCurrentThreadAllocatedBytes() - before) / 20_000;
        }
        assertEquals(0, perOp, "bytes allocated per seal+open");
    }

    /**
     * The JDK's stubs check no index, so the AEAD checks its range itself: a range past the array is an
     * IndexOutOfBoundsException, never a write past it, even with int sums that wrap.
     */
    @Test
    void refusesARangeOutsideTheArrayBeforeTheStubs() throws Exception {
        IntrinsicAesGcmAead aead = new IntrinsicAesGcmAead(new byte[16]);
        byte[] nonce = new byte[12];
        byte[] buf = new byte[64];
        assertThrows(IndexOutOfBoundsException.class,
                () -> aead.seal(nonce, buf, 0, Integer.MAX_VALUE, Integer.MAX_VALUE));
        assertThrows(IndexOutOfBoundsException.class, () -> aead.seal(nonce, buf, 0, 20, 29));
        assertThrows(IndexOutOfBoundsException.class, () -> aead.seal(nonce, buf, -1, 20, 10));
        // a negative length the tag's 16 bytes would lift back above zero: the tag would land before the range
        byte[] untouched = buf.clone();
        assertThrows(IndexOutOfBoundsException.class, () -> aead.seal(nonce, buf, 16, 0, -16));
        assertArrayEquals(untouched, buf);
        assertThrows(IndexOutOfBoundsException.class, () -> aead.open(nonce, buf, 0, 20, 45));
        assertThrows(IndexOutOfBoundsException.class,
                () -> aead.open(nonce, buf, 0, Integer.MAX_VALUE, Integer.MAX_VALUE));
        assertThrows(CryptoException.class, () -> aead.open(nonce, buf, 0, 20, 15));
        aead.seal(nonce, buf, 0, 20, 28);
        assertEquals(28, aead.open(nonce, buf, 0, 20, 44));
    }
}
