package dev.quicj.core.conn;

import dev.quicj.core.packet.HeaderStatus;
import dev.quicj.core.packet.PacketForm;
import dev.quicj.core.packet.PacketHeader;
import dev.quicj.core.packet.PacketParser;
import java.nio.ByteBuffer;

/**
 * Whether a datagram can open a server connection: a client's first Initial in a datagram of at least 1200 bytes
 * (RFC 9000 §14.1), with a supported version and a DCID of at least 8 bytes (§7.2). This looks at the header only;
 * whether the packet decrypts is learned when the new connection {@link QuicConnection#receive receives} it.
 */
public enum InitialCheck {
    /** Acceptable as the first packet of a new connection. */
    ACCEPTABLE,
    /**
     * The datagram is shorter than 1200 bytes, whatever its version: RFC 9000 §5.2.2, "servers MUST drop smaller
     * packets that specify unsupported versions".
     */
    DATAGRAM_TOO_SMALL,
    /** The first packet is not a long header, or its header does not parse. */
    MALFORMED,
    /**
     * The version is not one this library supports, in a datagram of at least 1200 bytes: large enough that a server
     * may answer with Version Negotiation (RFC 9000 §5.2.2).
     */
    UNSUPPORTED_VERSION,
    /** A long-header packet of another type than Initial. */
    NOT_INITIAL,
    /**
     * The Destination Connection ID is shorter than 8 bytes. RFC 9000 §7.2 asks that only of a client's first
     * Initial: a server that sent a Retry with a shorter Source Connection ID, and then validated the token of the
     * client's next Initial, builds its connection anyway ({@code ServerBuilder.retrySourceConnectionId}).
     */
    DCID_TOO_SHORT;

    /**
     * Inspects the first packet of {@code datagram} (from its position to its limit) without changing it.
     *
     * @param header receives the parsed header (version, DCID, SCID, token) when the result is
     *     {@link #ACCEPTABLE}
     */
    public static InitialCheck of(ByteBuffer datagram, PacketHeader header) {
        HeaderStatus status = PacketParser.parse(datagram, datagram.position(), 0, header);
        if (status == HeaderStatus.UNSUPPORTED_VERSION) {
            return datagram.remaining() < QuicConnection.MIN_INITIAL_DATAGRAM_SIZE ? DATAGRAM_TOO_SMALL
                    : UNSUPPORTED_VERSION;
        }
        if (status != HeaderStatus.OK || !header.isLongHeader()) {
            return MALFORMED;
        }
        if (header.form() != PacketForm.INITIAL) {
            return NOT_INITIAL;
        }
        if (datagram.remaining() < QuicConnection.MIN_INITIAL_DATAGRAM_SIZE) {
            return DATAGRAM_TOO_SMALL;
        }
        if (header.dcidLength() < QuicConnection.MIN_INITIAL_DCID_LENGTH) {
            return DCID_TOO_SHORT;
        }
        return ACCEPTABLE;
    }
}
