package dev.quicj.netty;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.QuicException;
import java.util.Objects;

/**
 * A failure that concerns one QUIC connection, identified by its connection ID.
 *
 * <p>Inbound, it tells {@link QuicCloseHandler} which connection to close: fire it with
 * {@code channel.pipeline().fireExceptionCaught(new QuicConnectionException(id, cause))} (or from a handler placed
 * before the close handler). If the cause is a {@link QuicException}, the connection closes with its transport error
 * code, frame type and message; any other cause closes it with INTERNAL_ERROR.
 *
 * <p>Outbound, the handler fires one to the handlers after it when a datagram it wrote for a connection could not be
 * written to the channel; the cause is the write failure.
 */
public final class QuicConnectionException extends Exception {
    private static final long serialVersionUID = 1L;

    // the connection concerned
    private final transient ConnectionId connectionId;

    /**
     * A failure of the connection {@code connectionId}.
     *
     * @param cause what went wrong: a {@link QuicException} for a protocol error, anything else otherwise
     */
    public QuicConnectionException(ConnectionId connectionId, Throwable cause) {
        this(connectionId, null, cause);
    }

    /** A failure of the connection {@code connectionId}, with a message. */
    public QuicConnectionException(ConnectionId connectionId, String message, Throwable cause) {
        super(message != null ? message : "QUIC connection " + connectionId + " failed: " + cause,
                Objects.requireNonNull(cause, "cause"));
        this.connectionId = Objects.requireNonNull(connectionId, "connectionId");
    }

    /** The connection concerned. */
    public ConnectionId connectionId() {
        return connectionId;
    }

    /** The cause if it is a {@link QuicException} (a protocol error with a transport error code), else {@code null}. */
    public QuicException quicException() {
        return getCause() instanceof QuicException ? (QuicException) getCause() : null;
    }
}
