package dev.quicj.core.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quicj.core.Hex;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RFC 8439 Appendix A: the Poly1305 vectors around 2^130 - 5 (A.3 #5-#11), Poly1305 key generation (A.4) and the
 * AEAD decryption of A.5, with every single-bit change of it refused.
 */
class Rfc8439AppendixVectorsTest {
    private static byte[] h(String s) {
        return Hex.decode(s.replaceAll("\\s", ""));
    }

    /** RFC 8439 Appendix A.3 test vectors #5-#11 (key = R || S): the reductions at and around 2^130-5. */
    static Stream<Arguments> poly1305EdgeVectors() {
        String zero16 = "00".repeat(16);
        return Stream.of(
                Arguments.of("#5", "02" + "00".repeat(15) + zero16, "ff".repeat(16), "03" + "00".repeat(15)),
                Arguments.of("#6", "02" + "00".repeat(15) + "ff".repeat(16), "02" + "00".repeat(15),
                        "03" + "00".repeat(15)),
                Arguments.of("#7", "01" + "00".repeat(15) + zero16,
                        "ff".repeat(16) + "f0" + "ff".repeat(15) + "11" + "00".repeat(15), "05" + "00".repeat(15)),
                Arguments.of("#8", "01" + "00".repeat(15) + zero16,
                        "ff".repeat(16) + "fb" + "fe".repeat(15) + "01".repeat(16), zero16),
                Arguments.of("#9", "02" + "00".repeat(15) + zero16, "fd" + "ff".repeat(15), "fa" + "ff".repeat(15)),
                Arguments.of("#10", "0100000000000000" + "0400000000000000" + zero16,
                        "e33594d7505e43b90000000000000000" + "3394d7505e4379cd0100000000000000"
                                + zero16 + "01" + "00".repeat(15),
                        "1400000000000000" + "5500000000000000"),
                Arguments.of("#11", "0100000000000000" + "0400000000000000" + zero16,
                        "e33594d7505e43b90000000000000000" + "3394d7505e4379cd0100000000000000" + zero16,
                        "13" + "00".repeat(15)));
    }

    @ParameterizedTest(name = "RFC 8439 A.3 {0}")
    @MethodSource("poly1305EdgeVectors")
    void poly1305AppendixA3EdgeCases(String name, String key, String message, String tag) {
        byte[] m = h(message);
        Poly1305 poly = new Poly1305();
        byte[] out = new byte[16];
        poly.init(h(key), 0);
        poly.update(m, 0, m.length);
        poly.finish(out, 0);
        assertEquals(tag, Hex.encode(out));
        // byte by byte, through the pending buffer
        poly.init(h(key), 0);
        for (int i = 0; i < m.length; i++) {
            poly.update(m, i, 1);
        }
        poly.finish(out, 0);
        assertEquals(tag, Hex.encode(out));
    }

    @Test
    void poly1305KeyGenerationAppendixA4() {
        String[][] v = {
            {"00".repeat(32), "00".repeat(12),
                "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"},
            {"00".repeat(31) + "01", "00".repeat(11) + "02",
                "ecfa254f845f647473d3cb140da9e87606cb33066c447b87bc2666dde3fbb739"},
            {"1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0", "00".repeat(11) + "02",
                "965e3bc6f9ec7ed9560808f4d229f94b137ff275ca9b3fcbdd59deaad23310ae"}};
        for (String[] t : v) {
            ChaCha20 chacha = new ChaCha20(h(t[0]));
            chacha.setNonce(h(t[1]), 0);
            assertEquals(t[2], Hex.encode(chacha.block(0), 0, 32));
        }
    }

    /** RFC 8439 Appendix A.5: decrypting the RFC's ciphertext in place gives the RFC's plaintext. */
    @Test
    void aeadDecryptionAppendixA5() throws CryptoException {
        byte[] key = h("1c 92 40 a5 eb 55 d3 8a f3 33 88 86 04 f6 b5 f0 47 39 17 c1 40 2b 80 09 9d ca 5c bc 20 70 75 c0");
        byte[] nonce = h("00 00 00 00 01 02 03 04 05 06 07 08");
        byte[] aad = h("f3 33 88 86 00 00 00 00 00 00 4e 91");
        byte[] ciphertext = h("64 a0 86 15 75 86 1a f4 60 f0 62 c7 9b e6 43 bd"
                + "5e 80 5c fd 34 5c f3 89 f1 08 67 0a c7 6c 8c b2"
                + "4c 6c fc 18 75 5d 43 ee a0 9e e9 4e 38 2d 26 b0"
                + "bd b7 b7 3c 32 1b 01 00 d4 f0 3b 7f 35 58 94 cf"
                + "33 2f 83 0e 71 0b 97 ce 98 c8 a8 4a bd 0b 94 81"
                + "14 ad 17 6e 00 8d 33 bd 60 f9 82 b1 ff 37 c8 55"
                + "97 97 a0 6e f4 f0 ef 61 c1 86 32 4e 2b 35 06 38"
                + "36 06 90 7b 6a 7c 02 b0 f9 f6 15 7b 53 c8 67 e4"
                + "b9 16 6c 76 7b 80 4d 46 a5 9b 52 16 cd e7 a4 e9"
                + "90 40 c5 a4 04 33 22 5e e2 82 a1 b0 a0 6c 52 3e"
                + "af 45 34 d7 f8 3f a1 15 5b 00 47 71 8c bc 54 6a"
                + "0d 07 2b 04 b3 56 4e ea 1b 42 22 73 f5 48 27 1a"
                + "0b b2 31 60 53 fa 76 99 19 55 eb d6 31 59 43 4e"
                + "ce bb 4e 46 6d ae 5a 10 73 a6 72 76 27 09 7a 10"
                + "49 e6 17 d9 1d 36 10 94 fa 68 f0 ff 77 98 71 30"
                + "30 5b ea ba 2e da 04 df 99 7b 71 4d 6c 6f 2c 29"
                + "a6 ad 5c b4 02 2b 02 70 9b");
        byte[] tag = h("ee ad 9d 67 89 0c bb 22 39 23 36 fe a1 85 1f 38");
        byte[] plaintext = ("Internet-Drafts are draft documents valid for a maximum of six months and may be "
                + "updated, replaced, or obsoleted by other documents at any time. It is inappropriate to use "
                + "Internet-Drafts as reference material or to cite them other than as /\u201cwork in progress./\u201d")
                .getBytes(StandardCharsets.UTF_8);
        assertEquals(265, ciphertext.length);
        assertEquals(265, plaintext.length);

        byte[] buf = new byte[aad.length + ciphertext.length + 16];
        System.arraycopy(aad, 0, buf, 0, aad.length);
        System.arraycopy(ciphertext, 0, buf, aad.length, ciphertext.length);
        System.arraycopy(tag, 0, buf, aad.length + ciphertext.length, 16);
        byte[] pristine = buf.clone();

        ChaCha20Poly1305Aead aead = new ChaCha20Poly1305Aead(key);
        assertEquals(265, aead.open(nonce, buf, 0, aad.length, ciphertext.length + 16));
        assertArrayEquals(plaintext, java.util.Arrays.copyOfRange(buf, aad.length, aad.length + 265));

        // every single-bit flip of AAD, ciphertext or tag is rejected
        for (int bit = 0; bit < pristine.length * 8; bit++) {
            byte[] t = pristine.clone();
            t[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThrows(CryptoException.class, () -> aead.open(nonce, t, 0, aad.length, ciphertext.length + 16));
        }
    }
}
