package dev.quicj.netty;

import dev.quicj.core.conn.QuicConnection;
import java.util.Objects;

/**
 * A user event {@link QuicCloseHandler} fires when its {@link AcceptPolicy#accept() accept policy} created a server
 * connection from a client's first Initial. The Initial has been processed (its CRYPTO data went to the policy's
 * listener). The connection belongs to the handler's channel: drive it from the channel's event loop only, with
 * timestamps from {@code channel.eventLoop().ticker().nanoTime()}.
 */
public final class QuicConnectionAcceptedEvent {
    // the new server connection
    private final QuicConnection connection;

    QuicConnectionAcceptedEvent(QuicConnection connection) {
        this.connection = Objects.requireNonNull(connection, "connection");
    }

    /** The new server connection. */
    public QuicConnection connection() {
        return connection;
    }

    @Override
    public String toString() {
        return "QuicConnectionAcceptedEvent[" + connection + "]";
    }
}
