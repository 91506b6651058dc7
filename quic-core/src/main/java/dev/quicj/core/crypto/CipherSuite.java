package dev.quicj.core.crypto;

/**
 * The TLS 1.3 cipher suites QUIC packet protection is defined for
 * (<a href="https://www.rfc-editor.org/rfc/rfc9001#section-5.3">RFC 9001 §5.3</a>).
 * Each fixes the AEAD, its key length, the header-protection cipher and the HKDF hash.
 */
public enum CipherSuite {
    /** TLS_AES_128_GCM_SHA256 (0x1301): AES-128-GCM, AES-128 header protection, SHA-256. */
    TLS_AES_128_GCM_SHA256(0x1301, 16, 32),
    /** TLS_AES_256_GCM_SHA384 (0x1302): AES-256-GCM, AES-256 header protection, SHA-384. */
    TLS_AES_256_GCM_SHA384(0x1302, 32, 48),
    /** TLS_CHACHA20_POLY1305_SHA256 (0x1303): ChaCha20-Poly1305, ChaCha20 header protection, SHA-256. */
    TLS_CHACHA20_POLY1305_SHA256(0x1303, 32, 32);

    private final int code;
    private final int keyLength;
    private final int hashLength;

    CipherSuite(int code, int keyLength, int hashLength) {
        this.code = code;
        this.keyLength = keyLength;
        this.hashLength = hashLength;
    }

    /** The TLS cipher suite code point. */
    public int code() {
        return code;
    }

    /** Length in bytes of the AEAD key and of the header-protection key. */
    public int keyLength() {
        return keyLength;
    }

    /** Length in bytes of the HKDF hash output, which is also the length of a traffic secret. */
    public int hashLength() {
        return hashLength;
    }

    /**
     * Checks that {@code secret} can be a traffic secret of this suite.
     *
     * @throws IllegalArgumentException if it is not {@link #hashLength()} bytes
     */
    public void checkSecret(byte[] secret) {
        java.util.Objects.requireNonNull(secret, "secret");
        if (secret.length != hashLength) {
            throw new IllegalArgumentException(this + " needs a " + hashLength + "-byte secret, not " + secret.length
                    + " bytes");
        }
    }

    /** Length in bytes of the AEAD nonce (the "iv"). */
    public int ivLength() {
        return 12;
    }

    /** Length in bytes of the AEAD authentication tag. */
    public int tagLength() {
        return 16;
    }

    /**
     * The confidentiality limit of this suite's AEAD (RFC 9001 §6.6): how many packets one set of keys may protect.
     * 2^23 for AES-128-GCM and AES-256-GCM; for ChaCha20-Poly1305 the limit "is greater than the number of possible
     * packets (2^62) and so can be disregarded", which this answers as {@link Long#MAX_VALUE}.
     */
    public long confidentialityLimit() {
        return this == TLS_CHACHA20_POLY1305_SHA256 ? Long.MAX_VALUE : 1L << 23;
    }

    /**
     * The integrity limit of this suite's AEAD (RFC 9001 §6.6): how many received packets may fail authentication
     * over a connection's life, across all keys, before it must close with AEAD_LIMIT_REACHED. 2^52 for AES-128-GCM
     * and AES-256-GCM, 2^36 for ChaCha20-Poly1305.
     */
    public long integrityLimit() {
        return this == TLS_CHACHA20_POLY1305_SHA256 ? 1L << 36 : 1L << 52;
    }

    /** The suite with the given TLS code point, or {@code null}. */
    public static CipherSuite fromCode(int code) {
        for (CipherSuite s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return null;
    }
}
