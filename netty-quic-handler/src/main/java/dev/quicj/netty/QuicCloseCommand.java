package dev.quicj.netty;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.conn.CloseError;
import java.util.Objects;

/**
 * A user event that asks {@link QuicCloseHandler} to close one connection or all of them with a given error. Fire it
 * from the pipeline's head so that it reaches the handler:
 *
 * <pre>{@code
 * channel.pipeline().fireUserEventTriggered(
 *         QuicCloseCommand.closeConnection(id, CloseError.application(0x10, "shutting down")));
 * }</pre>
 *
 * The handler consumes the command; it does not travel further down the pipeline. A command naming a connection the
 * handler does not hold (any more) does nothing: that connection already ended and its
 * {@link QuicConnectionEndedEvent} was fired. Immutable.
 */
public final class QuicCloseCommand {
    // the connection to close, or null for all of them
    private final ConnectionId connectionId;
    // the error to close with
    private final CloseError error;

    private QuicCloseCommand(ConnectionId connectionId, CloseError error) {
        this.connectionId = connectionId;
        this.error = Objects.requireNonNull(error, "error");
    }

    /**
     * Closes the connection registered under {@code connectionId} (its source connection ID, or a server's original
     * destination connection ID during the handshake).
     *
     * @param error a transport or application close; a type that sends nothing (idle close, drop...) ends the
     *     connection silently
     */
    public static QuicCloseCommand closeConnection(ConnectionId connectionId, CloseError error) {
        return new QuicCloseCommand(Objects.requireNonNull(connectionId, "connectionId"), error);
    }

    /** Closes every live connection of the handler with {@code error}. */
    public static QuicCloseCommand closeAll(CloseError error) {
        return new QuicCloseCommand(null, error);
    }

    /** The connection to close, or {@code null} when the command closes all of them. */
    public ConnectionId connectionId() {
        return connectionId;
    }

    /** Whether the command closes every connection. */
    public boolean isCloseAll() {
        return connectionId == null;
    }

    /** The error to close with. */
    public CloseError error() {
        return error;
    }

    @Override
    public String toString() {
        return "QuicCloseCommand[" + (connectionId == null ? "all" : connectionId.toString()) + ", " + error + "]";
    }
}
