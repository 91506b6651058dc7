package dev.quicj.core.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AEAD_AES_128_GCM / AEAD_AES_256_GCM through the JCA {@code AES/GCM/NoPadding} cipher, which has CPU intrinsics.
 *
 * <p>One {@link Cipher} and one {@link SecretKeySpec} serve every packet. The JCA API forces a new
 * {@link GCMParameterSpec} per packet, and the JDK builds fresh GCM state on every {@code init}; that per-packet
 * allocation cannot be avoided through the JCA and is why this class sits behind {@link Aead}.
 *
 * <p>The JDK refuses to encrypt twice in a row with the same key and nonce ("Cannot reuse iv for GCM encryption"),
 * so sealing the same packet number twice in a row fails with a {@link CryptoException}; decrypting the same packet
 * twice is allowed.
 */
final class AesGcmAead implements Aead {
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";

    // the JCA GCM cipher, re-initialised for every packet
    private final Cipher cipher;
    // the AEAD key, kept so every init reuses the same key object and the provider's cached key schedule
    private final SecretKeySpec key;

    /**
     * @param key the 16- or 32-byte AES key; copied
     * @throws GeneralSecurityException if the JDK has no AES-GCM or refuses the key
     */
    AesGcmAead(byte[] key) throws GeneralSecurityException {
        if (key.length != 16 && key.length != 32) {
            throw new IllegalArgumentException("AES-GCM key must be 16 or 32 bytes, not " + key.length);
        }
        this.key = new SecretKeySpec(key, "AES");
        this.cipher = Cipher.getInstance(TRANSFORMATION);
        // Fail now rather than on the first packet if the provider rejects the key. A decrypt init does not count
        // towards the JDK's "same nonce twice in a row" check on encryption.
        cipher.init(Cipher.DECRYPT_MODE, this.key, new GCMParameterSpec(TAG_LENGTH * 8, new byte[12]));
    }

    @Override
    public void seal(byte[] nonce, byte[] buf, int aadOffset, int aadLength, int plaintextLength)
            throws CryptoException {
        int textOffset = aadOffset + aadLength;
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_LENGTH * 8, nonce));
            cipher.updateAAD(buf, aadOffset, aadLength);
            int written = cipher.doFinal(buf, textOffset, plaintextLength, buf, textOffset);
            if (written != plaintextLength + TAG_LENGTH) {
                throw new CryptoException("AES-GCM wrote " + written + " bytes instead of "
                        + (plaintextLength + TAG_LENGTH), null);
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new CryptoException("AES-GCM seal failed: " + e, e);
        }
    }

    @Override
    public int open(byte[] nonce, byte[] buf, int aadOffset, int aadLength, int ciphertextLength)
            throws CryptoException {
        int textOffset = aadOffset + aadLength;
        int written;
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_LENGTH * 8, nonce));
            cipher.updateAAD(buf, aadOffset, aadLength);
            written = cipher.doFinal(buf, textOffset, ciphertextLength, buf, textOffset);
        } catch (AEADBadTagException e) {
            throw CryptoException.stackless("packet does not authenticate");
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new CryptoException("AES-GCM open failed: " + e, e);
        }
        if (written != ciphertextLength - TAG_LENGTH) {
            throw new CryptoException("AES-GCM returned " + written + " bytes instead of "
                    + (ciphertextLength - TAG_LENGTH), null);
        }
        return written;
    }
}
