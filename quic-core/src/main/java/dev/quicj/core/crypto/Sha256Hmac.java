package dev.quicj.core.crypto;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * HMAC-SHA256 (<a href="https://www.rfc-editor.org/rfc/rfc2104">RFC 2104</a>) and the one-block HKDF of
 * <a href="https://www.rfc-editor.org/rfc/rfc5869">RFC 5869</a> on the JDK's {@code MessageDigest} SHA-256, whose
 * compression function is a HotSpot intrinsic (SHA-NI or AVX2): several times faster than a pure-Java SHA-256 on the
 * key-derivation paths (every Initial key set, every stateless close). One instance per thread, reused.
 */
final class Sha256Hmac {
    static final int HASH_LENGTH = 32;
    private static final int BLOCK = 64;
    private static final ThreadLocal<Sha256Hmac> LOCAL = ThreadLocal.withInitial(Sha256Hmac::new);

    // the digest, reset by every digest() call
    private final MessageDigest md;
    // the key XOR ipad / opad, one block
    private final byte[] pad = new byte[BLOCK];
    // the inner hash, and the last HMAC output
    private final byte[] inner = new byte[HASH_LENGTH];
    private final byte[] out = new byte[HASH_LENGTH];
    // the HKDF-Expand counter byte of T(1)
    private final byte[] one = {1};

    private Sha256Hmac() {
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JDK", e);
        }
    }

    /** This thread's instance. */
    static Sha256Hmac get() {
        return LOCAL.get();
    }

    /**
     * HMAC(key, m1 || m2) into {@code dest[destOffset, destOffset + 32)}.
     *
     * @param m2 may be null
     * @throws IllegalArgumentException if the key is longer than a SHA-256 block (64 bytes)
     */
    void mac(byte[] key, byte[] m1, byte[] m2, byte[] dest, int destOffset) {
        try {
            keyPad(key, 0x36);
            md.update(pad);
            md.update(m1);
            if (m2 != null) {
                md.update(m2);
            }
            md.digest(inner, 0, HASH_LENGTH);
            keyPad(key, 0x5c);
            md.update(pad);
            md.update(inner);
            md.digest(dest, destOffset, HASH_LENGTH);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-256 failed", e);
        } finally {
            Arrays.fill(pad, (byte) 0);
            Arrays.fill(inner, (byte) 0);
        }
    }

    private void keyPad(byte[] key, int value) {
        if (key.length > BLOCK) {
            throw new IllegalArgumentException("HMAC key longer than a block: " + key.length);
        }
        for (int i = 0; i < key.length; i++) {
            pad[i] = (byte) (key[i] ^ value);
        }
        for (int i = key.length; i < BLOCK; i++) {
            pad[i] = (byte) value;
        }
    }

    /** HKDF-Extract(salt, ikm) = HMAC(salt, ikm); a null salt is 32 zero bytes. */
    byte[] extract(byte[] salt, byte[] ikm) {
        byte[] prk = new byte[HASH_LENGTH];
        mac(salt == null ? new byte[HASH_LENGTH] : salt, ikm, null, prk, 0);
        return prk;
    }

    /** HKDF-Expand(prk, info, length) for {@code length <= 32}: the first bytes of T(1) = HMAC(prk, info || 0x01). */
    byte[] expand(byte[] prk, byte[] info, int length) {
        if (length > HASH_LENGTH) {
            throw new IllegalArgumentException("one-block HKDF-Expand only: " + length);
        }
        mac(prk, info, one, out, 0);
        byte[] r = Arrays.copyOf(out, length);
        Arrays.fill(out, (byte) 0);
        return r;
    }

    /** {@link #expand} of one key with several infos. */
    byte[][] expandAll(byte[] prk, byte[][] infos, int[] lengths) {
        byte[][] r = new byte[infos.length][];
        for (int i = 0; i < infos.length; i++) {
            r[i] = expand(prk, infos[i], lengths[i]);
        }
        return r;
    }
}
