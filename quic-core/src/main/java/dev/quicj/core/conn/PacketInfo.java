package dev.quicj.core.conn;

/**
 * A caller-owned holder that {@link QuicConnection#writeConnectionClose} and {@link QuicConnection#writePacket} fill
 * with how the datagram must be sent (ngtcp2's {@code ngtcp2_pkt_info}): its ECN codepoint. Reusable across calls;
 * not thread-safe.
 */
public final class PacketInfo {
    // the ECN codepoint to send with, or null if no call filled it
    private Ecn ecn;

    /** The ECN codepoint to set on the IP packet, or {@code null} if no call filled it. */
    public Ecn ecn() {
        return ecn;
    }

    void setEcn(Ecn ecn) {
        this.ecn = ecn;
    }

    /** Clears the holder. */
    public void clear() {
        ecn = null;
    }

    @Override
    public String toString() {
        return "PacketInfo[ecn=" + ecn + "]";
    }
}
