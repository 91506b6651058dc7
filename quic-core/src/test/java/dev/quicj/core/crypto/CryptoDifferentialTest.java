package dev.quicj.core.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.quicj.core.Hex;
import dev.quicj.core.QuicVersion;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.SplittableRandom;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.engines.ChaCha7539Engine;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded-random differential tests of the project's own crypto against independent implementations (the JDK's JCA
 * and BouncyCastle), where the RFC vectors check only a few inputs: every payload length up to 1500 bytes and every
 * AAD length up to 100, data at offsets inside larger arrays, tampering, packet numbers at 0, 2^32 and 2^62 - 1,
 * ChaCha20 header-protection counters at 0, 1 and 0xffffffff, HKDF-Expand-Label with SHA-256 and SHA-384, the
 * JDK SHA-256 compression driven directly, key update, Initial secrets and the Retry tag. Keys, IVs and labels are
 * derived here independently (the RFC 8446 §7.1 HkdfLabel built in this class, RFC 9001 / RFC 9369 salts and label
 * prefixes written out). Run with {@code -Dquicj.seed=N} to repeat a failure; the seed is in every message.
 */
class CryptoDifferentialTest {
    private static final long SEED = Long.getLong("quicj.seed", System.nanoTime());

    // RFC 9001 §5.2 and RFC 9369 §3.3.1, written out rather than taken from QuicVersion
    private static final byte[] V1_SALT = Hex.decode("38762cf7f55934b34d179ae6a4c80cadccbb7f0a");
    private static final byte[] V2_SALT = Hex.decode("0dede3def700a6db819381be6e269dcbf9bd2ed9");
    // RFC 9001 §5.8 and RFC 9369 §3.3.3
    private static final byte[] V1_RETRY_KEY = Hex.decode("be0c690b9f66575a1d766b54e368c84e");
    private static final byte[] V1_RETRY_NONCE = Hex.decode("461599d35d632bf2239825bb");
    private static final byte[] V2_RETRY_KEY = Hex.decode("8fb4b01b56ac48e260fbcbcead7ccc92");
    private static final byte[] V2_RETRY_NONCE = Hex.decode("d86969bc2d7c6d9990efb04a");

    private static final long[] PACKET_NUMBERS = {0, 1, 0xffL, 0xffff_ffffL, 1L << 32, (1L << 32) + 1, 1L << 56,
        (1L << 62) - 2, (1L << 62) - 1};

    private static String seed() {
        return "seed " + SEED + " (-Dquicj.seed=" + SEED + ")";
    }

    private static SplittableRandom random(String test) {
        System.out.println("CryptoDifferentialTest." + test + " " + seed());
        return new SplittableRandom(SEED ^ test.hashCode());
    }

