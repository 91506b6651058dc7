package dev.quicj.core;

/**
 * QUIC transport error codes (<a href="https://www.rfc-editor.org/rfc/rfc9000#section-20.1">RFC 9000 §20.1</a>).
 *
 * <p>Codes are 62-bit values held in a {@code long}. CRYPTO_ERROR is a range, {@code 0x0100 | alert}, computed by
 * {@link #cryptoError(int)} rather than tabled. Unknown codes are legal on the wire and are preserved everywhere;
 * {@link #name(long)} only names them.
 */
public final class TransportErrorCode {
    public static final long NO_ERROR = 0x00;
    public static final long INTERNAL_ERROR = 0x01;
    public static final long CONNECTION_REFUSED = 0x02;
    public static final long FLOW_CONTROL_ERROR = 0x03;
    public static final long STREAM_LIMIT_ERROR = 0x04;
    public static final long STREAM_STATE_ERROR = 0x05;
    public static final long FINAL_SIZE_ERROR = 0x06;
    public static final long FRAME_ENCODING_ERROR = 0x07;
    public static final long TRANSPORT_PARAMETER_ERROR = 0x08;
    public static final long CONNECTION_ID_LIMIT_ERROR = 0x09;
    public static final long PROTOCOL_VIOLATION = 0x0a;
    public static final long INVALID_TOKEN = 0x0b;
    public static final long APPLICATION_ERROR = 0x0c;
    public static final long CRYPTO_BUFFER_EXCEEDED = 0x0d;
    public static final long KEY_UPDATE_ERROR = 0x0e;
    public static final long AEAD_LIMIT_REACHED = 0x0f;
    public static final long NO_VIABLE_PATH = 0x10;
    /** VERSION_NEGOTIATION_ERROR, <a href="https://www.rfc-editor.org/rfc/rfc9368#section-10.2">RFC 9368</a>. */
    public static final long VERSION_NEGOTIATION_ERROR = 0x11;
    /** The first code of the CRYPTO_ERROR range, {@code 0x0100 | TLS alert}. */
    public static final long CRYPTO_ERROR_BASE = 0x0100;
    /** The last code of the CRYPTO_ERROR range. */
    public static final long CRYPTO_ERROR_MAX = 0x01ff;

    /** The largest value a QUIC variable-length integer can hold, {@code 2^62 - 1}. */
    public static final long MAX_CODE = (1L << 62) - 1;

    private static final String[] NAMES = {
        "NO_ERROR", "INTERNAL_ERROR", "CONNECTION_REFUSED", "FLOW_CONTROL_ERROR", "STREAM_LIMIT_ERROR",
        "STREAM_STATE_ERROR", "FINAL_SIZE_ERROR", "FRAME_ENCODING_ERROR", "TRANSPORT_PARAMETER_ERROR",
        "CONNECTION_ID_LIMIT_ERROR", "PROTOCOL_VIOLATION", "INVALID_TOKEN", "APPLICATION_ERROR",
        "CRYPTO_BUFFER_EXCEEDED", "KEY_UPDATE_ERROR", "AEAD_LIMIT_REACHED", "NO_VIABLE_PATH",
        "VERSION_NEGOTIATION_ERROR",
    };

    private TransportErrorCode() {
    }

    /**
     * The CRYPTO_ERROR code carrying a TLS alert: {@code 0x0100 | alert}.
     *
     * @throws IllegalArgumentException if {@code alert} is not in 0..255
     */
    public static long cryptoError(int alert) {
        if (alert < 0 || alert > 0xff) {
            throw new IllegalArgumentException("TLS alert out of range 0..255: " + alert);
        }
        return CRYPTO_ERROR_BASE | alert;
    }

    /** Whether {@code code} lies in the CRYPTO_ERROR range 0x0100..0x01ff (both bounds checked). */
    public static boolean isCryptoError(long code) {
        return code >= CRYPTO_ERROR_BASE && code <= CRYPTO_ERROR_MAX;
    }

    /**
     * The TLS alert inside a CRYPTO_ERROR code.
     *
     * @throws IllegalArgumentException if {@code code} is not a CRYPTO_ERROR code
     */
    public static int tlsAlert(long code) {
        if (!isCryptoError(code)) {
            throw new IllegalArgumentException("not a CRYPTO_ERROR code: 0x" + Long.toHexString(code));
        }
        return (int) (code - CRYPTO_ERROR_BASE);
    }

    /**
     * The RFC name of a transport error code: {@code "PROTOCOL_VIOLATION"}, {@code "CRYPTO_ERROR(40)"} for the crypto
     * range, or {@code "UNKNOWN(0x...)"} for codes no RFC assigns.
     */
    public static String name(long code) {
        if (code >= 0 && code < NAMES.length) {
            return NAMES[(int) code];
        }
        if (isCryptoError(code)) {
            return "CRYPTO_ERROR(" + tlsAlert(code) + ")";
        }
        return "UNKNOWN(0x" + Long.toHexString(code) + ")";
    }

    /**
     * Checks that {@code code} fits a QUIC variable-length integer.
     *
     * @return {@code code}
     * @throws IllegalArgumentException if {@code code} is negative or at least {@code 2^62}
     */
    public static long checkCode(long code, String what) {
        if (code < 0 || code > MAX_CODE) {
            throw new IllegalArgumentException(what + " out of range [0, 2^62): " + code);
        }
        return code;
    }
}
