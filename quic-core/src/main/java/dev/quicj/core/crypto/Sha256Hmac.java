package dev.quicj.core.crypto;

import dev.quicj.core.Hex;
import dev.quicj.core.QuicVersion;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * HMAC-SHA256 (<a href="https://www.rfc-editor.org/rfc/rfc2104">RFC 2104</a>) and the one-block HKDF of
 * <a href="https://www.rfc-editor.org/rfc/rfc5869">RFC 5869</a> on the JDK's SHA-256 compression function, a
 * HotSpot intrinsic (SHA-NI or AVX2): several times faster than a pure-Java SHA-256 on the key-derivation paths
 * (every Initial key set, every stateless close). One instance per thread, reused.
 *
 * <p>Two engines, chosen once per JVM: with {@link JdkSha256Primitives} (the JVM opens
 * {@code sun.security.provider}) the key's ipad and opad blocks are hashed once per key, so each HMAC with that key
 * costs two compressions, and the QUIC versions' Initial salts are hashed once per thread; otherwise every HMAC goes
 * through {@code MessageDigest} (four compressions plus the digest's own resets). Keys and intermediate states are
 * wiped after each call.
 */
final class Sha256Hmac {
    static final int HASH_LENGTH = 32;
    private static final int BLOCK = 64;
    private static final int[] INITIAL_HASH = {
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    // the HKDF-Expand counter byte of T(1)
    private static final byte[] ONE = {1};
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final ThreadLocal<Sha256Hmac> LOCAL =
            ThreadLocal.withInitial(() -> new Sha256Hmac(JdkSha256Primitives.AVAILABLE));

    // the direct engine, or null for MessageDigest
    private final JdkSha256Primitives.Compressor compressor;
    private final MessageDigest md;

    // MessageDigest engine: the current key's ipad and opad blocks
    private final byte[] ipadBlock;
    private final byte[] opadBlock;
    // direct engine: the chaining states after the current key's ipad and opad blocks
    private final int[] ipadState = new int[8];
    private final int[] opadState = new int[8];
    // direct engine: the working chaining state, and the block being filled
    private final int[] state = new int[8];
    private final byte[] block = new byte[BLOCK];
    // direct engine: the outer hash's only block, inner hash || 0x80 || zeros || bit length of 64 + 32 bytes; the
    // tail is written once, so each outer hash only writes the inner hash into the first 32 bytes
    private final byte[] outerBlock = new byte[BLOCK];
    // MessageDigest engine: the inner hash
    private final byte[] inner = new byte[HASH_LENGTH];
    // T(1) of the expand-into methods, wiped after each call
    private final byte[] expandBlock = new byte[HASH_LENGTH];
    // direct engine: the ipad / opad states of each version's Initial salt (public values), made on first use
    private final int[][] saltStates = new int[QuicVersion.values().length * 2][];

    /**
     * @param direct the JDK compression function (which must be {@link JdkSha256Primitives#AVAILABLE}), or
     *     MessageDigest
     */
    Sha256Hmac(boolean direct) {
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JDK", e);
        }
        compressor = direct ? new JdkSha256Primitives.Compressor() : null;
        ipadBlock = direct ? null : new byte[BLOCK];
        opadBlock = direct ? null : new byte[BLOCK];
        outerBlock[HASH_LENGTH] = (byte) 0x80;
        long bits = (BLOCK + HASH_LENGTH) * 8L;
        outerBlock[BLOCK - 2] = (byte) (bits >>> 8);
        outerBlock[BLOCK - 1] = (byte) bits;
    }

    /** This thread's instance. */
    static Sha256Hmac get() {
        return LOCAL.get();
    }

    /** Which engine {@link #get()} uses: {@code "jdk-intrinsics"} or {@code "message-digest (reason)"}. */
    static String implementation() {
        return JdkSha256Primitives.AVAILABLE ? "jdk-intrinsics"
                : "message-digest (" + JdkSha256Primitives.UNAVAILABLE_REASON + ")";
    }

    /**
     * HMAC(key, m1 || m2) into {@code dest[destOffset, destOffset + 32)}.
     *
     * @param m2 may be null
     * @throws IllegalArgumentException if the key is longer than a SHA-256 block (64 bytes)
     */
    void mac(byte[] key, byte[] m1, byte[] m2, byte[] dest, int destOffset) {
        try {
            setKey(key);
            macWithKey(m1, 0, m1.length, m2, dest, destOffset);
        } finally {
            wipe();
        }
    }

    /** HKDF-Extract(salt, ikm) = HMAC(salt, ikm); a null salt is 32 zero bytes. */
    byte[] extract(byte[] salt, byte[] ikm) {
        byte[] prk = new byte[HASH_LENGTH];
        mac(salt == null ? new byte[HASH_LENGTH] : salt, ikm, null, prk, 0);
        return prk;
    }

    /**
     * {@code initial_secret = HKDF-Extract(initial_salt, dcid)} of {@code version} (RFC 9001 §5.2, RFC 9369
     * §3.3.1), the salt's HMAC key states made once per thread.
     */
    byte[] extractInitial(QuicVersion version, byte[] dcid) {
        byte[] prk = new byte[HASH_LENGTH];
        extractInitialInto(version, dcid, 0, dcid.length, prk);
        return prk;
    }

    /**
     * {@link #extractInitial} of {@code dcid[offset, offset + length)} into {@code prk[0, 32)}, allocating nothing
     * once this thread has made the version's salt states.
     */
    void extractInitialInto(QuicVersion version, byte[] dcid, int offset, int length, byte[] prk) {
        java.util.Objects.checkFromIndexSize(offset, length, dcid.length);
        if (compressor == null) {
            try {
                setKey(version.initialSalt());
                macWithKey(dcid, offset, length, null, prk, 0);
            } finally {
                wipe();
            }
            return;
        }
        int i = version.ordinal() * 2;
        if (saltStates[i] == null) {
            try {
                setKey(version.initialSalt());
                saltStates[i] = ipadState.clone();
                saltStates[i + 1] = opadState.clone();
            } finally {
                wipe();
            }
        }
        try {
            System.arraycopy(saltStates[i], 0, ipadState, 0, 8);
            System.arraycopy(saltStates[i + 1], 0, opadState, 0, 8);
            macWithKey(dcid, offset, length, null, prk, 0);
        } finally {
            wipe();
        }
    }

    /** HKDF-Expand(prk, info, length) for {@code length <= 32}: the first bytes of T(1) = HMAC(prk, info || 0x01). */
    byte[] expand(byte[] prk, byte[] info, int length) {
        return expandAll(prk, new byte[][] {info}, new int[] {length})[0];
    }

    /** {@link #expand} of one key with several infos: the key is set up once. */
    byte[][] expandAll(byte[] prk, byte[][] infos, int[] lengths) {
        for (int length : lengths) {
            if (length > HASH_LENGTH) {
                throw new IllegalArgumentException("one-block HKDF-Expand only: " + length);
            }
        }
        byte[][] r = new byte[infos.length][];
        byte[] t = new byte[HASH_LENGTH];
        try {
            setKey(prk);
            for (int i = 0; i < infos.length; i++) {
                macWithKey(infos[i], 0, infos[i].length, ONE, t, 0);
                r[i] = Arrays.copyOf(t, lengths[i]);
            }
        } finally {
            wipe();
            Arrays.fill(t, (byte) 0);
        }
        return r;
    }

    /**
     * {@link #expandAll} into the caller's arrays, allocating nothing: {@code out0} gets the first
     * {@code out0.length} bytes of T(1) of {@code infos[0]}, and so on; a null array (and every one after it) has no
     * info to expand.
     *
     * @throws IllegalArgumentException if an array is longer than 32 bytes, or there are more arrays than infos
     */
    void expandInto(byte[] prk, byte[][] infos, byte[] out0, byte[] out1, byte[] out2) {
        int n = out0 == null ? 0 : out1 == null ? 1 : out2 == null ? 2 : 3;
        if (n > infos.length) {
            throw new IllegalArgumentException(n + " outputs for " + infos.length + " infos");
        }
        checkExpandLength(out0);
        checkExpandLength(out1);
        checkExpandLength(out2);
        try {
            setKey(prk);
            if (n > 0) {
                expandOne(infos[0], out0);
            }
            if (n > 1) {
                expandOne(infos[1], out1);
            }
            if (n > 2) {
                expandOne(infos[2], out2);
            }
        } finally {
            wipe();
            zero(expandBlock, 0, HASH_LENGTH);
        }
    }

    private static void checkExpandLength(byte[] out) {
        if (out != null && out.length > HASH_LENGTH) {
            throw new IllegalArgumentException("one-block HKDF-Expand only: " + out.length);
        }
    }

    private void expandOne(byte[] info, byte[] out) {
        if (out != null) {
            macWithKey(info, 0, info.length, ONE, expandBlock, 0);
            System.arraycopy(expandBlock, 0, out, 0, out.length);
        }
    }

    private void setKey(byte[] key) {
        if (key.length > BLOCK) {
            throw new IllegalArgumentException("HMAC key longer than a block: " + key.length);
        }
        if (compressor == null) {
            padKey(key, 0x36, ipadBlock);
            padKey(key, 0x5c, opadBlock);
            return;
        }
        padKey(key, 0x36, block);
        System.arraycopy(INITIAL_HASH, 0, ipadState, 0, 8);
        compressor.compress(ipadState, block, 0);
        padKey(key, 0x5c, block);
        System.arraycopy(INITIAL_HASH, 0, opadState, 0, 8);
        compressor.compress(opadState, block, 0);
    }

    /** {@code dest = (key || zeros) XOR pad}, one block. */
    private static void padKey(byte[] key, int pad, byte[] dest) {
        int n = key.length;
        for (int i = 0; i < n; i++) {
            dest[i] = (byte) (key[i] ^ pad);
        }
        for (int i = n; i < BLOCK; i++) {
            dest[i] = (byte) pad;
        }
    }

    private void macWithKey(byte[] m1, int offset1, int length1, byte[] m2, byte[] dest, int destOffset) {
        if (compressor != null) {
            // inner hash, written straight into the outer block; then the outer block on the opad state
            System.arraycopy(ipadState, 0, state, 0, 8);
            innerHash(m1, offset1, length1, m2);
            putState(outerBlock, 0);
            System.arraycopy(opadState, 0, state, 0, 8);
            compressor.compress(state, outerBlock, 0);
            putState(dest, destOffset);
            return;
        }
        try {
            md.update(ipadBlock);
            md.update(m1, offset1, length1);
            if (m2 != null) {
                md.update(m2);
            }
            md.digest(inner, 0, HASH_LENGTH);
            md.update(opadBlock);
            md.update(inner);
            md.digest(dest, destOffset, HASH_LENGTH);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-256 failed", e);
        }
    }

    /**
     * Hashes {@code m1[offset1, offset1 + length1) || m2} on from {@link #state}, which covers the one ipad block,
     * with the SHA-256 padding: the inner hash is then in {@link #state}.
     */
    private void innerHash(byte[] m1, int offset1, int length1, byte[] m2) {
        int n = absorb(m1, offset1, length1, 0);
        long total = BLOCK + length1;
        if (m2 != null) {
            n = absorb(m2, 0, m2.length, n);
            total += m2.length;
        }
        block[n++] = (byte) 0x80;
        if (n > BLOCK - 8) {
            zero(block, n, BLOCK);
            compressor.compress(state, block, 0);
            n = 0;
        }
        zero(block, n, BLOCK - 8);
        long bits = total << 3;
        for (int i = 0; i < 8; i++) {
            block[BLOCK - 1 - i] = (byte) (bits >>> (8 * i));
        }
        compressor.compress(state, block, 0);
    }

    /** Writes {@link #state} big-endian to {@code dest[offset, offset + 32)}. */
    private void putState(byte[] dest, int offset) {
        for (int i = 0; i < 8; i++) {
            INT_BE.set(dest, offset + 4 * i, state[i]);
        }
    }

    /**
     * Appends {@code m[offset, offset + length)} to {@link #block}, which holds {@code n} bytes, compressing each full
     * block.
     */
    private int absorb(byte[] m, int offset, int length, int n) {
        int i = offset;
        int end = offset + length;
        while (i < end) {
            int take = Math.min(BLOCK - n, end - i);
            System.arraycopy(m, i, block, n, take);
            n += take;
            i += take;
            if (n == BLOCK) {
                compressor.compress(state, block, 0);
                n = 0;
            }
        }
        return n;
    }

    // a plain loop: Arrays.fill costs ~20 ns per call on these short ranges, which added up to a third of a key set
    private static void zero(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            a[i] = 0;
        }
    }

    /** Overwrites the key material and the intermediate states (once per call, not per HMAC). */
    private void wipe() {
        if (compressor == null) {
            zero(ipadBlock, 0, BLOCK);
            zero(opadBlock, 0, BLOCK);
            zero(inner, 0, HASH_LENGTH);
            return;
        }
        for (int i = 0; i < 8; i++) {
            ipadState[i] = 0;
            opadState[i] = 0;
            state[i] = 0;
        }
        zero(block, 0, BLOCK);
        zero(outerBlock, 0, HASH_LENGTH);
        compressor.wipe();
    }

    /**
     * The known-answer test of the direct engine: RFC 4231 test cases 1 and 2, then HMACs of random keys (0 to 64
     * bytes) and messages (0 to 300 bytes, across every padding boundary) and the Initial-salt extract, against
     * {@code MessageDigest}.
     *
     * @return null when the direct engine gives HMAC-SHA256, else what failed
     */
    static String selfTest() {
        try {
            Sha256Hmac direct = new Sha256Hmac(true);
            Sha256Hmac reference = new Sha256Hmac(false);
            byte[] out = new byte[HASH_LENGTH];
            byte[] key1 = new byte[20];
            Arrays.fill(key1, (byte) 0x0b);
            direct.mac(key1, "Hi There".getBytes(StandardCharsets.US_ASCII), null, out, 0);
            if (!Arrays.equals(out, Hex.decode(
                    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"))) {
                return "known-answer test failed: RFC 4231 test case 1";
            }
            direct.mac("Jefe".getBytes(StandardCharsets.US_ASCII),
                    "what do ya want ".getBytes(StandardCharsets.US_ASCII),
                    "for nothing?".getBytes(StandardCharsets.US_ASCII), out, 0);
            if (!Arrays.equals(out, Hex.decode(
                    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"))) {
                return "known-answer test failed: RFC 4231 test case 2";
            }
            SplittableRandom random = new SplittableRandom(0x5eedL);
            byte[] expected = new byte[HASH_LENGTH];
            for (int i = 0; i < 200; i++) {
                byte[] key = new byte[random.nextInt(0, BLOCK + 1)];
                byte[] m1 = new byte[i < 130 ? i : random.nextInt(0, 300)];
                byte[] m2 = random.nextBoolean() ? null : new byte[random.nextInt(0, 70)];
                random.nextBytes(key);
                random.nextBytes(m1);
                if (m2 != null) {
                    random.nextBytes(m2);
                }
                direct.mac(key, m1, m2, out, 0);
                reference.mac(key, m1, m2, expected, 0);
                if (!Arrays.equals(out, expected)) {
                    return "known-answer test failed: HMAC of a " + key.length + "-byte key and a "
                            + (m1.length + (m2 == null ? 0 : m2.length)) + "-byte message";
                }
            }
            for (QuicVersion v : QuicVersion.values()) {
                byte[] dcid = new byte[8];
                random.nextBytes(dcid);
                // twice: the salt states are made by the first call and reused by the second
                for (int i = 0; i < 2; i++) {
                    if (!Arrays.equals(direct.extractInitial(v, dcid), reference.extract(v.initialSalt(), dcid))) {
                        return "known-answer test failed: the " + v + " initial secret";
                    }
                }
            }
            return null;
        } catch (RuntimeException | Error e) {
            return "known-answer test failed: " + e;
        }
    }
}
