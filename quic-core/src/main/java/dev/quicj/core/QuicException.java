package dev.quicj.core;

/**
 * The peer broke the protocol: a malformed frame or packet, a frame that is not allowed where it appeared, a
 * length that points past the data; or the connection cannot go on for another reason it must be closed with, such
 * as an AEAD usage limit ({@link #aeadLimitReached}). Carries the 62-bit transport error code to close the connection
 * with and, where known, the type of the frame that caused it
 * (<a href="https://www.rfc-editor.org/rfc/rfc9000#section-19.19">RFC 9000 §19.19</a>).
 *
 * <p>This is the only checked exception of the wire and connection layers, so the code that receives packets is
 * forced to turn it into a CONNECTION_CLOSE. Instances thrown on the receive path carry no stack trace: junk input
 * must be cheap to reject.
 */
public class QuicException extends Exception {
    private static final long serialVersionUID = 1L;

    private final long errorCode;
    private final long frameType;

    /**
     * A protocol error with a stack trace.
     *
     * @param errorCode the transport error code, in [0, 2^62)
     * @param frameType the type of the frame that caused the error, or 0 when unknown or not frame-related
     */
    public QuicException(long errorCode, long frameType, String message) {
        this(errorCode, frameType, message, true);
    }

    private QuicException(long errorCode, long frameType, String message, boolean stackTrace) {
        super(message, null, false, stackTrace);
        this.errorCode = TransportErrorCode.checkCode(errorCode, "error code");
        this.frameType = TransportErrorCode.checkCode(frameType, "frame type");
    }

    /** A stackless exception for the receive path. */
    public static QuicException stackless(long errorCode, long frameType, String message) {
        return new QuicException(errorCode, frameType, message, false);
    }

    /** FRAME_ENCODING_ERROR: a frame that is truncated or otherwise badly formatted. */
    public static QuicException frameEncoding(long frameType, String message) {
        return stackless(TransportErrorCode.FRAME_ENCODING_ERROR, frameType, message);
    }

    /** PROTOCOL_VIOLATION, for example a frame that is not allowed in the packet type that carried it. */
    public static QuicException protocolViolation(long frameType, String message) {
        return stackless(TransportErrorCode.PROTOCOL_VIOLATION, frameType, message);
    }

    /**
     * AEAD_LIMIT_REACHED (RFC 9001 §6.6): the keys reached a confidentiality limit, or too many received packets
     * failed authentication; the connection must close.
     */
    public static QuicException aeadLimitReached(String message) {
        return stackless(TransportErrorCode.AEAD_LIMIT_REACHED, 0, message);
    }

    /** The transport error code to close the connection with. */
    public long errorCode() {
        return errorCode;
    }

    /** The type of the frame that caused the error, or 0. */
    public long frameType() {
        return frameType;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + TransportErrorCode.name(errorCode) + ", frame type 0x"
                + Long.toHexString(frameType) + "]: " + getMessage();
    }
}
