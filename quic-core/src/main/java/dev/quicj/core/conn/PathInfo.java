package dev.quicj.core.conn;

/**
 * A caller-owned holder that {@link QuicConnection#writeConnectionClose} and {@link QuicConnection#writePacket} fill
 * with the path the datagram must be sent on (ngtcp2's {@code ngtcp2_path} out-parameter). Reusable across calls; not
 * thread-safe.
 */
public final class PathInfo {
    // the path written by the last call that reached the path step, or null
    private NetworkPath path;

    /** The path to send on, or {@code null} if no call filled it. */
    public NetworkPath path() {
        return path;
    }

    void set(NetworkPath path) {
        this.path = path;
    }

    /** Clears the holder. */
    public void clear() {
        path = null;
    }

    @Override
    public String toString() {
        return "PathInfo[" + path + "]";
    }
}
