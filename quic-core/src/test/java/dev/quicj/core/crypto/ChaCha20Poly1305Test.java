package dev.quicj.core.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quicj.core.Hex;
import java.util.Arrays;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

/**
 * The pure-Java ChaCha20, Poly1305 and AEAD_CHACHA20_POLY1305 against the RFC 8439 vectors, and against
 * BouncyCastle and the JDK on random inputs.
 */
class ChaCha20Poly1305Test {

    @Test
    void blockFunctionMatchesRfc8439Section232() {
        Vectors.Vector v = Vectors.properties("rfc8439-2.3.2-chacha20-block.properties");
        ChaCha20 chacha = new ChaCha20(v.bytes("key"));
        chacha.setNonce(v.bytes("nonce"), 0);
        assertEquals(v.string("block").replaceAll("\\s", ""), Hex.encode(chacha.block(v.integer("counter"))));
    }

    @Test
    void cipherMatchesRfc8439Section242() {
        Vectors.Vector v = Vectors.properties("rfc8439-2.4.2-chacha20-cipher.properties");
        ChaCha20 chacha = new ChaCha20(v.bytes("key"));
        chacha.setNonce(v.bytes("nonce"), 0);
        byte[] text = v.bytes("plaintext");
        chacha.xor(v.integer("counter"), text, 0, text.length);
        assertArrayEquals(v.bytes("ciphertext"), text);
        chacha.xor(v.integer("counter"), text, 0, text.length);
        assertArrayEquals(v.bytes("plaintext"), text);
    }

    @Test
    void poly1305MatchesRfc8439Section252() {
        Vectors.Vector v = Vectors.properties("rfc8439-2.5.2-poly1305.properties");
        byte[] message = v.bytes("message");
        Poly1305 poly = new Poly1305();
        byte[] tag = new byte[16];
        poly.init(v.bytes("key"), 0);
        poly.update(message, 0, message.length);
        poly.finish(tag, 0);
        assertArrayEquals(v.bytes("tag"), tag);
        // the same message fed one byte at a time
        poly.init(v.bytes("key"), 0);
        for (int i = 0; i < message.length; i++) {
            poly.update(message, i, 1);
        }
        Arrays.fill(tag, (byte) 0);
        poly.finish(tag, 0);
        assertArrayEquals(v.bytes("tag"), tag);
    }

    @Test
    void poly1305KeyGenerationMatchesRfc8439Section262() {
        Vectors.Vector v = Vectors.properties("rfc8439-2.6.2-poly1305-key-generation.properties");
        ChaCha20 chacha = new ChaCha20(v.bytes("key"));
        chacha.setNonce(v.bytes("nonce"), 0);
        assertEquals(v.string("one_time_key"), Hex.encode(chacha.block(0), 0, 32));
    }

    @Test
    void aeadMatchesRfc8439Section282() throws CryptoException {
        Vectors.Vector v = Vectors.properties("rfc8439-2.8.2-aead-chacha20-poly1305.properties");
        byte[] aad = v.bytes("aad");
        byte[] plaintext = v.bytes("plaintext");
        byte[] buf = new byte[aad.length + plaintext.length + 16];
        System.arraycopy(aad, 0, buf, 0, aad.length);
        System.arraycopy(plaintext, 0, buf, aad.length, plaintext.length);
        ChaCha20Poly1305Aead aead = new ChaCha20Poly1305Aead(v.bytes("key"));

        aead.seal(v.bytes("nonce"), buf, 0, aad.length, plaintext.length);
        assertEquals(v.string("ciphertext").replaceAll("\\s", ""), Hex.encode(buf, aad.length, plaintext.length));
        assertEquals(Hex.encode(v.bytes("tag")), Hex.encode(buf, aad.length + plaintext.length, 16));

        assertEquals(plaintext.length, aead.open(v.bytes("nonce"), buf, 0, aad.length, plaintext.length + 16));
        assertArrayEquals(plaintext, Arrays.copyOfRange(buf, aad.length, aad.length + plaintext.length));
    }

