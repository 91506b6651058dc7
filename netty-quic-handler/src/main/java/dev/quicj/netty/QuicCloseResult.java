package dev.quicj.netty;

/**
 * What the handler sent when a connection ended, as reported by {@link QuicConnectionEndedEvent#result()}. Every
 * value other than {@link #SENT} and {@link #NOTHING_TO_SEND} means the peer was not told; the handler frees the
 * connection at once in those cases.
 */
public enum QuicCloseResult {
    /**
     * The CONNECTION_CLOSE datagram was written to the channel; the closing period runs. The event comes before the
     * write completes: a write that then fails is reported on its own, as a {@link QuicConnectionException} naming the
     * connection through {@code exceptionCaught}.
     */
    SENT,
    /**
     * Nothing had to be sent: the peer closed or reset the connection (draining), or the close error is of a type that
     * sends nothing (idle timeout, version negotiation, drop, retry).
     */
    NOTHING_TO_SEND,
    /**
     * The close waited for the peer to send more bytes (the 3x amplification limit of an unvalidated path,
     * RFC 9000 §8.1) and none came before the closing period ended or the channel closed.
     */
    AMPLIFICATION_LIMITED,
    /** No packet fits the maximum UDP payload, even without the reason phrase. */
    BUFFER_TOO_SMALL,
    /**
     * quic-core cannot close the connection in its state: a client that never sent its first Initial, or a server
     * that never read a client Initial.
     */
    INVALID_STATE,
    /** A packet number space is exhausted (2^62-1 was used). */
    PACKET_NUMBER_EXHAUSTED,
    /**
     * The keys the close would be sealed with already protected as many packets as their AEAD's confidentiality limit
     * allows (RFC 9001 §6.6; {@code CloseOutcome.AEAD_LIMIT_REACHED}).
     */
    AEAD_LIMIT_REACHED,
    /** Packet protection failed while sealing the close. */
    PROTECTION_FAILED,
    /**
     * The close was not handed to the channel because the channel became inactive, or the handler was removed, first.
     * Either the connection was still live when the channel became inactive or the handler was removed from an
     * inactive channel (no close was attempted: {@link QuicConnectionEndedEvent#error()} is {@code null}), or
     * quic-core had written its close and, in the flush before that close's send ({@link EcnMode#SOCKET_TOS}), a
     * listener of a failed write closed the channel or removed the handler, active channel or not
     * ({@link QuicConnectionEndedEvent#error()} is the error of that close).
     */
    CHANNEL_INACTIVE,
    /**
     * quic-core threw while writing the close: for example the connection was given timestamps from another clock
     * than the channel's ticker ({@code IllegalArgumentException}, "timestamp went backwards"). The failure also goes
     * to the next handlers as a {@link QuicConnectionException} naming the connection; the other connections are not
     * concerned.
     */
    FAILED
}
