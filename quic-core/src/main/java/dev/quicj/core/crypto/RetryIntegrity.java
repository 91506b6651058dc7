package dev.quicj.core.crypto;

import dev.quicj.core.QuicVersion;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Retry Integrity Tag (<a href="https://www.rfc-editor.org/rfc/rfc9001#section-5.8">RFC 9001 §5.8</a>,
 * <a href="https://www.rfc-editor.org/rfc/rfc9369#section-3.3.3">RFC 9369 §3.3.3</a>): the AES-128-GCM tag, under
 * the version's fixed key and nonce, of an empty plaintext whose associated data is the Retry Pseudo-Packet:
 *
 * <pre>
 * ODCID Length (8), Original Destination Connection ID (0..160), the Retry packet without its tag
 * </pre>
 *
 * <p>Every call builds its own JCA cipher (the fixed nonce means one cipher could never encrypt twice in a row), so
 * the methods are thread-safe but allocate; Retry packets are rare.
 */
public final class RetryIntegrity {
    /** The length of the Retry Integrity Tag. */
    public static final int TAG_LENGTH = 16;

    private RetryIntegrity() {
    }

    /**
     * Computes the tag of a Retry packet.
     *
     * @param originalDcid the Destination Connection ID of the client's Initial that the Retry answers, 0 to 20 bytes
     * @param retryWithoutTag the Retry packet from its first byte up to (not including) the tag, at
     *     {@code [offset, offset + length)}
     * @return the 16-byte tag
     * @throws CryptoException if the JDK's AES-GCM fails
     */
    public static byte[] tag(QuicVersion version, byte[] originalDcid, byte[] retryWithoutTag, int offset, int length)
            throws CryptoException {
        Objects.checkFromIndexSize(offset, length, retryWithoutTag.length);
        return computeTag(version, pseudoPacket(originalDcid, retryWithoutTag, offset, length));
    }

    /**
     * Computes the tag of a Retry packet held at {@code [offset, offset + length)} of a buffer (absolute indexes,
     * checked against the limit; the position and limit do not move).
     */
    public static byte[] tag(QuicVersion version, byte[] originalDcid, ByteBuffer retryWithoutTag, int offset,
            int length) throws CryptoException {
        Objects.checkFromIndexSize(offset, length, retryWithoutTag.limit());
        byte[] packet = new byte[length];
        retryWithoutTag.get(offset, packet, 0, length);
        return tag(version, originalDcid, packet, 0, length);
    }

    /**
     * Checks the tag of a received Retry packet, which occupies {@code [offset, offset + length)} and ends with
     * the tag. Comparison is constant-time.
     *
     * @return whether the tag is right; {@code false} as well for a packet shorter than the tag
     * @throws CryptoException if the JDK's AES-GCM fails
     */
    public static boolean verify(QuicVersion version, byte[] originalDcid, byte[] retryPacket, int offset, int length)
            throws CryptoException {
        Objects.checkFromIndexSize(offset, length, retryPacket.length);
        if (length < TAG_LENGTH) {
            return false;
        }
        byte[] expected = tag(version, originalDcid, retryPacket, offset, length - TAG_LENGTH);
        byte[] received = new byte[TAG_LENGTH];
        System.arraycopy(retryPacket, offset + length - TAG_LENGTH, received, 0, TAG_LENGTH);
        return MessageDigest.isEqual(expected, received);
    }

    /**
     * Checks the tag of a received Retry packet held at {@code [offset, offset + length)} of a buffer (absolute
     * indexes, checked against the limit; the position and limit do not move).
     */
    public static boolean verify(QuicVersion version, byte[] originalDcid, ByteBuffer retryPacket, int offset,
            int length) throws CryptoException {
        Objects.checkFromIndexSize(offset, length, retryPacket.limit());
        byte[] packet = new byte[length];
        retryPacket.get(offset, packet, 0, length);
        return verify(version, originalDcid, packet, 0, length);
    }

    private static byte[] pseudoPacket(byte[] originalDcid, byte[] retry, int offset, int length) {
        Objects.requireNonNull(originalDcid, "originalDcid");
        if (originalDcid.length > InitialSecrets.MAX_CONNECTION_ID_LENGTH) {
            throw new IllegalArgumentException("connection ID longer than 20 bytes: " + originalDcid.length);
        }
        byte[] pseudo = new byte[1 + originalDcid.length + length];
        pseudo[0] = (byte) originalDcid.length;
        System.arraycopy(originalDcid, 0, pseudo, 1, originalDcid.length);
        System.arraycopy(retry, offset, pseudo, 1 + originalDcid.length, length);
        return pseudo;
    }

    private static byte[] computeTag(QuicVersion version, byte[] pseudoPacket) throws CryptoException {
        Objects.requireNonNull(version, "version");
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(version.retryKey(), "AES"),
                    new GCMParameterSpec(TAG_LENGTH * 8, version.retryNonce()));
            cipher.updateAAD(pseudoPacket);
            byte[] tag = cipher.doFinal();
            if (tag.length != TAG_LENGTH) {
                throw new CryptoException("AES-GCM produced a " + tag.length + "-byte Retry tag", null);
            }
            return tag;
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new CryptoException("Retry integrity tag failed: " + e, e);
        }
    }
}
