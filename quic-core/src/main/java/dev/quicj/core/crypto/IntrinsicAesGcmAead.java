package dev.quicj.core.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.SplittableRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-GCM (<a href="https://nvlpubs.nist.gov/nistpubs/Legacy/SP/nistspecialpublication800-38d.pdf">NIST SP
 * 800-38D</a>) assembled from the JDK's intrinsic GHASH and AES-CTR ({@link JdkGcmPrimitives}), with all state
 * owned by this object: one keyed counter-mode object, the GHASH subkey table, and 16-byte scratch blocks. Sealing
 * and opening allocate nothing.
 *
 * <pre>
 * J0 = nonce || 0x00000001
 * C  = CTR_K(inc32(J0), P)
 * S  = GHASH_H(A || pad || C || pad || [len(A)]64 || [len(C)]64)
 * T  = E_K(J0) XOR S
 * </pre>
 */
final class IntrinsicAesGcmAead implements Aead {
    private static final int BLOCK = 16;

    // the AES block cipher keyed with the AEAD key, and AES-CTR around it; the counter array is positioned for every
    // packet
    private final Object aes;
    private final Object ctr;
    private final int keyLength;
    private final byte[] counter;
    // the GHASH subkey table (H and, for the AVX stubs, its powers)
    private final long[] subkeyTable;
    // the running GHASH state, two big-endian longs
    private final long[] state = new long[2];
    // a zero-padded partial block, and E_K(J0)
    private final byte[] block = new byte[BLOCK];
    private final byte[] tagMask = new byte[BLOCK];
    // sixteen zero bytes, the input whose encryption is E_K(counter)
    private final byte[] zeros = new byte[BLOCK];

    IntrinsicAesGcmAead(byte[] key) throws GeneralSecurityException {
        if (key.length != 16 && key.length != 32) {
            throw new IllegalArgumentException("AES-GCM key must be 16 or 32 bytes, not " + key.length);
        }
        this.keyLength = key.length;
        try {
            this.aes = JdkGcmPrimitives.newAes(key);
            this.ctr = JdkGcmPrimitives.newCounterMode(aes);
            this.counter = JdkGcmPrimitives.counterOf(ctr);
            // H = E_K(0^128)
            Arrays.fill(counter, (byte) 0);
            byte[] h = new byte[BLOCK];
            crypt(zeros, 0, BLOCK, h, 0);
            this.subkeyTable = JdkGcmPrimitives.subkeyTable(h);
        } catch (GeneralSecurityException e) {
            throw e;
        } catch (Throwable t) {
            throw new GeneralSecurityException("cannot key the JDK AES-GCM primitives: " + t, t);
        }
    }

    /**
     * Re-keys this instance in place with a key of the same length: the AES schedule is rewritten in its array, H
     * recomputed and the GHASH table rewritten, so nothing is allocated. The old key's state is overwritten. On a
     * failure the instance must be discarded.
     *
     * @throws IllegalArgumentException if the key length differs from this instance's
     */
    void rekey(byte[] key) throws CryptoException {
        if (key.length != keyLength) {
            throw new IllegalArgumentException("re-keying a " + keyLength + "-byte AES-GCM with a " + key.length
                    + "-byte key");
        }
        try {
            JdkGcmPrimitives.rekeyAes(aes, key);
            // H = E_K(0^128), into the scratch block
            Arrays.fill(counter, (byte) 0);
            crypt(zeros, 0, BLOCK, block, 0);
            JdkGcmPrimitives.subkeyTableInto(block, subkeyTable);
        } catch (Throwable t) {
            throw new CryptoException("AES-GCM re-key failed: " + t, t);
        } finally {
            Arrays.fill(block, (byte) 0);
            Arrays.fill(tagMask, (byte) 0);
            state[0] = 0;
            state[1] = 0;
        }
    }

    /** Runs the counter-mode keystream from the current counter block (restarting the block). */
    private void crypt(byte[] in, int inOffset, int length, byte[] out, int outOffset) throws Throwable {
        JdkGcmPrimitives.CTR_USED.set(ctr, BLOCK);
        int n = (int) JdkGcmPrimitives.CTR_CRYPT.invokeExact(ctr, in, inOffset, length, out, outOffset);
        if (n != length) {
            throw new IllegalStateException("counter mode processed " + n + " of " + length + " bytes");
        }
    }

