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

    /**
     * A cipher or provider that broke its contract: it threw an unchecked exception, or handed back no protection.
     * The project's own ciphers never do; a custom {@link CryptoProvider} might, and its failure must still reach the
     * caller as the typed CALLBACK_FAILURE outcome instead of escaping through the connection half-updated.
     *
     * @param operation what was being done, for the message ("seal", "open", "header protection", ...)
     * @param cause the unchecked exception, or null when the provider returned null
     */
    public static CryptoException contractViolation(String operation, RuntimeException cause) {
        String message = cause == null ? operation + ": the crypto provider returned no packet protection"
                : operation + " threw " + cause;
        return new CryptoException(message, cause);
    }

    /**
     * {@code protection}, or a {@link #contractViolation} if a provider handed back null.
     *
     * @throws CryptoException if {@code protection} is null
     */
    public static PacketProtection requireProtection(PacketProtection protection, String operation)
            throws CryptoException {
        if (protection == null) {
            throw contractViolation(operation, null);
        }
        return protection;
    }

    /** A stackless failure, for authentication failures of received packets (junk must be cheap to reject). */
    public static CryptoException stackless(String message) {
        return new CryptoException(message, false);
    }
}
