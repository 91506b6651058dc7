package dev.quicj.core.crypto;

/**
 * The Poly1305 one-time authenticator of <a href="https://www.rfc-editor.org/rfc/rfc8439#section-2.5">RFC 8439
 * §2.5</a>, computed with five 26-bit limbs in {@code long}s (the "donna" 32-bit layout), so no product overflows.
 * One instance is re-keyed for every message and allocates nothing.
 *
 * <p>Not thread-safe.
 */
final class Poly1305 {
    /** The length of a Poly1305 key (r then s). */
    static final int KEY_LENGTH = 32;
    /** The length of a Poly1305 tag. */
    static final int TAG_LENGTH = 16;

    private static final long M26 = 0x3ffffff;
    private static final long M32 = 0xffffffffL;

    // clamped r in 26-bit limbs
    private long r0, r1, r2, r3, r4;
    // 5 * r1..r4, for the reduction modulo 2^130 - 5
    private long s1, s2, s3, s4;
    // the accumulator in 26-bit limbs
    private long h0, h1, h2, h3, h4;
    // s, the second half of the key, as four little-endian words
    private long pad0, pad1, pad2, pad3;
    // bytes of an incomplete block waiting for more input
    private final byte[] pending = new byte[16];
    // number of valid bytes in pending
    private int pendingLength;

    /** Starts a new message under the 32-byte one-time key at {@code key[offset]}. */
    void init(byte[] key, int offset) {
        // r &= 0x0ffffffc0ffffffc0ffffffc0fffffff, split into 26-bit limbs
        r0 = u32(key, offset) & 0x3ffffff;
        r1 = (u32(key, offset + 3) >>> 2) & 0x3ffff03;
        r2 = (u32(key, offset + 6) >>> 4) & 0x3ffc0ff;
        r3 = (u32(key, offset + 9) >>> 6) & 0x3f03fff;
        r4 = (u32(key, offset + 12) >>> 8) & 0x00fffff;
        s1 = r1 * 5;
        s2 = r2 * 5;
        s3 = r3 * 5;
        s4 = r4 * 5;
        h0 = h1 = h2 = h3 = h4 = 0;
        pad0 = u32(key, offset + 16);
        pad1 = u32(key, offset + 20);
        pad2 = u32(key, offset + 24);
        pad3 = u32(key, offset + 28);
        pendingLength = 0;
    }

    /** Adds {@code length} message bytes. */
    void update(byte[] m, int offset, int length) {
        if (pendingLength > 0) {
            int take = Math.min(16 - pendingLength, length);
            System.arraycopy(m, offset, pending, pendingLength, take);
            pendingLength += take;
            offset += take;
            length -= take;
            if (pendingLength < 16) {
                return;
            }
            block(pending, 0, 1L << 24);
            pendingLength = 0;
        }
        while (length >= 16) {
            block(m, offset, 1L << 24);
            offset += 16;
            length -= 16;
        }
        if (length > 0) {
            System.arraycopy(m, offset, pending, 0, length);
            pendingLength = length;
        }
    }

    /**
     * Pads the message with zero bytes up to a multiple of 16, as the AEAD construction does after the associated
     * data and after the ciphertext (RFC 8439 §2.8).
     */
    void padToBlock() {
        if (pendingLength > 0) {
            for (int i = pendingLength; i < 16; i++) {
                pending[i] = 0;
            }
            block(pending, 0, 1L << 24);
            pendingLength = 0;
        }
    }

    /** Adds the 16-byte block {@code le64(a) || le64(b)}, the length block of the AEAD construction. */
    void updateLengths(long a, long b) {
        padToBlock();
        for (int i = 0; i < 8; i++) {
            pending[i] = (byte) (a >>> (8 * i));
            pending[8 + i] = (byte) (b >>> (8 * i));
        }
        block(pending, 0, 1L << 24);
    }

