package dev.quicj.core.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The ChaCha20 block function and stream cipher of
 * <a href="https://www.rfc-editor.org/rfc/rfc8439#section-2.3">RFC 8439 §2.3–2.4</a> (96-bit nonce, 32-bit block
 * counter), keyed once. It allocates nothing after construction and, unlike the JDK 17 {@code ChaCha20} cipher,
 * has no opinion about a key and nonce being used twice: QUIC needs that on the receive path, where a duplicated
 * datagram yields the same AEAD nonce and the same header-protection sample.
 *
 * <p>Not thread-safe.
 */
final class ChaCha20 {
    /** The size of one keystream block. */
    static final int BLOCK_LENGTH = 64;

    // the constant words "expand 32-byte k"
    private static final int C0 = 0x61707865;
    private static final int C1 = 0x3320646e;
    private static final int C2 = 0x79622d32;
    private static final int C3 = 0x6b206574;
    // little-endian int access to byte arrays, for XORing whole keystream words into a buffer
    private static final VarHandle LE_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    // the key as eight little-endian words (state words 4..11)
    private final int[] key = new int[8];
    // nonce bytes 0..3 as a little-endian word (state word 13), set by setNonce
    private int n0;
    // nonce bytes 4..7 as a little-endian word (state word 14)
    private int n1;
    // nonce bytes 8..11 as a little-endian word (state word 15)
    private int n2;
    // the keystream block most recently computed, as sixteen words
    private final int[] words = new int[16];
    // the same block serialized, filled by block() only
    private final byte[] keystream = new byte[BLOCK_LENGTH];

    /** @param key the 32-byte key; copied */
    ChaCha20(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("ChaCha20 key must be 32 bytes, not " + key.length);
        }
        for (int i = 0; i < 8; i++) {
            this.key[i] = le32(key, 4 * i);
        }
    }

    /** Sets the 12-byte nonce read at {@code nonce[offset]}. */
    void setNonce(byte[] nonce, int offset) {
        n0 = le32(nonce, offset);
        n1 = le32(nonce, offset + 4);
        n2 = le32(nonce, offset + 8);
    }

    /**
     * Computes the keystream block for {@code counter} and the current nonce into an internal array, and returns
     * that array (valid until the next call).
     */
    byte[] block(int counter) {
        computeBlock(counter);
        for (int i = 0; i < 16; i++) {
            LE_INT.set(keystream, 4 * i, words[i]);
        }
        return keystream;
    }

    // the ChaCha20 block function (RFC 8439 section 2.3) into words[]
    private void computeBlock(int counter) {
        int x0 = C0, x1 = C1, x2 = C2, x3 = C3;
        int x4 = key[0], x5 = key[1], x6 = key[2], x7 = key[3];
        int x8 = key[4], x9 = key[5], x10 = key[6], x11 = key[7];
        int x12 = counter, x13 = n0, x14 = n1, x15 = n2;
        for (int i = 0; i < 10; i++) {
            // column rounds: QUARTERROUND(0,4,8,12), (1,5,9,13), (2,6,10,14), (3,7,11,15)
            x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 16);
            x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 12);
            x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 8);
            x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 7);

            x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 16);
            x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 12);
            x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 8);
            x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 7);

            x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 16);
            x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 12);
            x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 8);
            x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 7);

            x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 16);
            x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 12);
            x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 8);
            x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 7);

            // diagonal rounds: QUARTERROUND(0,5,10,15), (1,6,11,12), (2,7,8,13), (3,4,9,14)
            x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 16);
            x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 12);
            x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 8);
            x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 7);

            x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 16);
            x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 12);
            x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 8);
            x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 7);

            x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 16);
            x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 12);
            x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 8);
            x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 7);

            x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 16);
            x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 12);
            x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 8);
            x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 7);
        }
        int[] out = words;
        out[0] = x0 + C0;
        out[1] = x1 + C1;
        out[2] = x2 + C2;
        out[3] = x3 + C3;
        out[4] = x4 + key[0];
        out[5] = x5 + key[1];
        out[6] = x6 + key[2];
        out[7] = x7 + key[3];
        out[8] = x8 + key[4];
        out[9] = x9 + key[5];
        out[10] = x10 + key[6];
        out[11] = x11 + key[7];
        out[12] = x12 + counter;
        out[13] = x13 + n0;
        out[14] = x14 + n1;
        out[15] = x15 + n2;
    }

    /**
     * XORs the keystream that starts at block {@code counter} (current nonce) into {@code buf[offset, offset +
     * length)}: ChaCha20 encryption and decryption (RFC 8439 §2.4).
     */
    void xor(int counter, byte[] buf, int offset, int length) {
        int pos = offset;
        int end = offset + length;
        int[] w = words;
        for (; end - pos >= BLOCK_LENGTH; pos += BLOCK_LENGTH, counter++) {
            computeBlock(counter);
            for (int i = 0; i < 16; i++) {
                int at = pos + 4 * i;
                LE_INT.set(buf, at, (int) LE_INT.get(buf, at) ^ w[i]);
            }
        }
        if (pos < end) {
            byte[] ks = block(counter);
            for (int i = 0; pos + i < end; i++) {
                buf[pos + i] ^= ks[i];
            }
        }
    }

    /** The little-endian 32-bit word at {@code b[off]}. */
    static int le32(byte[] b, int off) {
        return (int) LE_INT.get(b, off);
    }

}
