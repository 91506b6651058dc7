package dev.quicj.core.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quicj.core.Hex;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * HKDF beyond what RFC 9001 A.1 covers: RFC 5869 Extract vectors, the SHA-384 schedule of TLS_AES_256_GCM_SHA384
 * against an HKDF written with the JDK's HMAC, and the limits of the HkdfLabel structure.
 */
class HkdfLabelTest {

    @Test
    void extractMatchesRfc5869() {
        Vectors.Vector v = Vectors.properties("rfc5869-A-hkdf-extract.properties");
        assertEquals(v.string("tc1.prk"), Hex.encode(HkdfLabel.extractSha256(v.bytes("tc1.salt"), v.bytes("tc1.ikm"))));
        assertEquals(v.string("tc3.prk"), Hex.encode(HkdfLabel.extractSha256(new byte[0], v.bytes("tc3.ikm"))));
        assertEquals(v.string("tc3.prk"), Hex.encode(HkdfLabel.extractSha256(null, v.bytes("tc3.ikm"))));
        assertEquals(v.string("tc3.prk"), Hex.encode(HkdfLabel.extractSha256(new byte[32], v.bytes("tc3.ikm"))));
    }

    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void hkdfExpandLabelMatchesAnHkdfBuiltOnTheJdkHmac(CipherSuite suite) throws Exception {
        String hmac = suite.hashLength() == 48 ? "HmacSHA384" : "HmacSHA256";
        Random random = new Random(suite.code() + 5869);
        byte[] salt = bytes(random, 20);
        byte[] ikm = bytes(random, 8);
        byte[] prk = hmac(hmac, salt, ikm);
        assertArrayEquals(prk, HkdfLabel.extract(suite, salt, ikm));
        for (String label : new String[] {"quic key", "quicv2 hp", "c hs traffic"}) {
            for (int length : new int[] {12, suite.keyLength(), suite.hashLength(), 100}) {
                byte[] info = HkdfLabel.encodeLabel(label, new byte[] {1, 2, 3}, length);
                // HKDF-Expand, RFC 5869 section 2.3
                byte[] okm = new byte[length];
                byte[] t = new byte[0];
                for (int i = 1, done = 0; done < length; i++) {
                    byte[] input = new byte[t.length + info.length + 1];
                    System.arraycopy(t, 0, input, 0, t.length);
                    System.arraycopy(info, 0, input, t.length, info.length);
                    input[input.length - 1] = (byte) i;
                    t = hmac(hmac, prk, input);
                    int n = Math.min(t.length, length - done);
                    System.arraycopy(t, 0, okm, done, n);
                    done += n;
                }
                assertArrayEquals(okm, HkdfLabel.expandLabel(suite, prk, label, new byte[] {1, 2, 3}, length),
                        label + "/" + length);
            }
        }
    }

    @Test
    void hkdfLabelLimits() {
        assertThrows(IllegalArgumentException.class,
                () -> HkdfLabel.expandLabel(CipherSuite.TLS_AES_128_GCM_SHA256, new byte[32], "x", null, 0));
        assertThrows(IllegalArgumentException.class,
                () -> HkdfLabel.expandLabel(CipherSuite.TLS_AES_128_GCM_SHA256, new byte[32], "x", null, 255 * 32 + 1));
        assertThrows(IllegalArgumentException.class, () -> HkdfLabel.encodeLabel("x".repeat(250), null, 16));
        assertThrows(IllegalArgumentException.class, () -> HkdfLabel.encodeLabel("x", new byte[256], 16));
        assertThrows(IllegalArgumentException.class, () -> HkdfLabel.encodeLabel("cl\u00e9", null, 16));
        assertEquals(255 * 48, HkdfLabel.expandLabel(CipherSuite.TLS_AES_256_GCM_SHA384, new byte[48], "x", null,
                255 * 48).length);
    }

    private static byte[] hmac(String algorithm, byte[] key, byte[] data) throws Exception {
        Mac mac = Mac.getInstance(algorithm);
        mac.init(new SecretKeySpec(key, algorithm));
        return mac.doFinal(data);
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
