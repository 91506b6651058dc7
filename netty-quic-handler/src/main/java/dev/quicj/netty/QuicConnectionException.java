package dev.quicj.netty;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.QuicException;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Objects;

/**
 * A failure that concerns one QUIC connection, identified by its connection ID.
 *
 * <p>Inbound, it tells {@link QuicCloseHandler} which connection to close: fire it with
 * {@code channel.pipeline().fireExceptionCaught(new QuicConnectionException(id, cause))} (or from a handler placed
 * before the close handler). If the cause is a {@link QuicException}, the connection closes with its transport error
 * code, frame type and message; any other cause closes it with INTERNAL_ERROR.
 *
 * <p>Outbound, the handler fires one to the handlers after it ({@code ctx.fireExceptionCaught}: it does not pass
 * through the handler's own {@code exceptionCaught}, so no other connection is closed for it) when:
 * <ul>
 *   <li>a datagram it wrote for a connection, its CONNECTION_CLOSE or a re-send of it, could not be written to the
 *       channel; the cause is the write failure;</li>
 *   <li>the server Initial close of a stateless refusal ({@link AcceptPolicy#rejectStateless}, or any refusal when
 *       the handler is full) could not be written; the ID is the refusal's source connection ID, the one its
 *       {@link QuicConnectionEndedEvent} names;</li>
 *   <li>quic-core threw while writing a connection's close (for example a connection driven on another clock than
 *       the channel's); the connection ended as {@link QuicCloseResult#FAILED}, and the cause is what quic-core
 *       threw;</li>
 *   <li>{@code QuicConnection.receive} threw something other than a {@link QuicException} (the connection's CRYPTO
 *       data listener failed, or the connection is on another clock); the connection is closed with INTERNAL_ERROR,
 *       the cause is what {@code receive} threw, and a failure of that close is added as suppressed;</li>
 *   <li>the listener factory of {@link AcceptPolicy#accept(java.util.function.Function)} threw for a client Initial
 *       that authenticates; that Initial is refused statelessly with CONNECTION_REFUSED, the ID is the refusal's
 *       source connection ID, and the cause is what the factory threw;</li>
 *   <li>a connection added with {@link QuicCloseHandler#addConnection} before the handler was in a pipeline turns
 *       out, once it is added, to be ahead of the channel's clock; it ended as {@link QuicCloseResult#FAILED}.</li>
 * </ul>
 * A Version Negotiation packet whose write fails is not reported: it concerns no connection.
 *
 * <p>Serializable as any {@link Throwable} is, provided its cause is: {@link ConnectionId} is not
 * {@link java.io.Serializable}, so the connection ID is written as its bytes and read back as an equal
 * {@code ConnectionId}. The serialized form of version 1 carried no ID (a deserialized exception had none) and is not
 * read.
 */
public final class QuicConnectionException extends Exception {
    // 2: the connection ID's bytes follow the default fields (version 1 lost the ID)
    private static final long serialVersionUID = 2L;

    // the connection concerned; transient because ConnectionId is not Serializable: writeObject and readObject carry
    // its bytes, so it is non-null after deserialization too
    private transient ConnectionId connectionId;

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

    /** Writes the default fields, then the connection ID as a {@code byte[]}. */
    private void writeObject(ObjectOutputStream out) throws IOException {
        out.defaultWriteObject();
        out.writeObject(connectionId.toByteArray());
    }

    /**
     * Reads what {@link #writeObject} wrote; a missing or invalid connection ID is an {@link InvalidObjectException}.
     */
    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        Object bytes = in.readObject();
        if (!(bytes instanceof byte[]) || ((byte[]) bytes).length > ConnectionId.MAX_LENGTH) {
            throw new InvalidObjectException("not a connection ID: " + bytes);
        }
        connectionId = ConnectionId.of((byte[]) bytes);
    }

    /** The cause if it is a {@link QuicException} (a protocol error with a transport error code), else {@code null}. */
    public QuicException quicException() {
        return getCause() instanceof QuicException ? (QuicException) getCause() : null;
    }
}
