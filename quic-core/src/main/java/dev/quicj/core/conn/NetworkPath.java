package dev.quicj.core.conn;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A network path: this endpoint's socket address and the peer's. Immutable.
 *
 * @param local the local address packets are sent from
 * @param remote the peer's address packets are sent to
 */
public record NetworkPath(InetSocketAddress local, InetSocketAddress remote) {
    /** Both addresses are required. */
    public NetworkPath {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(remote, "remote");
    }
}
