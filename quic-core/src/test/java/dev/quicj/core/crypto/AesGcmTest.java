package dev.quicj.core.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quicj.core.Hex;
import dev.quicj.core.QuicVersion;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The AES suites beyond the RFC 9001 vectors (which only cover AES-128-GCM): AES-256-GCM through the packet layer
 * against the GCM specification's test case 16 and against BouncyCastle, AES-256 header protection against
 * BouncyCastle's AES, and the SHA-384 key schedule against an HKDF written with the JDK's HMAC.
 */
class AesGcmTest {

    @Test
    void aes256SealAndOpenMatchGcmTestCase16() throws Exception {
        Vectors.Vector v = Vectors.properties("nist-gcm-test-case-16-aes256.properties");
        byte[] key = v.bytes("key");
        assertEquals(32, key.length);
        byte[] aad = v.bytes("aad");
        byte[] plaintext = v.bytes("plaintext");
        // packet number 0 makes the nonce equal to the IV
        PacketProtection protection = new AeadPacketProtection(CipherSuite.TLS_AES_256_GCM_SHA384,
                new AesGcmAead(key), new AesHeaderProtector(new byte[32]), v.bytes("iv"));
        byte[] buf = new byte[aad.length + plaintext.length + 16];
        System.arraycopy(aad, 0, buf, 0, aad.length);
        System.arraycopy(plaintext, 0, buf, aad.length, plaintext.length);

        protection.seal(ByteBuffer.wrap(buf), 0, aad.length, plaintext.length, 0);
        assertEquals(v.string("ciphertext").replaceAll("\\s", ""), Hex.encode(buf, aad.length, plaintext.length));
        assertEquals(v.string("tag"), Hex.encode(buf, aad.length + plaintext.length, 16));

        assertEquals(plaintext.length, protection.open(ByteBuffer.wrap(buf), 0, aad.length, plaintext.length + 16, 0));
        assertArrayEquals(plaintext, Arrays.copyOfRange(buf, aad.length, aad.length + plaintext.length));
    }

    @ParameterizedTest
    @EnumSource(value = CipherSuite.class, names = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"})
    void packetProtectionAgreesWithBouncyCastleGcmAndAes(CipherSuite suite) throws Exception {
        Random random = new Random(suite.code());
        for (int round = 0; round < 50; round++) {
            byte[] secret = bytes(random, suite.hashLength());
            QuicVersion version = round % 2 == 0 ? QuicVersion.V1 : QuicVersion.V2;
            PacketProtection protection = CryptoProvider.jca().newPacketProtection(version, suite, secret);
            PacketKeys keys = PacketKeys.derive(version, suite, secret);
            long pn = round == 0 ? (1L << 62) - 1 : random.nextLong() >>> 2;
            int headerLength = 1 + random.nextInt(60);
            int payloadLength = random.nextInt(1400);
            byte[] packet = bytes(random, headerLength + payloadLength + 16);
            byte[] aad = Arrays.copyOf(packet, headerLength);
            byte[] plaintext = Arrays.copyOfRange(packet, headerLength, headerLength + payloadLength);

            byte[] nonce = keys.iv.clone();
            for (int i = 0; i < 8; i++) {
                nonce[11 - i] ^= (byte) (pn >>> (8 * i));
            }
            GCMModeCipher gcm = GCMBlockCipher.newInstance(AESEngine.newInstance());
            gcm.init(true, new AEADParameters(new KeyParameter(keys.key), 128, nonce, aad));
            byte[] expected = new byte[payloadLength + 16];
            int n = gcm.processBytes(plaintext, 0, payloadLength, expected, 0);
            gcm.doFinal(expected, n);

            protection.seal(ByteBuffer.wrap(packet), 0, headerLength, payloadLength, pn);
            assertArrayEquals(aad, Arrays.copyOf(packet, headerLength), "header untouched");
            assertArrayEquals(expected, Arrays.copyOfRange(packet, headerLength, packet.length), "round " + round);
            assertEquals(payloadLength, protection.open(ByteBuffer.wrap(packet), 0, headerLength, payloadLength + 16,
                    pn));
            assertArrayEquals(plaintext, Arrays.copyOfRange(packet, headerLength, headerLength + payloadLength));

            byte[] sample = bytes(random, 16);
            AESEngine aes = (AESEngine) AESEngine.newInstance();
            aes.init(true, new KeyParameter(keys.hp));
            byte[] block = new byte[16];
            aes.processBlock(sample, 0, block, 0);
            byte[] mask = new byte[5];
            protection.headerProtectionMask(ByteBuffer.wrap(sample), 0, mask);
            assertArrayEquals(Arrays.copyOf(block, 5), mask);
        }
    }

    @Test
    void aes256PacketRoundTripThroughTheProvider() throws CryptoException {
        CipherSuite suite = CipherSuite.TLS_AES_256_GCM_SHA384;
        byte[] secret = bytes(new Random(384), 48);
        PacketProtection sender = CryptoProvider.jca().newPacketProtection(QuicVersion.V1, suite, secret);
        PacketProtection receiver = CryptoProvider.jca().newPacketProtection(QuicVersion.V1, suite, secret);
        assertEquals(suite, sender.suite());
        assertEquals(16, sender.tagLength());
        byte[] plain = new byte[1200];
        for (int i = 0; i < plain.length; i++) {
            plain[i] = (byte) i;
        }
        for (long pn = 0; pn < 5; pn++) {
            byte[] packet = Arrays.copyOf(plain, 1216);
            sender.seal(ByteBuffer.wrap(packet), 0, 30, 1170, pn);
            assertFalse(Arrays.equals(plain, Arrays.copyOf(packet, 1200)));
            assertEquals(1170, receiver.open(ByteBuffer.wrap(packet), 0, 30, 1186, pn));
            assertArrayEquals(plain, Arrays.copyOf(packet, 1200));
        }
        // a version 2 receiver derives other keys from the same secret
        PacketProtection v2 = CryptoProvider.jca().newPacketProtection(QuicVersion.V2, suite, secret);
        byte[] packet = Arrays.copyOf(plain, 1216);
        sender.seal(ByteBuffer.wrap(packet), 0, 30, 1170, 9);
        assertThrows(CryptoException.class, () -> v2.open(ByteBuffer.wrap(packet), 0, 30, 1186, 9));
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