    @Test
    void aeadAgreesWithBouncyCastleAndTheJdkOnRandomInputs() throws Exception {
        Random random = new Random(8439);
        Cipher jdk = Cipher.getInstance("ChaCha20-Poly1305");
        for (int round = 0; round < 400; round++) {
            byte[] key = bytes(random, 32);
            byte[] nonce = bytes(random, 12);
            int aadLength = random.nextInt(70);
            int textLength = round < 200 ? round : random.nextInt(1500);
            byte[] aad = bytes(random, aadLength);
            byte[] plaintext = bytes(random, textLength);

            ChaCha20Poly1305 bc = new ChaCha20Poly1305();
            bc.init(true, new AEADParameters(new KeyParameter(key), 128, nonce, aad));
            byte[] expected = new byte[textLength + 16];
            int n = bc.processBytes(plaintext, 0, textLength, expected, 0);
            bc.doFinal(expected, n);

            jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
            jdk.updateAAD(aad);
            assertArrayEquals(expected, jdk.doFinal(plaintext), "JDK vs BouncyCastle, round " + round);

            byte[] buf = new byte[aadLength + textLength + 16];
            System.arraycopy(aad, 0, buf, 0, aadLength);
            System.arraycopy(plaintext, 0, buf, aadLength, textLength);
            ChaCha20Poly1305Aead aead = new ChaCha20Poly1305Aead(key);
            aead.seal(nonce, buf, 0, aadLength, textLength);
            assertArrayEquals(expected, Arrays.copyOfRange(buf, aadLength, buf.length), "round " + round);
            assertEquals(textLength, aead.open(nonce, buf, 0, aadLength, textLength + 16));
            assertArrayEquals(plaintext, Arrays.copyOfRange(buf, aadLength, aadLength + textLength));
        }
    }

    @Test
    void poly1305AgreesWithBouncyCastleForAnyChunking() {
        Random random = new Random(1305);
        Poly1305 poly = new Poly1305();
        for (int round = 0; round < 300; round++) {
            byte[] key = bytes(random, 32);
            byte[] message = bytes(random, random.nextInt(300));
            if (round % 10 == 0) {
                Arrays.fill(message, (byte) 0xff);
            }
            org.bouncycastle.crypto.macs.Poly1305 bc = new org.bouncycastle.crypto.macs.Poly1305();
            bc.init(new KeyParameter(key));
            bc.update(message, 0, message.length);
            byte[] expected = new byte[16];
            bc.doFinal(expected, 0);

            poly.init(key, 0);
            for (int off = 0; off < message.length; ) {
                int n = Math.min(message.length - off, random.nextInt(40));
                poly.update(message, off, n);
                off += n;
            }
            byte[] tag = new byte[16];
            poly.finish(tag, 0);
            assertArrayEquals(expected, tag, "round " + round);
        }
    }

    @Test
    void tamperingWithAnyPartFailsAndTheSamePacketOpensTwice() throws CryptoException {
        Random random = new Random(7);
        byte[] key = bytes(random, 32);
        byte[] nonce = bytes(random, 12);
        ChaCha20Poly1305Aead aead = new ChaCha20Poly1305Aead(key);
        byte[] sealed = new byte[20 + 100 + 16];
        random.nextBytes(sealed);
        aead.seal(nonce, sealed, 0, 20, 100);
        for (int i : new int[] {0, 19, 20, 119, 120, 135}) {
            byte[] copy = sealed.clone();
            copy[i] ^= 0x10;
            CryptoException e = assertThrows(CryptoException.class, () -> aead.open(nonce, copy, 0, 20, 116));
            assertEquals("packet does not authenticate", e.getMessage());
        }
        byte[] otherNonce = nonce.clone();
        otherNonce[11] ^= 1;
        assertThrows(CryptoException.class, () -> aead.open(otherNonce, sealed.clone(), 0, 20, 116));
        for (int i = 0; i < 2; i++) {
            byte[] copy = sealed.clone();
            assertEquals(100, aead.open(nonce, copy, 0, 20, 116));
        }
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
