package dev.quicj.core.conn;

import dev.quicj.core.TransportErrorCode;

/**
 * Internal failures a QUIC stack can run into, named after ngtcp2's library error codes, and the single mapping from
 * each to the transport error code a CONNECTION_CLOSE carries (ngtcp2's
 * {@code ngtcp2_err_infer_quic_transport_error_code}, close-spec §1.4). Four of them close without sending:
 * {@link #RECV_VERSION_NEGOTIATION}, {@link #IDLE_CLOSE}, {@link #DROP_CONN} and {@link #RETRY}; see
 * {@link CloseError#fromLibraryError}.
 */
public enum LibraryError {
    /** No error. */
    NONE(TransportErrorCode.NO_ERROR),
    INVALID_ARGUMENT(TransportErrorCode.INTERNAL_ERROR),
    NOBUF(TransportErrorCode.PROTOCOL_VIOLATION),
    PROTO(TransportErrorCode.PROTOCOL_VIOLATION),
    INVALID_STATE(TransportErrorCode.PROTOCOL_VIOLATION),
    ACK_FRAME(TransportErrorCode.FRAME_ENCODING_ERROR),
    STREAM_ID_BLOCKED(TransportErrorCode.PROTOCOL_VIOLATION),
    STREAM_IN_USE(TransportErrorCode.PROTOCOL_VIOLATION),
    STREAM_DATA_BLOCKED(TransportErrorCode.PROTOCOL_VIOLATION),
    FLOW_CONTROL(TransportErrorCode.FLOW_CONTROL_ERROR),
    CONNECTION_ID_LIMIT(TransportErrorCode.CONNECTION_ID_LIMIT_ERROR),
    STREAM_LIMIT(TransportErrorCode.STREAM_LIMIT_ERROR),
    FINAL_SIZE(TransportErrorCode.FINAL_SIZE_ERROR),
    CRYPTO(TransportErrorCode.PROTOCOL_VIOLATION),
    PKT_NUM_EXHAUSTED(TransportErrorCode.INTERNAL_ERROR),
    REQUIRED_TRANSPORT_PARAM(TransportErrorCode.TRANSPORT_PARAMETER_ERROR),
    MALFORMED_TRANSPORT_PARAM(TransportErrorCode.TRANSPORT_PARAMETER_ERROR),
    FRAME_ENCODING(TransportErrorCode.FRAME_ENCODING_ERROR),
    DECRYPT(TransportErrorCode.PROTOCOL_VIOLATION),
    STREAM_SHUT_WR(TransportErrorCode.PROTOCOL_VIOLATION),
    STREAM_NOT_FOUND(TransportErrorCode.PROTOCOL_VIOLATION),
    STREAM_STATE(TransportErrorCode.STREAM_STATE_ERROR),
    RECV_VERSION_NEGOTIATION(TransportErrorCode.NO_ERROR),
    CLOSING(TransportErrorCode.PROTOCOL_VIOLATION),
    DRAINING(TransportErrorCode.PROTOCOL_VIOLATION),
    TRANSPORT_PARAM(TransportErrorCode.TRANSPORT_PARAMETER_ERROR),
    DISCARD_PKT(TransportErrorCode.PROTOCOL_VIOLATION),
    CONN_ID_BLOCKED(TransportErrorCode.PROTOCOL_VIOLATION),
    INTERNAL(TransportErrorCode.INTERNAL_ERROR),
    CRYPTO_BUFFER_EXCEEDED(TransportErrorCode.CRYPTO_BUFFER_EXCEEDED),
    WRITE_MORE(TransportErrorCode.PROTOCOL_VIOLATION),
    RETRY(TransportErrorCode.NO_ERROR),
    DROP_CONN(TransportErrorCode.NO_ERROR),
    AEAD_LIMIT_REACHED(TransportErrorCode.AEAD_LIMIT_REACHED),
    NO_VIABLE_PATH(TransportErrorCode.NO_VIABLE_PATH),
    VERSION_NEGOTIATION(TransportErrorCode.PROTOCOL_VIOLATION),
    HANDSHAKE_TIMEOUT(TransportErrorCode.INTERNAL_ERROR),
    VERSION_NEGOTIATION_FAILURE(TransportErrorCode.VERSION_NEGOTIATION_ERROR),
    IDLE_CLOSE(TransportErrorCode.NO_ERROR),
    NOMEM(TransportErrorCode.INTERNAL_ERROR),
    CALLBACK_FAILURE(TransportErrorCode.INTERNAL_ERROR);

    private final long transportErrorCode;

    LibraryError(long transportErrorCode) {
        this.transportErrorCode = transportErrorCode;
    }

    /**
     * The transport error code a CONNECTION_CLOSE for this failure carries. For the four non-sending errors this is
     * NO_ERROR, but {@link CloseError#fromLibraryError} gives them their own close type instead.
     */
    public long transportErrorCode() {
        return transportErrorCode;
    }
}