    private static byte[] bytes(SplittableRandom r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static String prefix(QuicVersion version) {
        return version == QuicVersion.V1 ? "quic " : "quicv2 ";
    }

    // ---------------------------------------------------------------------------------------------------------------
    // independent references

    /** The RFC 8446 §7.1 HkdfLabel, built here byte by byte. */
    private static byte[] hkdfLabel(String label, byte[] context, int length) {
        byte[] l = ("tls13 " + label).getBytes(StandardCharsets.US_ASCII);
        byte[] c = context == null ? new byte[0] : context;
        ByteBuffer b = ByteBuffer.allocate(2 + 1 + l.length + 1 + c.length);
        b.putShort((short) length).put((byte) l.length).put(l).put((byte) c.length).put(c);
        return b.array();
    }

    private static Digest bcDigest(int hashLength) {
        return hashLength == 48 ? new SHA384Digest() : new SHA256Digest();
    }

    /** HKDF-Expand-Label through BouncyCastle's HKDF. */
    private static byte[] bcExpandLabel(int hashLength, byte[] secret, String label, byte[] context, int length) {
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(bcDigest(hashLength));
        hkdf.init(HKDFParameters.skipExtractParameters(secret, hkdfLabel(label, context, length)));
        byte[] out = new byte[length];
        hkdf.generateBytes(out, 0, length);
        return out;
    }

    /** HKDF-Expand (RFC 5869 §2.3) on the JDK's HMAC. */
    private static byte[] jdkExpand(int hashLength, byte[] prk, byte[] info, int length) throws Exception {
        Mac mac = Mac.getInstance(hashLength == 48 ? "HmacSHA384" : "HmacSHA256");
        mac.init(new SecretKeySpec(prk, "HMAC"));
        byte[] okm = new byte[length];
        byte[] t = new byte[0];
        for (int i = 1, done = 0; done < length; i++) {
            mac.update(t);
            mac.update(info);
            mac.update((byte) i);
            t = mac.doFinal();
            int n = Math.min(t.length, length - done);
            System.arraycopy(t, 0, okm, done, n);
            done += n;
        }
        return okm;
    }

    private static byte[] jdkExpandLabel(int hashLength, byte[] secret, String label, byte[] context, int length)
            throws Exception {
        return jdkExpand(hashLength, secret, hkdfLabel(label, context, length), length);
    }

    private static byte[] jdkHmac(String algorithm, byte[] key, byte[] message) throws Exception {
        Mac mac = Mac.getInstance(algorithm);
        // the JDK refuses an empty key; HMAC pads it to zeros anyway
        mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, "HMAC"));
        return mac.doFinal(message);
    }

    /** key, iv, hp of a traffic secret, derived independently. */
    private static byte[][] keys(QuicVersion version, CipherSuite suite, byte[] secret) throws Exception {
        int h = suite.hashLength();
        String p = prefix(version);
        return new byte[][] {
            jdkExpandLabel(h, secret, p + "key", null, suite.keyLength()),
            jdkExpandLabel(h, secret, p + "iv", null, 12),
            jdkExpandLabel(h, secret, p + "hp", null, suite.keyLength())};
    }

    private static byte[] nonce(byte[] iv, long pn) {
        byte[] n = iv.clone();
        for (int i = 0; i < 8; i++) {
            n[11 - i] ^= (byte) (pn >>> (8 * i));
        }
        return n;
    }

    /** ciphertext || tag of the suite's AEAD, by BouncyCastle. */
    private static byte[] bcSeal(CipherSuite suite, byte[] key, byte[] nonce, byte[] aad, byte[] plaintext)
            throws Exception {
        AEADParameters params = new AEADParameters(new KeyParameter(key), 128, nonce, aad);
        byte[] out = new byte[plaintext.length + 16];
        if (suite == CipherSuite.TLS_CHACHA20_POLY1305_SHA256) {
            ChaCha20Poly1305 c = new ChaCha20Poly1305();
            c.init(true, params);
            c.doFinal(out, c.processBytes(plaintext, 0, plaintext.length, out, 0));
        } else {
            GCMModeCipher c = GCMBlockCipher.newInstance(AESEngine.newInstance());
            c.init(true, params);
            c.doFinal(out, c.processBytes(plaintext, 0, plaintext.length, out, 0));
        }
        return out;
    }

    /** The first 5 bytes of the header-protection mask by the JCA: AES-ECB, or ChaCha20 with the sample's counter. */
    private static byte[] jcaMask(CipherSuite suite, byte[] hp, byte[] sample) throws Exception {
        if (suite == CipherSuite.TLS_CHACHA20_POLY1305_SHA256) {
            int counter = ByteBuffer.wrap(sample, 0, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
            // a new cipher each time: the JDK refuses a key and nonce used by the previous init
            Cipher c = Cipher.getInstance("ChaCha20");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(hp, "ChaCha20"),
                    new ChaCha20ParameterSpec(Arrays.copyOfRange(sample, 4, 16), counter));
            return c.doFinal(new byte[5]);
        }
        Cipher c = Cipher.getInstance("AES/ECB/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(hp, "AES"));
        return Arrays.copyOf(c.doFinal(sample), 5);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // the AEADs, every length

    enum Impl { CHACHA20_POLY1305, INTRINSIC_AES128, INTRINSIC_AES256, JCA_AES128, JCA_AES256 }

    private static Aead make(Impl impl, byte[] key) throws Exception {
        switch (impl) {
            case CHACHA20_POLY1305:
                return new ChaCha20Poly1305Aead(key);
            case INTRINSIC_AES128:
            case INTRINSIC_AES256:
                return new IntrinsicAesGcmAead(key);
            default:
                return new AesGcmAead(key);
        }
    }

    private static int keyLength(Impl impl) {
        return impl == Impl.INTRINSIC_AES128 || impl == Impl.JCA_AES128 ? 16 : 32;
    }

    /** ciphertext || tag by the JCA (ChaCha20-Poly1305 or AES/GCM/NoPadding). */
    private static byte[] jcaSeal(Impl impl, byte[] key, byte[] nonce, byte[] aad, byte[] plaintext)
            throws Exception {
        Cipher c;
        if (impl == Impl.CHACHA20_POLY1305) {
            c = Cipher.getInstance("ChaCha20-Poly1305");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
        } else {
            c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        }
        c.updateAAD(aad);
        return c.doFinal(plaintext);
    }

    /**
     * Seals {@code aad || plaintext} at a random offset inside a larger random array, compares with {@code expected},
     * checks nothing outside the packet changed, opens it back, and checks that a flipped bit in the AAD, the
     * ciphertext or the tag (and a wrong nonce) fails to authenticate.
     */
    private static void checkOne(Aead aead, byte[] nonce, byte[] aad, byte[] plaintext, byte[] expected,
            SplittableRandom r, String what) throws Exception {
        int offset = r.nextInt(0, 24);
        int packetLength = aad.length + plaintext.length + 16;
        byte[] buf = bytes(r, offset + packetLength + r.nextInt(0, 24));
        System.arraycopy(aad, 0, buf, offset, aad.length);
        System.arraycopy(plaintext, 0, buf, offset + aad.length, plaintext.length);
        byte[] before = buf.clone();
        aead.seal(nonce, buf, offset, aad.length, plaintext.length);
        assertArrayEquals(expected, Arrays.copyOfRange(buf, offset + aad.length, offset + packetLength),
                "seal: " + what);
        assertArrayEquals(Arrays.copyOf(before, offset + aad.length), Arrays.copyOf(buf, offset + aad.length),
                "bytes before the text: " + what);
        assertArrayEquals(Arrays.copyOfRange(before, offset + packetLength, before.length),
                Arrays.copyOfRange(buf, offset + packetLength, buf.length), "bytes after the tag: " + what);
        byte[] sealed = buf.clone();

        int flip = r.nextInt(0, packetLength);
        byte[] bad = sealed.clone();
        bad[offset + flip] ^= (byte) (1 << r.nextInt(0, 8));
        assertThrows(CryptoException.class, () -> aead.open(nonce, bad, offset, aad.length, plaintext.length + 16),
                "bit flipped at " + flip + " of " + packetLength + ": " + what);
        byte[] otherNonce = nonce.clone();
        otherNonce[r.nextInt(0, 12)] ^= (byte) (1 << r.nextInt(0, 8));
        byte[] copy = sealed.clone();
        assertThrows(CryptoException.class,
                () -> aead.open(otherNonce, copy, offset, aad.length, plaintext.length + 16), "wrong nonce: " + what);

        assertEquals(plaintext.length, aead.open(nonce, buf, offset, aad.length, plaintext.length + 16), what);
        assertArrayEquals(Arrays.copyOf(before, offset + aad.length + plaintext.length),
                Arrays.copyOf(buf, offset + aad.length + plaintext.length), "open: " + what);
        assertArrayEquals(Arrays.copyOfRange(sealed, offset + aad.length + plaintext.length, sealed.length),
                Arrays.copyOfRange(buf, offset + aad.length + plaintext.length, buf.length),
                "open wrote past the plaintext: " + what);
    }

    private static void assumeAvailable(Impl impl) {
        if (impl == Impl.INTRINSIC_AES128 || impl == Impl.INTRINSIC_AES256) {
            assumeTrue(JdkGcmPrimitives.AVAILABLE, JdkGcmPrimitives.UNAVAILABLE_REASON);
        }
    }

    /**
     * Seals enough packets for the JIT to compile the sealing path, so that GHASH and AES-CTR run as the HotSpot stubs
     * (the AVX GHASH stub keeps powers of H in the subkey table) rather than in Java, as they do in a long-running
     * endpoint.
     */
    private static void warmTheAesGcmIntrinsics() throws Exception {
        if (!JdkGcmPrimitives.AVAILABLE) {
            return;
        }
        IntrinsicAesGcmAead aead = new IntrinsicAesGcmAead(new byte[16]);
        byte[] nonce = new byte[12];
        byte[] buf = new byte[1100];
        for (int i = 0; i < 30_000; i++) {
            aead.seal(nonce, buf, 0, 40, 1000 + (i & 31));
        }
    }

    /**
     * Every plaintext length 0..1500 with a random AAD length 0..100; the key changes every 97 lengths. The AES-GCM
     * intrinsics are compiled first.
     */
    @ParameterizedTest
    @EnumSource(Impl.class)
    void everyPlaintextLengthAgreesWithTheJca(Impl impl) throws Exception {
        assumeAvailable(impl);
        warmTheAesGcmIntrinsics();
        SplittableRandom r = random("everyPlaintextLength " + impl);
        byte[] key = null;
        Aead aead = null;
        for (int length = 0; length <= 1500; length++) {
            if (length % 97 == 0) {
                key = bytes(r, keyLength(impl));
                aead = make(impl, key);
            }
            byte[] nonce = bytes(r, 12);
            byte[] aad = bytes(r, r.nextInt(0, 101));
            byte[] plaintext = bytes(r, length);
            byte[] expected = jcaSeal(impl, key, nonce, aad, plaintext);
            checkOne(aead, nonce, aad, plaintext, expected, r,
                    impl + " plaintext " + length + " aad " + aad.length + ", " + seed());
        }
    }

    /** Every AAD length 0..100 with plaintext lengths around the block boundaries, against BouncyCastle. */
    @ParameterizedTest
    @EnumSource(Impl.class)
    void everyAadLengthAgreesWithBouncyCastle(Impl impl) throws Exception {
        assumeAvailable(impl);
        SplittableRandom r = random("everyAadLength " + impl);
        CipherSuite suite = impl == Impl.CHACHA20_POLY1305 ? CipherSuite.TLS_CHACHA20_POLY1305_SHA256
                : CipherSuite.TLS_AES_128_GCM_SHA256;
        byte[] key = bytes(r, keyLength(impl));
        Aead aead = make(impl, key);
        for (int aadLength = 0; aadLength <= 100; aadLength++) {
            for (int length : new int[] {0, 1, 15, 16, 17, 63, 64, 65, r.nextInt(0, 1500)}) {
                byte[] nonce = bytes(r, 12);
                byte[] aad = bytes(r, aadLength);
                byte[] plaintext = bytes(r, length);
                byte[] expected = bcSeal(suite, key, nonce, aad, plaintext);
                checkOne(aead, nonce, aad, plaintext, expected, r,
                        impl + " aad " + aadLength + " plaintext " + length + ", " + seed());
            }
        }
    }

    /** Poly1305 with keys and messages at the carry edges (all-ones r, s and blocks) against BouncyCastle. */
    @Test
    void poly1305AtTheCarryEdgesAgreesWithBouncyCastle() {
        SplittableRandom r = random("poly1305Edges");
        Poly1305 poly = new Poly1305();
        byte[][] fills = {new byte[] {(byte) 0xff}, new byte[] {0}, new byte[] {(byte) 0xff, (byte) 0xfe},
            new byte[] {(byte) 0x80}, new byte[] {(byte) 0xfb}};
        for (int round = 0; round < 600; round++) {
            byte[] key = bytes(r, 32);
            switch (round % 4) {
                case 0:
                    Arrays.fill(key, (byte) 0xff);
                    break;
                case 1:
                    Arrays.fill(key, 16, 32, (byte) 0xff);
                    break;
                case 2:
                    Arrays.fill(key, 0, 16, (byte) 0xff);
                    break;
                default:
                    break;
            }
            int length = round < 300 ? round : r.nextInt(0, 1600);
            byte[] message = new byte[length];
            byte[] fill = fills[round % fills.length];
            for (int i = 0; i < length; i++) {
                message[i] = fill[i % fill.length];
            }
            if (round % 7 == 3) {
                r.nextBytes(message);
            }
            org.bouncycastle.crypto.macs.Poly1305 bc = new org.bouncycastle.crypto.macs.Poly1305();
            bc.init(new KeyParameter(key));
            bc.update(message, 0, length);
            byte[] expected = new byte[16];
            bc.doFinal(expected, 0);
            int keyOffset = r.nextInt(0, 5);
            byte[] keyAt = new byte[keyOffset + 32];
            System.arraycopy(key, 0, keyAt, keyOffset, 32);
            poly.init(keyAt, keyOffset);
            poly.update(message, 0, length);
            byte[] tag = new byte[19];
            poly.finish(tag, 3);
            assertArrayEquals(expected, Arrays.copyOfRange(tag, 3, 19),
                    "key " + Hex.encode(key) + " length " + length + ", " + seed());
        }
    }

    /** The raw ChaCha20 stream at any starting counter (including 0xffffffff) against BouncyCastle and the JCA. */
    @Test
    void chacha20KeystreamAtAnyCounterAgreesWithTheJca() throws Exception {
        SplittableRandom r = random("chacha20Keystream");
        for (int round = 0; round < 300; round++) {
            byte[] key = bytes(r, 32);
            byte[] nonce = bytes(r, 12);
            int counter = round % 3 == 0 ? r.nextInt() : round % 3 == 1 ? r.nextInt(0, 5) : -1 - r.nextInt(0, 30);
            int length = r.nextInt(0, 300);
            if ((counter & 0xffffffffL) + (length + 63) / 64 > 0x1_0000_0000L) {
                length = 64;
            }
            byte[] data = bytes(r, length);
            Cipher jca = Cipher.getInstance("ChaCha20");
            jca.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"),
                    new ChaCha20ParameterSpec(nonce, counter));
            byte[] expected = jca.doFinal(data);
            ChaCha20 mine = new ChaCha20(key);
            byte[] nonceAt = new byte[3 + 12];
            System.arraycopy(nonce, 0, nonceAt, 3, 12);
            mine.setNonce(nonceAt, 3);
            byte[] buf = new byte[5 + length + 5];
            System.arraycopy(data, 0, buf, 5, length);
            mine.xor(counter, buf, 5, length);
            assertArrayEquals(expected, Arrays.copyOfRange(buf, 5, 5 + length),
                    "counter " + Integer.toUnsignedString(counter) + " length " + length + ", " + seed());
            assertArrayEquals(new byte[5], Arrays.copyOf(buf, 5), seed());
            assertArrayEquals(new byte[5], Arrays.copyOfRange(buf, 5 + length, buf.length), seed());
            if (round < 20) {
                ChaCha7539Engine bc = new ChaCha7539Engine();
                bc.init(true, new ParametersWithIV(new KeyParameter(key), nonce));
                // BouncyCastle refuses to step its counter past 2^32 - 1 once the last block is used up
                int n = counter == -1 ? 63 : 64;
                byte[] block = new byte[n];
                bc.skip(64L * (counter & 0xffffffffL));
                bc.processBytes(new byte[n], 0, n, block, 0);
                assertArrayEquals(block, Arrays.copyOf(mine.block(counter), n),
                        "block " + Integer.toUnsignedString(counter) + ", " + seed());
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // packet protection end to end, from a traffic secret

    enum BufferKind { HEAP, HEAP_SLICE, DIRECT, DIRECT_SLICE }

    private static ByteBuffer buffer(BufferKind kind, byte[] content) {
        ByteBuffer b;
        switch (kind) {
            case HEAP:
                return ByteBuffer.wrap(content.clone());
            case HEAP_SLICE:
                b = ByteBuffer.allocate(content.length + 20).position(13).slice();
                break;
            case DIRECT:
                b = ByteBuffer.allocateDirect(content.length);
                break;
            default:
                b = ByteBuffer.allocateDirect(content.length + 20).position(7).slice();
                break;
        }
        b.put(0, content);
        return b;
    }

    private static byte[] contents(ByteBuffer b, int length) {
        byte[] out = new byte[length];
        b.get(0, out);
        return out;
    }

    /**
     * Protections made by the provider from a random secret seal, open and mask exactly as BouncyCastle and the JCA
     * do with keys derived here, for packet numbers at 0, 2^32 and 2^62 - 1, in every buffer kind, with ChaCha20
     * sample counters at 0, 1, 0xffffffff and random.
     */
    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void packetProtectionMatchesAnIndependentDerivationAndCipher(CipherSuite suite) throws Exception {
        SplittableRandom r = random("packetProtection " + suite);
        for (int round = 0; round < 40; round++) {
            QuicVersion version = round % 2 == 0 ? QuicVersion.V1 : QuicVersion.V2;
            byte[] secret = bytes(r, suite.hashLength());
            byte[][] k = keys(version, suite, secret);
            PacketProtection p = CryptoProvider.jca().newPacketProtection(version, suite, secret);
            for (long pn : new long[] {PACKET_NUMBERS[round % PACKET_NUMBERS.length], r.nextLong(0, 1L << 62)}) {
                BufferKind kind = BufferKind.values()[r.nextInt(0, 4)];
                int offset = r.nextInt(0, 30);
                int headerLength = r.nextInt(1, 60);
                int payloadLength = r.nextInt(0, 1400);
                byte[] content = bytes(r, offset + headerLength + payloadLength + 16 + r.nextInt(0, 10));
                byte[] aad = Arrays.copyOfRange(content, offset, offset + headerLength);
                byte[] plaintext = Arrays.copyOfRange(content, offset + headerLength,
                        offset + headerLength + payloadLength);
                byte[] expected = bcSeal(suite, k[0], nonce(k[1], pn), aad, plaintext);
                ByteBuffer b = buffer(kind, content);
                p.seal(b, offset, headerLength, payloadLength, pn);
                byte[] sealed = contents(b, content.length);
                String what = suite + " " + version + " pn " + pn + " " + kind + " header " + headerLength
                        + " payload " + payloadLength + ", " + seed();
                assertArrayEquals(expected, Arrays.copyOfRange(sealed, offset + headerLength,
                        offset + headerLength + payloadLength + 16), what);
                assertArrayEquals(Arrays.copyOf(content, offset + headerLength),
                        Arrays.copyOf(sealed, offset + headerLength), what);
                assertEquals(payloadLength, p.open(b, offset, headerLength, payloadLength + 16, pn), what);
                assertArrayEquals(plaintext, Arrays.copyOfRange(contents(b, content.length), offset + headerLength,
                        offset + headerLength + payloadLength), what);
                ByteBuffer again = buffer(kind, sealed);
                if (pn > 0) {
                    assertThrows(CryptoException.class,
                            () -> p.open(again, offset, headerLength, payloadLength + 16, pn - 1), what);
                }
            }
            for (int s = 0; s < 6; s++) {
                byte[] sample = bytes(r, 16);
                if (suite == CipherSuite.TLS_CHACHA20_POLY1305_SHA256) {
                    int counter = s == 0 ? 0 : s == 1 ? 1 : s == 2 ? -1 : s == 3 ? 0x8000_0000 : r.nextInt();
                    ByteBuffer.wrap(sample).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, counter);
                }
                int at = r.nextInt(0, 40);
                byte[] packet = bytes(r, at + 16 + r.nextInt(0, 5));
                System.arraycopy(sample, 0, packet, at, 16);
                byte[] mask = new byte[5];
                BufferKind kind = BufferKind.values()[s % 4];
                p.headerProtectionMask(buffer(kind, packet), at, mask);
                assertArrayEquals(jcaMask(suite, k[2], sample), mask,
                        suite + " sample " + Hex.encode(sample) + " " + kind + ", " + seed());
            }
        }
    }

    /** Seals one random packet with {@code p} and checks it and a mask against keys {@code k} derived here. */
    private static void checkProtection(PacketProtection p, CipherSuite suite, byte[][] k, byte[] hp,
            SplittableRandom r, int payloadLength, String what) throws Exception {
        long pn = r.nextBoolean() ? PACKET_NUMBERS[r.nextInt(0, PACKET_NUMBERS.length)] : r.nextLong(0, 1L << 62);
        BufferKind kind = BufferKind.values()[r.nextInt(0, 4)];
        int offset = r.nextInt(0, 30);
        int headerLength = r.nextInt(1, 60);
        byte[] content = bytes(r, offset + headerLength + payloadLength + 16);
        byte[] expected = bcSeal(suite, k[0], nonce(k[1], pn), Arrays.copyOfRange(content, offset,
                offset + headerLength), Arrays.copyOfRange(content, offset + headerLength, offset + headerLength
                + payloadLength));
        ByteBuffer b = buffer(kind, content);
        p.seal(b, offset, headerLength, payloadLength, pn);
        String w = what + " pn " + pn + " " + kind + " payload " + payloadLength + ", " + seed();
        assertArrayEquals(expected, Arrays.copyOfRange(contents(b, content.length), offset + headerLength,
                content.length), w);
        assertEquals(payloadLength, p.open(b, offset, headerLength, payloadLength + 16, pn), w);
        assertArrayEquals(Arrays.copyOf(content, content.length - 16),
                Arrays.copyOf(contents(b, content.length), content.length - 16), "open: " + w);
        byte[] sample = bytes(r, 16);
        byte[] mask = new byte[5];
        p.headerProtectionMask(buffer(kind, sample), 0, mask);
        assertArrayEquals(jcaMask(suite, hp, sample), mask, "mask: " + w);
    }

    /**
     * One protection re-keyed in place again and again ({@link CryptoProvider#rekeyPacketProtection}, the AES-GCM
     * intrinsic path re-writes its key schedule and GHASH table) keeps matching keys derived here, with the intrinsics
     * compiled; payloads up to 65000 bytes (past the 2048-byte staging array of direct buffers).
     */
    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void reKeyedProtectionsAndLargePacketsMatchAnIndependentDerivation(CipherSuite suite) throws Exception {
        SplittableRandom r = random("rekey " + suite);
        warmTheAesGcmIntrinsics();
        PacketProtection p = null;
        for (int round = 0; round < 40; round++) {
            QuicVersion version = round % 3 == 0 ? QuicVersion.V2 : QuicVersion.V1;
            byte[] secret = bytes(r, suite.hashLength());
            p = p == null ? CryptoProvider.jca().newPacketProtection(version, suite, secret)
                    : CryptoProvider.jca().rekeyPacketProtection(p, version, suite, secret);
            byte[][] k = keys(version, suite, secret);
            int payload = round % 8 == 7 ? r.nextInt(2048, 65000) : r.nextInt(0, 1500);
            checkProtection(p, suite, k, k[2], r, payload, suite + " " + version + " re-key " + round);
            checkProtection(p, suite, k, k[2], r, r.nextInt(0, 100), suite + " " + version + " re-key " + round);
        }
    }

    /** One {@link InitialProtections} re-derived for DCIDs at offsets in larger arrays, against a derivation here. */
    @ParameterizedTest
    @EnumSource(QuicVersion.class)
    void reusedInitialProtectionsMatchAnIndependentDerivation(QuicVersion version) throws Exception {
        SplittableRandom r = random("initialProtections " + version);
        byte[] salt = version == QuicVersion.V1 ? V1_SALT : V2_SALT;
        CipherSuite suite = CipherSuite.TLS_AES_128_GCM_SHA256;
        InitialProtections protections = new InitialProtections(CryptoProvider.jca());
        for (int round = 0; round < 42; round++) {
            int length = round % 21;
            int offset = r.nextInt(0, 10);
            byte[] array = bytes(r, offset + length + r.nextInt(0, 10));
            byte[] dcid = Arrays.copyOfRange(array, offset, offset + length);
            byte[] initial = jdkHmac("HmacSHA256", salt, dcid);
            byte[][] client = keys(version, suite, jdkExpandLabel(32, initial, "client in", null, 32));
            byte[][] server = keys(version, suite, jdkExpandLabel(32, initial, "server in", null, 32));
            String what = version + " dcid " + Hex.encode(dcid) + " round " + round;
            if (round % 3 == 2) {
                protections.deriveServer(version, array, offset, length);
                checkProtection(protections.server(), suite, server, server[2], r, r.nextInt(0, 1300), what);
            } else {
                protections.deriveBoth(version, array, offset, length);
                checkProtection(protections.client(), suite, client, client[2], r, r.nextInt(0, 1300), what);
                checkProtection(protections.server(), suite, server, server[2], r, r.nextInt(0, 1300), what);
            }
        }
    }

    /** Header protection alone, ChaCha20: every sample counter given as the RFC 9001 §5.4.4 little-endian word. */
    @Test
    void chacha20HeaderProtectionTakesAnyCounter() throws Exception {
        SplittableRandom r = random("chachaHp");
        for (int round = 0; round < 200; round++) {
            byte[] hp = bytes(r, 32);
            ChaCha20HeaderProtector protector = new ChaCha20HeaderProtector(hp);
            byte[] sample = bytes(r, 16);
            int[] counters = {0, 1, -1, -2, 0x7fff_ffff, 0x8000_0000, 0x0100_0000, r.nextInt()};
            ByteBuffer.wrap(sample).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, counters[round % 8]);
            int offset = r.nextInt(0, 9);
            byte[] in = new byte[offset + 16];
            System.arraycopy(sample, 0, in, offset, 16);
            byte[] mask = new byte[5];
            protector.mask(in, offset, mask);
            assertArrayEquals(jcaMask(CipherSuite.TLS_CHACHA20_POLY1305_SHA256, hp, sample), mask,
                    "sample " + Hex.encode(sample) + ", " + seed());
        }
    }

    /** AES header protection, AES-128 and AES-256, against the JCA AES-ECB. */
    @ParameterizedTest
    @ValueSource(ints = {16, 32})
    void aesHeaderProtectionAgreesWithTheJca(int keyLength) throws Exception {
        SplittableRandom r = random("aesHp " + keyLength);
        for (int round = 0; round < 200; round++) {
            byte[] hp = bytes(r, keyLength);
            AesHeaderProtector protector = new AesHeaderProtector(hp);
            for (int s = 0; s < 3; s++) {
                byte[] sample = bytes(r, 16);
                int offset = r.nextInt(0, 9);
                byte[] in = new byte[offset + 16];
                System.arraycopy(sample, 0, in, offset, 16);
                byte[] mask = new byte[5];
                protector.mask(in, offset, mask);
                assertArrayEquals(jcaMask(CipherSuite.TLS_AES_128_GCM_SHA256, hp, sample), mask, seed());
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // key derivation

    /**
     * HKDF-Expand-Label with SHA-256 and SHA-384, secrets of 32 and 48 bytes (and other lengths), outputs of 12, 16,
     * 32, 48 and random lengths, random labels and contexts, against BouncyCastle's HKDF and an HKDF on the JDK's
     * HMAC, each given the HkdfLabel built here.
     */
    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void expandLabelAgreesWithBouncyCastleAndTheJdk(CipherSuite suite) throws Exception {
        SplittableRandom r = random("expandLabel " + suite);
        int h = suite.hashLength();
        int[] secretLengths = {32, 48, h, r.nextInt(1, 64), 64, 65, 100};
        int[] lengths = {12, 16, 32, 48, 1, 33, 64, 96, 255};
        for (int round = 0; round < 300; round++) {
            byte[] secret = bytes(r, secretLengths[round % secretLengths.length]);
            char[] label = new char[r.nextInt(0, 40)];
            for (int i = 0; i < label.length; i++) {
                label[i] = (char) r.nextInt(0x20, 0x7f);
            }
            String l = new String(label);
            byte[] context = round % 3 == 0 ? null : bytes(r, r.nextInt(0, 65));
            int length = round < 2 * lengths.length ? lengths[round % lengths.length] : r.nextInt(1, 3 * h);
            byte[] expected = bcExpandLabel(h, secret, l, context, length);
            String what = suite + " secret " + secret.length + " label '" + l + "' length " + length + ", " + seed();
            assertArrayEquals(expected, jdkExpandLabel(h, secret, l, context, length), "BC vs JDK: " + what);
            assertArrayEquals(expected, HkdfLabel.expandLabel(suite, secret, l, context, length), what);
            assertArrayEquals(hkdfLabel(l, context, length), HkdfLabel.encodeLabel(l, context, length), what);
        }
    }

    /** HKDF-Extract with SHA-256 and SHA-384 for salts of 0 to 130 bytes (past the 64-byte HMAC block). */
    @ParameterizedTest
    @ValueSource(ints = {32, 48})
    void extractAgreesWithTheJdkHmac(int hashLength) throws Exception {
        SplittableRandom r = random("extract " + hashLength);
        CipherSuite suite = hashLength == 48 ? CipherSuite.TLS_AES_256_GCM_SHA384
                : CipherSuite.TLS_CHACHA20_POLY1305_SHA256;
        String alg = hashLength == 48 ? "HmacSHA384" : "HmacSHA256";
        for (int saltLength = 0; saltLength <= 130; saltLength++) {
            byte[] salt = bytes(r, saltLength);
            byte[] ikm = bytes(r, r.nextInt(0, 100));
            byte[] expected = jdkHmac(alg, saltLength == 0 ? new byte[hashLength] : salt, ikm);
            assertArrayEquals(expected, HkdfLabel.extract(suite, salt, ikm), "salt " + saltLength + ", " + seed());
        }
        byte[] ikm = bytes(r, 20);
        assertArrayEquals(jdkHmac(alg, new byte[hashLength], ikm), HkdfLabel.extract(suite, null, ikm), seed());
    }

    /** The JDK SHA-256 compression function driven on our own state, as a whole hash, for every length 0..300. */
    @Test
    void sha256CompressionGivesMessageDigestForEveryLength() throws Exception {
        assumeTrue(JdkSha256Primitives.AVAILABLE, JdkSha256Primitives.UNAVAILABLE_REASON);
        SplittableRandom r = random("sha256");
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        JdkSha256Primitives.Compressor compressor = new JdkSha256Primitives.Compressor();
        for (int length = 0; length <= 300; length++) {
            byte[] m = bytes(r, length);
            // SHA-256 padding (FIPS 180-4 §5.1.1), then the blocks at an offset in a larger array
            int padded = (length + 9 + 63) / 64 * 64;
            int offset = r.nextInt(0, 7);
            byte[] blocks = new byte[offset + padded];
            System.arraycopy(m, 0, blocks, offset, length);
            blocks[offset + length] = (byte) 0x80;
            ByteBuffer.wrap(blocks).putLong(offset + padded - 8, 8L * length);
            int[] state = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
                0x5be0cd19};
            for (int at = offset; at < offset + padded; at += 64) {
                compressor.compress(state, blocks, at);
            }
            ByteBuffer digest = ByteBuffer.allocate(32);
            for (int w : state) {
                digest.putInt(w);
            }
            assertArrayEquals(md.digest(m), digest.array(), "length " + length + ", " + seed());
        }
    }

    /** Both HMAC engines' HKDF against the JDK for random keys and infos, through every public entry point. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void sha256HmacHkdfEntryPointsAgreeWithTheJdk(boolean direct) throws Exception {
        if (direct) {
            assumeTrue(JdkSha256Primitives.AVAILABLE, JdkSha256Primitives.UNAVAILABLE_REASON);
        }
        SplittableRandom r = random("sha256Hmac " + direct);
        Sha256Hmac h = new Sha256Hmac(direct);
        for (int round = 0; round < 200; round++) {
            byte[] prk = bytes(r, r.nextInt(0, 65));
            byte[][] infos = {bytes(r, r.nextInt(0, 150)), bytes(r, r.nextInt(0, 150)), bytes(r, r.nextInt(0, 70))};
            byte[] o0 = new byte[r.nextInt(1, 33)];
            byte[] o1 = new byte[r.nextInt(1, 33)];
            byte[] o2 = new byte[r.nextInt(1, 33)];
            h.expandInto(prk, infos, o0, o1, o2);
            byte[][] all = h.expandAll(prk, infos, new int[] {o0.length, o1.length, o2.length});
            byte[][] outs = {o0, o1, o2};
            for (int i = 0; i < 3; i++) {
                byte[] expected = Arrays.copyOf(jdkHmac("HmacSHA256", prk,
                        concat(infos[i], new byte[] {1})), outs[i].length);
                String what = "prk " + prk.length + " info " + infos[i].length + ", " + seed();
                assertArrayEquals(expected, outs[i], "expandInto " + what);
                assertArrayEquals(expected, all[i], "expandAll " + what);
                assertArrayEquals(expected, h.expand(prk, infos[i], outs[i].length), "expand " + what);
            }
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** Initial secrets and protections for random DCIDs of 0..20 bytes, both versions, derived independently. */
    @ParameterizedTest
    @EnumSource(QuicVersion.class)
    void initialSecretsAndProtectionsMatchAnIndependentDerivation(QuicVersion version) throws Exception {
        SplittableRandom r = random("initial " + version);
        byte[] salt = version == QuicVersion.V1 ? V1_SALT : V2_SALT;
        CipherSuite suite = CipherSuite.TLS_AES_128_GCM_SHA256;
        for (int round = 0; round < 63; round++) {
            byte[] dcid = bytes(r, round % 21);
            byte[] initial = jdkHmac("HmacSHA256", salt, dcid);
            byte[] client = jdkExpandLabel(32, initial, "client in", null, 32);
            byte[] server = jdkExpandLabel(32, initial, "server in", null, 32);
            String what = version + " dcid " + Hex.encode(dcid) + ", " + seed();
            assertArrayEquals(initial, InitialSecrets.initialSecret(version, dcid), what);
            assertArrayEquals(client, InitialSecrets.clientSecret(version, dcid), what);
            assertArrayEquals(server, InitialSecrets.serverSecret(version, dcid), what);
            byte[][] both = InitialSecrets.bothSecrets(version, dcid);
            assertArrayEquals(client, both[0], what);
            assertArrayEquals(server, both[1], what);
            PacketProtection[] protections = round % 2 == 0
                    ? InitialSecrets.bothProtections(CryptoProvider.jca(), version, dcid)
                    : new PacketProtection[] {InitialSecrets.clientProtection(CryptoProvider.jca(), version, dcid),
                        InitialSecrets.serverProtection(CryptoProvider.jca(), version, dcid)};
            byte[][] secrets = {client, server};
            for (int side = 0; side < 2; side++) {
                byte[][] k = keys(version, suite, secrets[side]);
                long pn = PACKET_NUMBERS[r.nextInt(0, PACKET_NUMBERS.length)];
                byte[] packet = bytes(r, 20 + 1200 + 16);
                byte[] expected = bcSeal(suite, k[0], nonce(k[1], pn), Arrays.copyOf(packet, 20),
                        Arrays.copyOfRange(packet, 20, 1220));
                protections[side].seal(ByteBuffer.wrap(packet), 0, 20, 1200, pn);
                assertArrayEquals(expected, Arrays.copyOfRange(packet, 20, packet.length), what + " side " + side);
                byte[] sample = bytes(r, 16);
                byte[] mask = new byte[5];
                protections[side].headerProtectionMask(ByteBuffer.wrap(sample), 0, mask);
                assertArrayEquals(jcaMask(suite, k[2], sample), mask, what + " side " + side);
            }
        }
    }

    /**
     * Key update (RFC 9001 §6, RFC 9369 §3.3.2): the next secrets are HKDF-Expand-Label(secret, "quic ku" /
     * "quicv2 ku", "", hash length) derived here; each generation from the provider seals with its own key and IV
     * and masks with the first generation's hp key.
     */
    @ParameterizedTest
    @EnumSource(CipherSuite.class)
    void keyUpdatesMatchAnIndependentDerivation(CipherSuite suite) throws Exception {
        SplittableRandom r = random("keyUpdate " + suite);
        // the JCA provider's own update, and the interface's default (KeyUpdatedPacketProtection)
        CryptoProvider defaultOnly = (version, s, secret) -> CryptoProvider.jca().newPacketProtection(version, s,
                secret);
        for (QuicVersion version : QuicVersion.values()) {
            for (int round = 0; round < 8; round++) {
                CryptoProvider provider = round % 2 == 0 ? CryptoProvider.jca() : defaultOnly;
                byte[] s0 = bytes(r, suite.hashLength());
                byte[][] k0 = keys(version, suite, s0);
                PacketProtection g = provider.newPacketProtection(version, suite, s0);
                byte[] s = s0;
                for (int generation = 1; generation <= 4; generation++) {
                    byte[] next = jdkExpandLabel(suite.hashLength(), s, prefix(version) + "ku", null,
                            suite.hashLength());
                    String what = suite + " " + version + " " + (provider == defaultOnly ? "default" : "jca")
                            + " generation " + generation + ", " + seed();
                    assertArrayEquals(next, HkdfLabel.nextSecret(version, suite, s), what);
                    s = next;
                    g = provider.newUpdatedPacketProtection(g, version, suite, s);
                    byte[][] k = keys(version, suite, s);
                    long pn = PACKET_NUMBERS[r.nextInt(0, PACKET_NUMBERS.length)];
                    byte[] packet = bytes(r, 30 + 500 + 16);
                    byte[] expected = bcSeal(suite, k[0], nonce(k[1], pn), Arrays.copyOf(packet, 30),
                            Arrays.copyOfRange(packet, 30, 530));
                    ByteBuffer b = buffer(BufferKind.values()[generation % 4], packet);
                    g.seal(b, 0, 30, 500, pn);
                    assertArrayEquals(expected, Arrays.copyOfRange(contents(b, packet.length), 30, packet.length),
                            what);
                    assertEquals(500, g.open(b, 0, 30, 516, pn), what);
                    byte[] sample = bytes(r, 16);
                    byte[] mask = new byte[5];
                    g.headerProtectionMask(ByteBuffer.wrap(sample), 0, mask);
                    assertArrayEquals(jcaMask(suite, k0[2], sample), mask, "hp key not updated: " + what);
                }
            }
        }
    }

    /** The Retry Integrity Tag for random ODCIDs and packets against BouncyCastle's AES-GCM with the RFC key. */
    @ParameterizedTest
    @EnumSource(QuicVersion.class)
    void retryTagMatchesBouncyCastle(QuicVersion version) throws Exception {
        SplittableRandom r = random("retry " + version);
        byte[] key = version == QuicVersion.V1 ? V1_RETRY_KEY : V2_RETRY_KEY;
        byte[] nonce = version == QuicVersion.V1 ? V1_RETRY_NONCE : V2_RETRY_NONCE;
        for (int round = 0; round < 100; round++) {
            byte[] odcid = bytes(r, round % 21);
            byte[] retry = bytes(r, r.nextInt(0, 200));
            byte[] pseudo = new byte[1 + odcid.length + retry.length];
            pseudo[0] = (byte) odcid.length;
            System.arraycopy(odcid, 0, pseudo, 1, odcid.length);
            System.arraycopy(retry, 0, pseudo, 1 + odcid.length, retry.length);
            byte[] expected = bcSeal(CipherSuite.TLS_AES_128_GCM_SHA256, key, nonce, pseudo, new byte[0]);
            int offset = r.nextInt(0, 10);
            byte[] at = new byte[offset + retry.length + 16 + 3];
            System.arraycopy(retry, 0, at, offset, retry.length);
            String what = version + " odcid " + odcid.length + " retry " + retry.length + ", " + seed();
            assertArrayEquals(expected, RetryIntegrity.tag(version, odcid, at, offset, retry.length), what);
            System.arraycopy(expected, 0, at, offset + retry.length, 16);
            assertTrue(RetryIntegrity.verify(version, odcid, at, offset, retry.length + 16), what);
            ByteBuffer direct = ByteBuffer.allocateDirect(at.length).put(at).clear();
            assertTrue(RetryIntegrity.verify(version, odcid, direct, offset, retry.length + 16), what);
            at[offset + r.nextInt(0, retry.length + 16)] ^= (byte) (1 << r.nextInt(0, 8));
            assertEquals(false, RetryIntegrity.verify(version, odcid, at, offset, retry.length + 16), what);
        }
    }
}