    /** Throws IndexOutOfBoundsException unless {@code buf[offset, offset + aadLength + textLength)} exists. */
    private static void checkRange(byte[] buf, int offset, int aadLength, long textLength) {
        long total = aadLength + textLength;
        if (aadLength < 0 || textLength < 0 || offset < 0 || offset + total > buf.length) {
            throw new IndexOutOfBoundsException("AEAD range " + offset + " + " + aadLength + " + " + textLength
                    + " outside an array of " + buf.length);
        }
    }

    /** Sets the counter block to {@code nonce || counterValue}. */
    private void position(byte[] nonce, int counterValue) {
        System.arraycopy(nonce, 0, counter, 0, 12);
        counter[12] = (byte) (counterValue >>> 24);
        counter[13] = (byte) (counterValue >>> 16);
        counter[14] = (byte) (counterValue >>> 8);
        counter[15] = (byte) counterValue;
    }

    private void ghash(byte[] buf, int offset, int length) throws Throwable {
        int full = length / BLOCK;
        if (full > 0) {
            JdkGcmPrimitives.GHASH_BLOCKS.invokeExact(buf, offset, full, state, subkeyTable);
        }
        int rest = length - full * BLOCK;
        if (rest > 0) {
            Arrays.fill(block, (byte) 0);
            System.arraycopy(buf, offset + full * BLOCK, block, 0, rest);
            JdkGcmPrimitives.GHASH_BLOCKS.invokeExact(block, 0, 1, state, subkeyTable);
        }
    }

    /** GHASH over A and C plus the length block, then XOR with E_K(J0): the tag, into {@code block}. */
    private void tag(byte[] buf, int aadOffset, int aadLength, int textOffset, int textLength) throws Throwable {
        state[0] = 0;
        state[1] = 0;
        if (aadLength % BLOCK == 0 && textOffset == aadOffset + aadLength) {
            // A needs no padding and C follows it: one pass over both (fewer calls, longer runs for the stub)
            ghash(buf, aadOffset, aadLength + textLength);
        } else {
            ghash(buf, aadOffset, aadLength);
            ghash(buf, textOffset, textLength);
        }
        long aBits = aadLength * 8L;
        long cBits = textLength * 8L;
        for (int i = 0; i < 8; i++) {
            block[i] = (byte) (aBits >>> (56 - 8 * i));
            block[8 + i] = (byte) (cBits >>> (56 - 8 * i));
        }
        JdkGcmPrimitives.GHASH_BLOCKS.invokeExact(block, 0, 1, state, subkeyTable);
        for (int i = 0; i < 8; i++) {
            block[i] = (byte) ((state[0] >>> (56 - 8 * i)) ^ tagMask[i]);
            block[8 + i] = (byte) ((state[1] >>> (56 - 8 * i)) ^ tagMask[8 + i]);
        }
    }

    @Override
    public void seal(byte[] nonce, byte[] buf, int aadOffset, int aadLength, int plaintextLength)
            throws CryptoException {
        // the JDK's stubs check no index: a range past the array is a native write, so it is refused here too,
        // whatever the caller checked
        if (plaintextLength < 0) {
            throw new IndexOutOfBoundsException("negative plaintext length: " + plaintextLength);
        }
        checkRange(buf, aadOffset, aadLength, plaintextLength + (long) TAG_LENGTH);
        int textOffset = aadOffset + aadLength;
        try {
            position(nonce, 1);
            crypt(zeros, 0, BLOCK, tagMask, 0);
            // the counter block now holds inc32(J0): the text follows without repositioning
            crypt(buf, textOffset, plaintextLength, buf, textOffset);
            tag(buf, aadOffset, aadLength, textOffset, plaintextLength);
            System.arraycopy(block, 0, buf, textOffset + plaintextLength, BLOCK);
        } catch (Throwable t) {
            throw new CryptoException("AES-GCM seal failed: " + t, t);
        }
    }

    @Override
    public int open(byte[] nonce, byte[] buf, int aadOffset, int aadLength, int ciphertextLength)
            throws CryptoException {
        if (ciphertextLength < TAG_LENGTH) {
            throw CryptoException.stackless("ciphertext shorter than the authentication tag");
        }
        checkRange(buf, aadOffset, aadLength, ciphertextLength);
        int textOffset = aadOffset + aadLength;
        int textLength = ciphertextLength - TAG_LENGTH;
        boolean authentic;
        try {
            position(nonce, 1);
            crypt(zeros, 0, BLOCK, tagMask, 0);
            tag(buf, aadOffset, aadLength, textOffset, textLength);
            int diff = 0;
            for (int i = 0; i < BLOCK; i++) {
                diff |= block[i] ^ buf[textOffset + textLength + i];
            }
            authentic = diff == 0;
            if (authentic) {
                // the counter block holds inc32(J0) since the tag mask was made
                crypt(buf, textOffset, textLength, buf, textOffset);
            }
        } catch (Throwable t) {
            throw new CryptoException("AES-GCM open failed: " + t, t);
        }
        if (!authentic) {
            throw CryptoException.stackless("packet does not authenticate");
        }
        return textLength;
    }

