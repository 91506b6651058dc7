package dev.quicj.core.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-based header protection (<a href="https://www.rfc-editor.org/rfc/rfc9001#section-5.4.3">RFC 9001
 * §5.4.3</a>): {@code mask = AES-ECB(hp_key, sample)}, of which the first 5 bytes are used. The JCA
 * {@code AES/ECB/NoPadding} cipher is initialised once; each mask is one {@code update} of one block.
 */
final class AesHeaderProtector implements HeaderProtector {
    // AES-ECB keyed with the header-protection key, initialised once for encryption
    private final Cipher cipher;
    // or the JDK's AES block intrinsic driven directly (no JCA lookup at set-up, no JCA layers per mask)
    private final Object aes;
    // the encrypted sample; only its first 5 bytes leave this class
    private final byte[] block = new byte[16];

    /**
     * @param hpKey the 16- or 32-byte header-protection key; copied
     * @throws GeneralSecurityException if the JDK has no AES-ECB or refuses the key
     */
    AesHeaderProtector(byte[] hpKey) throws GeneralSecurityException {
        if (hpKey.length != 16 && hpKey.length != 32) {
            throw new IllegalArgumentException("AES header-protection key must be 16 or 32 bytes, not " + hpKey.length);
        }
        if (JdkGcmPrimitives.AVAILABLE) {
            try {
                aes = JdkGcmPrimitives.newAes(hpKey);
            } catch (Throwable t) {
                throw new GeneralSecurityException("cannot key the JDK AES block cipher: " + t, t);
            }
            cipher = null;
            return;
        }
        aes = null;
        cipher = Cipher.getInstance("AES/ECB/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(hpKey, "AES"));
    }

    /** Whether {@link #rekey} works on this instance: it drives the JDK's AES block directly. */
    boolean rekeyable() {
        return aes != null;
    }

    /**
     * Re-keys this instance in place (no allocation) with a key of the same length; only when {@link #rekeyable()}.
     * On a failure the instance must be discarded.
     */
    void rekey(byte[] hpKey) throws CryptoException {
        if (aes == null) {
            throw new IllegalStateException("a JCA AES-ECB header protector is not re-keyed in place");
        }
        try {
            JdkGcmPrimitives.rekeyAes(aes, hpKey);
        } catch (RuntimeException e) {
            throw new CryptoException("AES header-protection re-key failed: " + e, e);
        }
    }

    @Override
    public void mask(byte[] sample, int offset, byte[] mask) throws CryptoException {
        if (aes != null) {
            try {
                JdkGcmPrimitives.AES_ENCRYPT_BLOCK.invokeExact(aes, sample, offset, block, 0);
            } catch (Throwable t) {
                throw new CryptoException("AES header protection failed: " + t, t);
            }
            System.arraycopy(block, 0, mask, 0, PacketProtection.MASK_LENGTH);
            return;
        }
        try {
            int n = cipher.update(sample, offset, PacketProtection.SAMPLE_LENGTH, block, 0);
            if (n != block.length) {
                throw new CryptoException("AES-ECB produced " + n + " bytes instead of 16", null);
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new CryptoException("AES header protection failed: " + e, e);
        }
        System.arraycopy(block, 0, mask, 0, PacketProtection.MASK_LENGTH);
    }
}
