package dev.quicj.core.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quicj.core.Hex;
import java.util.Arrays;
import java.util.SplittableRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * {@link AesKeySchedule} against FIPS 197 Appendix A (the key expansions of the standard's three example keys) and
 * against the JDK's AES: random keys of every length, expanded (also in place over an earlier key's schedule) and
 * used to encrypt a block through the JDK's AES object, give what {@code AES/ECB} gives.
 */
class AesKeyScheduleTest {
    private static int[] words(String hex) {
        byte[] b = Hex.decode(hex.replace(" ", ""));
        int[] w = new int[b.length / 4];
        for (int i = 0; i < w.length; i++) {
            w[i] = (b[4 * i] & 0xff) << 24 | (b[4 * i + 1] & 0xff) << 16 | (b[4 * i + 2] & 0xff) << 8
                    | (b[4 * i + 3] & 0xff);
        }
        return w;
    }

    /** Expands {@code keyHex}: {@code words} words, and each {@code (index, "hex words")} pair found from there. */
    private static void assertSchedule(String keyHex, int words, Object... expected) {
        int[] w = AesKeySchedule.expand(Hex.decode(keyHex));
        assertEquals(words, w.length);
        for (int i = 0; i < expected.length; i += 2) {
            int from = (Integer) expected[i];
            int[] want = words((String) expected[i + 1]);
            assertArrayEquals(want, Arrays.copyOfRange(w, from, from + want.length), "w[" + from + "..]");
        }
    }

    @Test
    void fips197AppendixA1Aes128() {
        assertSchedule("2b7e151628aed2a6abf7158809cf4f3c", 44,
                4, "a0fafe17 88542cb1 23a33939 2a6c7605",
                8, "f2c295f2 7a96b943 5935807a 7359f67f",
                40, "d014f9a8 c9ee2589 e13f0cc8 b6630ca6");
    }

    @Test
    void fips197AppendixA2Aes192() {
        assertSchedule("8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b", 52,
                6, "fe0c91f7 2402f5a5",
                48, "e98ba06f 448c773c 8ecc7204 01002202");
    }

    @Test
    void fips197AppendixA3Aes256() {
        assertSchedule("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", 60,
                8, "9ba35411 8e6925af a51a8b5f 2067fcde",
                56, "fe4890d1 e6188d0b 046df344 706c631e");
    }

    @Test
    void randomKeysEncryptAsTheJdkAes() throws Throwable {
        assertEquals("jdk-intrinsics", CryptoProvider.aesGcmImplementation());
        SplittableRandom random = new SplittableRandom(197);
        Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
        for (int keyLength : new int[] {16, 24, 32}) {
            byte[] key = new byte[keyLength];
            random.nextBytes(key);
            Object aes = JdkGcmPrimitives.newAes(key);
            for (int i = 0; i < 200; i++) {
                if (i > 0) {
                    random.nextBytes(key);
                    JdkGcmPrimitives.rekeyAes(aes, key);
                }
                byte[] in = new byte[16];
                random.nextBytes(in);
                ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
                byte[] out = new byte[16];
                JdkGcmPrimitives.AES_ENCRYPT_BLOCK.invokeExact(aes, in, 0, out, 0);
                assertArrayEquals(ecb.doFinal(in), out, keyLength + "-byte key " + i);
            }
        }
    }

    @Test
    void inPlaceExpansionChecksTheScheduleLength() {
        assertThrows(IllegalArgumentException.class, () -> AesKeySchedule.expandInto(new byte[16], new int[52]));
    }
}
