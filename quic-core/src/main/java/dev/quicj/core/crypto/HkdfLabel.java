package dev.quicj.core.crypto;

import dev.quicj.core.QuicVersion;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * HKDF (<a href="https://www.rfc-editor.org/rfc/rfc5869">RFC 5869</a>) and the TLS 1.3 HKDF-Expand-Label
 * (<a href="https://www.rfc-editor.org/rfc/rfc8446#section-7.1">RFC 8446 §7.1</a>) that QUIC derives its keys with
 * (<a href="https://www.rfc-editor.org/rfc/rfc9001#section-5.1">RFC 9001 §5.1</a>). The hash is the one of the
 * cipher suite: SHA-384 for TLS_AES_256_GCM_SHA384, SHA-256 otherwise; Initial secrets always use SHA-256.
 *
 * <p>JDK 17 has no HKDF, so this uses BouncyCastle's {@link HKDFBytesGenerator}. Not for hot paths: every call
 * allocates.
 */
public final class HkdfLabel {
    /** The prefix TLS 1.3 puts in front of every HKDF-Expand-Label label. */
    public static final String TLS13_PREFIX = "tls13 ";

    private HkdfLabel() {
    }

    /**
     * HKDF-Extract with the hash of {@code suite}.
     *
     * @param salt the salt; {@code null} or empty means a string of hash-length zeros
     * @param ikm the input keying material
     * @return the pseudorandom key, {@link CipherSuite#hashLength()} bytes
     */
    public static byte[] extract(CipherSuite suite, byte[] salt, byte[] ikm) {
        Objects.requireNonNull(ikm, "ikm");
        if (suite.hashLength() == Sha256Hmac.HASH_LENGTH && (salt == null || salt.length <= 64)) {
            return Sha256Hmac.get().extract(salt, ikm);
        }
        return new HKDFBytesGenerator(digest(suite)).extractPRK(salt, ikm);
    }

    /** HKDF-Extract with SHA-256, the hash of Initial secrets (RFC 9001 §5.2). */
    public static byte[] extractSha256(byte[] salt, byte[] ikm) {
        return extract(CipherSuite.TLS_AES_128_GCM_SHA256, salt, ikm);
    }

    /**
     * HKDF-Expand-Label(secret, label, context, length) with the hash of {@code suite}.
     *
     * @param label the label without the {@code "tls13 "} prefix, which this method adds; ASCII, e.g.
     *     {@code "quic key"}
     * @param context the context; {@code null} means empty
     * @param length the output length, 1 to 255 times the hash length
     * @throws IllegalArgumentException if the label or context is longer than the HkdfLabel structure allows or
     *     {@code length} is out of range
     */
    public static byte[] expandLabel(CipherSuite suite, byte[] secret, String label, byte[] context, int length) {
        Objects.requireNonNull(secret, "secret");
        Digest digest = digest(suite);
        if (length < 1 || length > 255 * digest.getDigestSize()) {
            throw new IllegalArgumentException("HKDF-Expand output length out of range: " + length);
        }
        if (digest.getDigestSize() == Sha256Hmac.HASH_LENGTH && length <= Sha256Hmac.HASH_LENGTH
                && secret.length <= 64) {
            return Sha256Hmac.get().expand(secret, encodeLabel(label, context, length), length);
        }
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(digest);
        hkdf.init(HKDFParameters.skipExtractParameters(secret, encodeLabel(label, context, length)));
        byte[] out = new byte[length];
        hkdf.generateBytes(out, 0, length);
        return out;
    }

    /** HKDF-Expand-Label with SHA-256, the hash of Initial secrets (RFC 9001 §5.2). */
    public static byte[] expandLabelSha256(byte[] secret, String label, byte[] context, int length) {
        return expandLabel(CipherSuite.TLS_AES_128_GCM_SHA256, secret, label, context, length);
    }

    /**
     * The next traffic secret of a key update, {@code HKDF-Expand-Label(secret, prefix + "ku", "", hash length)}
     * with the version's label prefix ({@code "quic ku"} or {@code "quicv2 ku"};
     * <a href="https://www.rfc-editor.org/rfc/rfc9001#section-6.1">RFC 9001 §6.1</a>,
     * <a href="https://www.rfc-editor.org/rfc/rfc9369#section-3.3.2">RFC 9369 §3.3.2</a>).
     *
     * @throws IllegalArgumentException if the secret is not {@link CipherSuite#hashLength()} bytes
     */
    public static byte[] nextSecret(QuicVersion version, CipherSuite suite, byte[] secret) {
        PacketKeys.checkSecret(suite, secret);
        return expandLabel(suite, secret, version.labelPrefix() + "ku", null, suite.hashLength());
    }

    /**
     * The HkdfLabel structure that is the HKDF-Expand {@code info}: {@code uint16 length}, {@code opaque
     * label<7..255>} holding {@code "tls13 " + label}, {@code opaque context<0..255>}.
     *
     * @throws IllegalArgumentException if the label is not ASCII, or the label or context is too long
     */
    public static byte[] encodeLabel(String label, byte[] context, int length) {
        Objects.requireNonNull(label, "label");
        if (length < 0 || length > 0xffff) {
            throw new IllegalArgumentException("HkdfLabel length does not fit 16 bits: " + length);
        }
        for (int i = 0; i < label.length(); i++) {
            if (label.charAt(i) > 0x7f) {
                throw new IllegalArgumentException("HKDF label is not ASCII: " + label);
            }
        }
        byte[] fullLabel = (TLS13_PREFIX + label).getBytes(StandardCharsets.US_ASCII);
        if (fullLabel.length > 255) {
            throw new IllegalArgumentException("HKDF label longer than 255 bytes with its prefix: " + fullLabel.length);
        }
        int contextLength = context == null ? 0 : context.length;
        if (contextLength > 255) {
            throw new IllegalArgumentException("HKDF context longer than 255 bytes: " + contextLength);
        }
        byte[] info = new byte[2 + 1 + fullLabel.length + 1 + contextLength];
        info[0] = (byte) (length >>> 8);
        info[1] = (byte) length;
        info[2] = (byte) fullLabel.length;
        System.arraycopy(fullLabel, 0, info, 3, fullLabel.length);
        info[3 + fullLabel.length] = (byte) contextLength;
        if (contextLength > 0) {
            System.arraycopy(context, 0, info, 4 + fullLabel.length, contextLength);
        }
        return info;
    }

    private static Digest digest(CipherSuite suite) {
        Objects.requireNonNull(suite, "suite");
        return suite.hashLength() == 48 ? new SHA384Digest() : new SHA256Digest();
    }
}
