package dev.quicj.core.conn;

import dev.quicj.core.QuicException;
import dev.quicj.core.TransportErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Why a connection closes: ngtcp2's {@code ngtcp2_ccerr}. Immutable; the reason phrase is copied on the way in and
 * out. Made by named factories, never by a boolean flag:
 * <ul>
 *   <li>{@link #transport(long, long, byte[])} and friends: CONNECTION_CLOSE 0x1c;</li>
 *   <li>{@link #application(long, byte[])}: CONNECTION_CLOSE 0x1d (sent as 0x1c APPLICATION_ERROR with an empty reason
 *       in Initial and Handshake packets, RFC 9000 §10.2.3);</li>
 *   <li>{@link #tlsAlert(int, byte[])}: CRYPTO_ERROR {@code 0x100 | alert};</li>
 *   <li>{@link #fromLibraryError(LibraryError, byte[])}: the one mapping from internal failures to wire codes;</li>
 *   <li>{@link #idleClose()}, {@link #versionNegotiation()}, {@link #dropConnection()}, {@link #retry()}: closes
 *       that send nothing, for which the writer returns {@link CloseOutcome#NOTHING_TO_WRITE}.</li>
 * </ul>
 * Error codes and frame types are 62-bit values; anything outside [0, 2^62) is an {@link IllegalArgumentException}.
 */
public final class CloseError {
    /** Received reason phrases are kept up to this many bytes (ngtcp2's {@code NGTCP2_CCERR_MAX_REASONLEN}). */
    public static final int MAX_RECEIVED_REASON_LENGTH = 1024;

    private static final byte[] NO_REASON = new byte[0];
    private static final CloseError NO_ERROR =
            new CloseError(Type.TRANSPORT, TransportErrorCode.NO_ERROR, 0, NO_REASON);

    /** The kind of close. Only TRANSPORT and APPLICATION put a CONNECTION_CLOSE on the wire. */
    public enum Type {
        /** A transport close, CONNECTION_CLOSE 0x1c. */
        TRANSPORT,
        /** An application close, CONNECTION_CLOSE 0x1d. */
        APPLICATION,
        /** The client received a Version Negotiation packet: close silently. */
        VERSION_NEGOTIATION,
        /** The idle timeout expired: close silently (RFC 9000 §10.1). */
        IDLE_CLOSE,
        /** Drop the connection without a word. */
        DROP_CONN,
        /** The server answered with Retry and drops this connection state. */
        RETRY;

        /** Whether a close of this type writes a CONNECTION_CLOSE frame. */
        public boolean sendsFrame() {
            return this == TRANSPORT || this == APPLICATION;
        }
    }

    // the kind of close
    private final Type type;
    // the 62-bit error code (transport or application space depending on type)
    private final long errorCode;
    // the type of the frame that triggered a transport error, 0 if none
    private final long frameType;
    // the reason phrase, owned by this object
    private final byte[] reason;

    private CloseError(Type type, long errorCode, long frameType, byte[] reason) {
        this.type = type;
        this.errorCode = TransportErrorCode.checkCode(errorCode, "error code");
        this.frameType = TransportErrorCode.checkCode(frameType, "frame type");
        this.reason = reason;
    }

    private static byte[] copy(byte[] reason) {
        return reason == null || reason.length == 0 ? NO_REASON : reason.clone();
    }

    private static byte[] utf8(String reason) {
        return reason == null || reason.isEmpty() ? NO_REASON : reason.getBytes(StandardCharsets.UTF_8);
    }

    /** The default: a transport close with NO_ERROR and no reason ({@code ngtcp2_ccerr_default}). */
    public static CloseError noError() {
        return NO_ERROR;
    }

    /** A transport close with this code, frame type 0 and no reason. */
    public static CloseError transport(long errorCode) {
        return new CloseError(Type.TRANSPORT, errorCode, 0, NO_REASON);
    }

    /** A transport close with this code and reason (UTF-8), frame type 0. */
    public static CloseError transport(long errorCode, String reason) {
        return new CloseError(Type.TRANSPORT, errorCode, 0, utf8(reason));
    }

    /**
     * A transport close.
     *
     * @param frameType the type of the frame that triggered the error, written on the wire (0 when unknown)
     * @param reason the reason phrase, copied; {@code null} for none
     */
    public static CloseError transport(long errorCode, long frameType, byte[] reason) {
        return new CloseError(Type.TRANSPORT, errorCode, frameType, copy(reason));
    }

    /** A transport close with a frame type and a UTF-8 reason. */
    public static CloseError transport(long errorCode, long frameType, String reason) {
        return new CloseError(Type.TRANSPORT, errorCode, frameType, utf8(reason));
    }

    /** An application close with this code and no reason. */
    public static CloseError application(long errorCode) {
        return new CloseError(Type.APPLICATION, errorCode, 0, NO_REASON);
    }

    /** An application close; the reason phrase is copied ({@code null} for none). */
    public static CloseError application(long errorCode, byte[] reason) {
        return new CloseError(Type.APPLICATION, errorCode, 0, copy(reason));
    }

    /** An application close with a UTF-8 reason. */
    public static CloseError application(long errorCode, String reason) {
        return new CloseError(Type.APPLICATION, errorCode, 0, utf8(reason));
    }

    /**
     * A transport close for a TLS alert: CRYPTO_ERROR {@code 0x100 | alert} (alert 40, handshake_failure, gives
     * 0x128).
     *
     * @throws IllegalArgumentException if the alert is not in 0..255
     */
    public static CloseError tlsAlert(int alert, byte[] reason) {
        return new CloseError(Type.TRANSPORT, TransportErrorCode.cryptoError(alert), 0, copy(reason));
    }

    /** A transport close for a peer's protocol error: its code and frame type, and its message as the reason. */
    public static CloseError fromException(QuicException e) {
        Objects.requireNonNull(e, "e");
        return new CloseError(Type.TRANSPORT, e.errorCode(), e.frameType(), utf8(e.getMessage()));
    }

    /**
     * The close for an internal failure ({@code ngtcp2_ccerr_set_liberr}): the non-sending types for
     * {@link LibraryError#RECV_VERSION_NEGOTIATION}, {@link LibraryError#IDLE_CLOSE}, {@link LibraryError#DROP_CONN}
     * and {@link LibraryError#RETRY} (code NO_ERROR), otherwise a transport close with
     * {@link LibraryError#transportErrorCode()}.
     */
    public static CloseError fromLibraryError(LibraryError error, byte[] reason) {
        switch (Objects.requireNonNull(error, "error")) {
            case RECV_VERSION_NEGOTIATION:
                return new CloseError(Type.VERSION_NEGOTIATION, TransportErrorCode.NO_ERROR, 0, copy(reason));
            case IDLE_CLOSE:
                return new CloseError(Type.IDLE_CLOSE, TransportErrorCode.NO_ERROR, 0, copy(reason));
            case DROP_CONN:
                return new CloseError(Type.DROP_CONN, TransportErrorCode.NO_ERROR, 0, copy(reason));
            case RETRY:
                return new CloseError(Type.RETRY, TransportErrorCode.NO_ERROR, 0, copy(reason));
            default:
                return new CloseError(Type.TRANSPORT, error.transportErrorCode(), 0, copy(reason));
        }
    }

    /** A silent close after the idle timeout. */
    public static CloseError idleClose() {
        return new CloseError(Type.IDLE_CLOSE, TransportErrorCode.NO_ERROR, 0, NO_REASON);
    }

    /** A silent close after a Version Negotiation packet. */
    public static CloseError versionNegotiation() {
        return new CloseError(Type.VERSION_NEGOTIATION, TransportErrorCode.NO_ERROR, 0, NO_REASON);
    }

    /** A silent drop. */
    public static CloseError dropConnection() {
        return new CloseError(Type.DROP_CONN, TransportErrorCode.NO_ERROR, 0, NO_REASON);
    }

    /** A silent close because a Retry was sent instead. */
    public static CloseError retry() {
        return new CloseError(Type.RETRY, TransportErrorCode.NO_ERROR, 0, NO_REASON);
    }

    /**
     * A close received from the peer, with the reason truncated to {@link #MAX_RECEIVED_REASON_LENGTH} bytes.
     */
    static CloseError received(Type type, long errorCode, long frameType, java.nio.ByteBuffer buf, int reasonOffset,
            int reasonLength) {
        int n = Math.min(reasonLength, MAX_RECEIVED_REASON_LENGTH);
        byte[] r = new byte[n];
        for (int i = 0; i < n; i++) {
            r[i] = buf.get(reasonOffset + i);
        }
        return new CloseError(type, errorCode, type == Type.APPLICATION ? 0 : frameType, r);
    }

    /** The kind of close. */
    public Type type() {
        return type;
    }

    /** The 62-bit error code. */
    public long errorCode() {
        return errorCode;
    }

    /** The type of the frame that triggered a transport error, or 0. */
    public long frameType() {
        return frameType;
    }

    /** A copy of the reason phrase. */
    public byte[] reason() {
        return reason.clone();
    }

    /** The reason phrase decoded as UTF-8 (malformed sequences replaced). */
    public String reasonAsString() {
        return new String(reason, StandardCharsets.UTF_8);
    }

    /** The length of the reason phrase. */
    public int reasonLength() {
        return reason.length;
    }

    /** The reason bytes without a copy, for the writer; never exposed. */
    byte[] reasonBytes() {
        return reason;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof CloseError)) {
            return false;
        }
        CloseError e = (CloseError) o;
        return type == e.type && errorCode == e.errorCode && frameType == e.frameType
                && Arrays.equals(reason, e.reason);
    }

    @Override
    public int hashCode() {
        return ((type.hashCode() * 31 + Long.hashCode(errorCode)) * 31 + Long.hashCode(frameType)) * 31
                + Arrays.hashCode(reason);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("CloseError[").append(type);
        if (type == Type.TRANSPORT) {
            sb.append(' ').append(TransportErrorCode.name(errorCode));
        } else {
            sb.append(" 0x").append(Long.toHexString(errorCode));
        }
        if (frameType != 0) {
            sb.append(", frame type 0x").append(Long.toHexString(frameType));
        }
        if (reason.length > 0) {
            sb.append(", reason \"").append(reasonAsString()).append('"');
        }
        return sb.append(']').toString();
    }
}