    /**
     * Compares instances re-keyed in place ({@link #rekey}, {@link JdkGcmPrimitives#rekeyAes}) with the JCA ciphers:
     * for each key length, one AES-GCM and one AES block instance go through a sequence of random keys, sealing,
     * opening and masking with each before the next re-key, so state left by an earlier key would show. Null when they
     * agree, else why not. Run once, after {@link #selfTest} passed, at class initialisation: before the JIT has
     * compiled anything, so GHASH runs in Java there; {@code InitialProtectionsTest} checks re-keying once the
     * intrinsics are compiled.
     */
    static String rekeySelfTest() {
        try {
            SplittableRandom random = new SplittableRandom(0x7e4e1L);
            Cipher jca = Cipher.getInstance("AES/GCM/NoPadding");
            Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
            for (int keyLength : new int[] {16, 32}) {
                byte[] key = new byte[keyLength];
                random.nextBytes(key);
                IntrinsicAesGcmAead mine = new IntrinsicAesGcmAead(key);
                Object block = JdkGcmPrimitives.newAes(key);
                for (int i = 0; i < 8; i++) {
                    if (i > 0) {
                        random.nextBytes(key);
                        mine.rekey(key);
                        JdkGcmPrimitives.rekeyAes(block, key);
                    }
                    String failure = agreesWithJca(mine, block, key, random, jca, ecb);
                    if (failure != null) {
                        return "re-key known-answer test failed after " + i + " re-keys: " + failure;
                    }
                }
            }
            return null;
        } catch (Throwable e) {
            return "re-key known-answer test failed: " + e;
        }
    }

    /**
     * Compares this construction with the JCA cipher on random keys, nonces and lengths; null when they agree, else
     * why not. Run once, before the primitives are used.
     */
    static String selfTest() {
        try {
            SplittableRandom random = new SplittableRandom(0x5eedL);
            Cipher jca = Cipher.getInstance("AES/GCM/NoPadding");
            Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
            for (int i = 0; i < 24; i++) {
                byte[] key = new byte[i % 2 == 0 ? 16 : 32];
                random.nextBytes(key);
                String failure = agreesWithJca(new IntrinsicAesGcmAead(key), JdkGcmPrimitives.newAes(key), key, random,
                        jca, ecb);
                if (failure != null) {
                    return "known-answer test failed: " + failure;
                }
            }
            return null;
        } catch (Throwable e) {
            return "known-answer test failed: " + e;
        }
    }

    /**
     * Seals and opens one random packet with {@code aead}, and encrypts one block with {@code aes} (the single-block
     * AES of header protection), against the JCA AES-GCM and AES-ECB ciphers keyed with {@code key}; null when they
     * agree, else what differed.
     */
    private static String agreesWithJca(IntrinsicAesGcmAead aead, Object aes, byte[] key, SplittableRandom random,
            Cipher jca, Cipher ecb) throws Throwable {
        byte[] nonce = new byte[12];
        random.nextBytes(nonce);
        int aad = random.nextInt(0, 64);
        int text = random.nextInt(0, 1400);
        byte[] a = new byte[aad + text + TAG_LENGTH];
        random.nextBytes(a);
        byte[] b = a.clone();
        jca.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        jca.updateAAD(a, 0, aad);
        jca.doFinal(a, aad, text, a, aad);
        aead.seal(nonce, b, 0, aad, text);
        if (!Arrays.equals(a, b)) {
            return "the JDK primitives do not give AES-GCM here";
        }
        if (aead.open(nonce, b, 0, aad, text + TAG_LENGTH) != text) {
            return "AES-GCM open";
        }
        ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        byte[] in = Arrays.copyOf(nonce, 16);
        byte[] expected = ecb.doFinal(in);
        byte[] actual = new byte[16];
        JdkGcmPrimitives.AES_ENCRYPT_BLOCK.invokeExact(aes, in, 0, actual, 0);
        if (!Arrays.equals(expected, actual)) {
            return "AES block cipher";
        }
        return null;
    }
}
