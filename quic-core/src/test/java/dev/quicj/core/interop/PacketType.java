package dev.quicj.core.interop;

/** The kind of a QUIC packet as tshark dissected it. */
public enum PacketType {
    /** Long header, Initial. */
    INITIAL("Initial"),
    /** Long header, 0-RTT. */
    ZERO_RTT("0RTT"),
    /** Long header, Handshake. */
    HANDSHAKE("Handshake"),
    /** Long header, Retry. */
    RETRY("Retry"),
    /** Short header (1-RTT). */
    ONE_RTT("1RTT"),
    /** Version Negotiation (long header, version 0). */
    VERSION_NEGOTIATION("VN"),
    /** A long header whose type tshark could not name (unknown version). */
    UNKNOWN("?");

    private final String label;

    PacketType(String label) {
        this.label = label;
    }

    /**
     * The short label used in summaries: {@code Initial}, {@code 0RTT}, {@code Handshake}, {@code Retry},
     * {@code 1RTT}, {@code VN} or {@code ?}.
     */
    public String label() {
        return label;
    }
}
