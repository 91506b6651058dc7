package dev.quicj.core.crypto;

import dev.quicj.core.QuicVersion;
import java.util.Arrays;
import java.util.Objects;

/**
 * The packet protection key, IV and header-protection key derived from one traffic secret
 * (<a href="https://www.rfc-editor.org/rfc/rfc9001#section-5.1">RFC 9001 §5.1</a>) with the version's labels
 * ({@code "quic key"}, {@code "quic iv"}, {@code "quic hp"}, or the {@code "quicv2 "} forms of
 * <a href="https://www.rfc-editor.org/rfc/rfc9369#section-3.3.2">RFC 9369 §3.3.2</a>).
 */
final class PacketKeys {
    // the AEAD key, CipherSuite.keyLength() bytes
    final byte[] key;
    // the AEAD IV, 12 bytes, XORed with the packet number to form each nonce
    final byte[] iv;
    // the header-protection key, CipherSuite.keyLength() bytes
    final byte[] hp;

    // the HKDF-Expand infos (HkdfLabel structures) of the key, IV and header-protection key, by version and suite,
    // and their lengths by suite: encoded once, read only
    private static final byte[][][][] INFOS = new byte[QuicVersion.values().length][CipherSuite.values().length][][];
    private static final int[][] LENGTHS = new int[CipherSuite.values().length][];

    static {
        for (CipherSuite suite : CipherSuite.values()) {
            LENGTHS[suite.ordinal()] = new int[] {suite.keyLength(), suite.ivLength(), suite.keyLength()};
            for (QuicVersion version : QuicVersion.values()) {
                String prefix = version.labelPrefix();
                INFOS[version.ordinal()][suite.ordinal()] = new byte[][] {
                    HkdfLabel.encodeLabel(prefix + "key", null, suite.keyLength()),
                    HkdfLabel.encodeLabel(prefix + "iv", null, suite.ivLength()),
                    HkdfLabel.encodeLabel(prefix + "hp", null, suite.keyLength())};
            }
        }
    }

    private PacketKeys(byte[] key, byte[] iv, byte[] hp) {
        this.key = key;
        this.iv = iv;
        this.hp = hp;
    }

    /**
     * Derives the keys of {@code secret}.
     *
     * @throws IllegalArgumentException if the secret is not {@link CipherSuite#hashLength()} bytes
     */
    static PacketKeys derive(QuicVersion version, CipherSuite suite, byte[] secret) {
        Objects.requireNonNull(version, "version");
        checkSecret(suite, secret);
        String prefix = version.labelPrefix();
        if (isSha256(suite, secret)) {
            PacketKeys k = new PacketKeys(new byte[suite.keyLength()], new byte[suite.ivLength()],
                    new byte[suite.keyLength()]);
            deriveInto(version, suite, secret, k.key, k.iv, k.hp);
            return k;
        }
        return new PacketKeys(
                HkdfLabel.expandLabel(suite, secret, prefix + "key", null, suite.keyLength()),
                HkdfLabel.expandLabel(suite, secret, prefix + "iv", null, suite.ivLength()),
                HkdfLabel.expandLabel(suite, secret, prefix + "hp", null, suite.keyLength()));
    }

    /**
     * Derives the keys of {@code secret} into the caller's arrays, which must have the suite's key, IV and key lengths;
     * allocates nothing for SHA-256 suites.
     *
     * @throws IllegalArgumentException if the secret or an array has the wrong length
     */
    static void deriveInto(QuicVersion version, CipherSuite suite, byte[] secret, byte[] key, byte[] iv, byte[] hp) {
        Objects.requireNonNull(version, "version");
        checkSecret(suite, secret);
        int[] lengths = LENGTHS[suite.ordinal()];
        if (key.length != lengths[0] || iv.length != lengths[1] || hp.length != lengths[2]) {
            throw new IllegalArgumentException("key, IV and hp arrays of " + key.length + ", " + iv.length + " and "
                    + hp.length + " bytes for " + suite);
        }
        if (isSha256(suite, secret)) {
            Sha256Hmac.get().expandInto(secret, INFOS[version.ordinal()][suite.ordinal()], key, iv, hp);
            return;
        }
        PacketKeys k = derive(version, suite, secret);
        try {
            System.arraycopy(k.key, 0, key, 0, key.length);
            System.arraycopy(k.iv, 0, iv, 0, iv.length);
            System.arraycopy(k.hp, 0, hp, 0, hp.length);
        } finally {
            k.wipe();
        }
    }

    // whether Sha256Hmac derives these keys (a SHA-256 suite; its secret fits one HMAC block), else HkdfLabel does
    private static boolean isSha256(CipherSuite suite, byte[] secret) {
        return suite.hashLength() == Sha256Hmac.HASH_LENGTH && secret.length <= 64;
    }

    /** Overwrites the key material with zeros. */
    void wipe() {
        Arrays.fill(key, (byte) 0);
        Arrays.fill(iv, (byte) 0);
        Arrays.fill(hp, (byte) 0);
    }

    /** @throws IllegalArgumentException if {@code secret} is not {@link CipherSuite#hashLength()} bytes */
    static void checkSecret(CipherSuite suite, byte[] secret) {
        Objects.requireNonNull(suite, "suite").checkSecret(secret);
    }
}
