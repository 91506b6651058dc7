package dev.quicj.core.crypto;

/**
 * Packet protection failed: a cipher refused to seal (ngtcp2's {@code NGTCP2_ERR_CALLBACK_FAILURE}), or a packet did
 * not authenticate on open. On the write path the connection reports this as the CALLBACK_FAILURE outcome; on the
 * receive path the packet is dropped as undecryptable.
 */
public final class CryptoException extends Exception {
    private static final long serialVersionUID = 1L;

    /** A failure with a stack trace and a cause. */
    public CryptoException(String message, Throwable cause) {
        super(message, cause);
    }

    private CryptoException(String message, boolean stackTrace) {
        super(message, null, false, stackTrace);
    }

    /** A stackless failure, for authentication failures of received packets (junk must be cheap to reject). */
    public static CryptoException stackless(String message) {
        return new CryptoException(message, false);
    }
}
