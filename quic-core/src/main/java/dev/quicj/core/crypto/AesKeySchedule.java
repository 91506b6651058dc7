package dev.quicj.core.crypto;

/**
 * The AES encryption key schedule (FIPS 197 §5.2): the round-key words {@code w[0 .. 4 * (rounds + 1))}, big-endian,
 * in the layout of the JDK's {@code AESCrypt.K} for encryption. Computed here because {@code AESCrypt.init} also
 * builds the decryption schedule through two-dimensional arrays, which costs more than a whole close packet.
 */
final class AesKeySchedule {
    private static final int[] SBOX = sbox();

    private AesKeySchedule() {
    }

    private static int[] sbox() {
        int[] s = new int[256];
        // multiplicative inverse in GF(2^8) by exponentiation tables with generator 3, then the affine map
        int[] exp = new int[256];
        int[] log = new int[256];
        int x = 1;
        for (int i = 0; i < 255; i++) {
            exp[i] = x;
            log[x] = i;
            x ^= (x << 1) ^ ((x & 0x80) != 0 ? 0x11b : 0);
            x &= 0xff;
        }
        for (int i = 0; i < 256; i++) {
            int inv = i == 0 ? 0 : exp[(255 - log[i]) % 255];
            int b = inv;
            int r = inv;
            for (int k = 0; k < 4; k++) {
                b = ((b << 1) | (b >>> 7)) & 0xff;
                r ^= b;
            }
            s[i] = r ^ 0x63;
        }
        return s;
    }

    /** {@code b} times x in GF(2^8): the next round constant. */
    private static int xtime(int b) {
        return (b << 1) ^ ((b & 0x80) != 0 ? 0x11b : 0);
    }

    private static int subWord(int t) {
        return SBOX[t >>> 24] << 24 | SBOX[(t >>> 16) & 0xff] << 16 | SBOX[(t >>> 8) & 0xff] << 8 | SBOX[t & 0xff];
    }

    /** The number of rounds for a 16-, 24- or 32-byte key. */
    static int rounds(int keyLength) {
        return keyLength / 4 + 6;
    }

    /** The expanded encryption key of a 16-, 24- or 32-byte AES key. */
    static int[] expand(byte[] key) {
        int[] w = new int[scheduleLength(key.length)];
        expandInto(key, w);
        return w;
    }

    /** The length in ints of the expanded key of a 16-, 24- or 32-byte AES key. */
    static int scheduleLength(int keyLength) {
        return 4 * (rounds(keyLength) + 1);
    }

    /**
     * {@link #expand} into {@code w}, which must be {@link #scheduleLength} ints long: re-keys an AES instance in
     * place.
     */
    static void expandInto(byte[] key, int[] w) {
        int nk = key.length / 4;
        int total = scheduleLength(key.length);
        if (w.length != total) {
            throw new IllegalArgumentException("a " + key.length + "-byte key expands to " + total + " words, not "
                    + w.length);
        }
        for (int i = 0; i < nk; i++) {
            w[i] = (key[4 * i] & 0xff) << 24 | (key[4 * i + 1] & 0xff) << 16 | (key[4 * i + 2] & 0xff) << 8
                    | (key[4 * i + 3] & 0xff);
        }
        if (nk == 4) {
            expand128(w);
            return;
        }
        int rcon = 1;
        // j = i mod nk, kept as a counter: an integer division per word costs more than the rest of the schedule
        for (int i = nk, j = 0; i < total; i++) {
            int t = w[i - 1];
            if (j == 0) {
                t = subWord(t << 8 | t >>> 24) ^ rcon << 24;
                rcon = xtime(rcon);
            } else if (nk > 6 && j == 4) {
                t = subWord(t);
            }
            w[i] = w[i - nk] ^ t;
            if (++j == nk) {
                j = 0;
            }
        }
    }

    /**
     * The AES-128 schedule from {@code w[0..4)}, one round key of four words per step (the key of every QUIC Initial
     * and of TLS_AES_128_GCM_SHA256): no word counter and no branch per word, about two thirds of the generic loop's
     * time (79 against 120 ns per key in a plain timing loop on this project's machine).
     */
    private static void expand128(int[] w) {
        int w0 = w[0];
        int w1 = w[1];
        int w2 = w[2];
        int w3 = w[3];
        int rcon = 1;
        for (int i = 4; i < 44; i += 4) {
            w0 ^= subWord(w3 << 8 | w3 >>> 24) ^ rcon << 24;
            w1 ^= w0;
            w2 ^= w1;
            w3 ^= w2;
            w[i] = w0;
            w[i + 1] = w1;
            w[i + 2] = w2;
            w[i + 3] = w3;
            rcon = xtime(rcon);
        }
    }
}