    /** Finishes the message and writes the 16-byte tag at {@code out[offset]}. */
    void finish(byte[] out, int offset) {
        if (pendingLength > 0) {
            // the final short block: append 0x01 and zeros, and do not add 2^128
            pending[pendingLength] = 1;
            for (int i = pendingLength + 1; i < 16; i++) {
                pending[i] = 0;
            }
            block(pending, 0, 0);
            pendingLength = 0;
        }
        // fully carry h
        long c = h1 >>> 26;
        h1 &= M26;
        h2 += c; c = h2 >>> 26; h2 &= M26;
        h3 += c; c = h3 >>> 26; h3 &= M26;
        h4 += c; c = h4 >>> 26; h4 &= M26;
        h0 += c * 5; c = h0 >>> 26; h0 &= M26;
        h1 += c;

        // g = h + 5 - 2^130
        long g0 = h0 + 5; c = g0 >>> 26; g0 &= M26;
        long g1 = h1 + c; c = g1 >>> 26; g1 &= M26;
        long g2 = h2 + c; c = g2 >>> 26; g2 &= M26;
        long g3 = h3 + c; c = g3 >>> 26; g3 &= M26;
        long g4 = h4 + c - (1L << 26);

        // h >= p exactly when g4 did not go negative; select g then, else h (constant time)
        long selectG = (g4 >>> 63) - 1;
        long selectH = ~selectG;
        h0 = (h0 & selectH) | (g0 & selectG);
        h1 = (h1 & selectH) | (g1 & selectG);
        h2 = (h2 & selectH) | (g2 & selectG);
        h3 = (h3 & selectH) | (g3 & selectG);
        h4 = (h4 & selectH) | (g4 & selectG & M26);

        // h mod 2^128 as four 32-bit words
        long w0 = (h0 | (h1 << 26)) & M32;
        long w1 = ((h1 >>> 6) | (h2 << 20)) & M32;
        long w2 = ((h2 >>> 12) | (h3 << 14)) & M32;
        long w3 = ((h3 >>> 18) | (h4 << 8)) & M32;

        // tag = (h + s) mod 2^128
        long f = w0 + pad0;
        putLe32(out, offset, f);
        f = w1 + pad1 + (f >>> 32);
        putLe32(out, offset + 4, f);
        f = w2 + pad2 + (f >>> 32);
        putLe32(out, offset + 8, f);
        f = w3 + pad3 + (f >>> 32);
        putLe32(out, offset + 12, f);

        h0 = h1 = h2 = h3 = h4 = 0;
    }

    // h = (h + block + hibit * 2^128) * r mod 2^130 - 5, for the 16 bytes at m[offset]
    private void block(byte[] m, int offset, long hibit) {
        long a0 = h0 + (u32(m, offset) & M26);
        long a1 = h1 + ((u32(m, offset + 3) >>> 2) & M26);
        long a2 = h2 + ((u32(m, offset + 6) >>> 4) & M26);
        long a3 = h3 + ((u32(m, offset + 9) >>> 6) & M26);
        long a4 = h4 + ((u32(m, offset + 12) >>> 8) | hibit);

        long d0 = a0 * r0 + a1 * s4 + a2 * s3 + a3 * s2 + a4 * s1;
        long d1 = a0 * r1 + a1 * r0 + a2 * s4 + a3 * s3 + a4 * s2;
        long d2 = a0 * r2 + a1 * r1 + a2 * r0 + a3 * s4 + a4 * s3;
        long d3 = a0 * r3 + a1 * r2 + a2 * r1 + a3 * r0 + a4 * s4;
        long d4 = a0 * r4 + a1 * r3 + a2 * r2 + a3 * r1 + a4 * r0;

        long c = d0 >>> 26;
        a0 = d0 & M26;
        d1 += c; c = d1 >>> 26; a1 = d1 & M26;
        d2 += c; c = d2 >>> 26; a2 = d2 & M26;
        d3 += c; c = d3 >>> 26; a3 = d3 & M26;
        d4 += c; c = d4 >>> 26; a4 = d4 & M26;
        a0 += c * 5; c = a0 >>> 26; a0 &= M26;
        a1 += c;

        h0 = a0;
        h1 = a1;
        h2 = a2;
        h3 = a3;
        h4 = a4;
    }

    private static long u32(byte[] b, int off) {
        return ChaCha20.le32(b, off) & M32;
    }

    private static void putLe32(byte[] b, int off, long v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }
}
