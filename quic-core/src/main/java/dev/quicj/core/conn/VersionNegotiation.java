package dev.quicj.core.conn;

import dev.quicj.core.QuicVersion;
import dev.quicj.core.wire.NetworkOrder;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The server's Version Negotiation packet (<a href="https://www.rfc-editor.org/rfc/rfc9000#section-17.2.1">RFC 9000
 * §17.2.1</a>, <a href="https://www.rfc-editor.org/rfc/rfc8999#section-6">RFC 8999 §6</a>), answering a client
 * packet of a version this library does not speak. Stateless, like {@link StatelessClose}: it needs only the client's
 * datagram.
 *
 * <pre>
 * Header Form (1) = 1, Unused (7) = 1 and six random bits
 * Version (32) = 0
 * Destination Connection ID Length (8), Destination Connection ID = the client's Source Connection ID
 * Source Connection ID Length (8), Source Connection ID = the client's Destination Connection ID
 * Supported Version (32) ... = every {@link QuicVersion}, then one reserved version 0x?a?a?a?a (never the client's)
 * </pre>
 *
 * <p>The connection IDs are copied as they came, up to 255 bytes each: RFC 9000 §17.2 asks servers to read the
 * longer IDs of other versions to form this packet. The unused bit 0x40 is set, as §17.2.1 asks where QUIC shares its
 * port with other protocols, and the reserved version (§15, "to exercise version negotiation") keeps clients honest
 * about versions they do not know. The packet is at most {@link #MAX_LENGTH} bytes, well under the 1200 of the
 * datagram it answers, so it never amplifies.
 */
public final class VersionNegotiation {
    /** The longest packet {@link #write} makes: two 255-byte connection IDs and every version plus a reserved one. */
    public static final int MAX_LENGTH = 1 + 4 + 1 + 255 + 1 + 255 + 4 * (QuicVersion.values().length + 1);

    private static final int LONG_HEADER = 0x80;
    // the unused bit that looks like QUIC v1's fixed bit (RFC 9000 §17.2.1)
    private static final int FIXED_LOOKING_BIT = 0x40;
    private static final int RANDOM_BITS = 0x3f;

    private VersionNegotiation() {
    }

    /**
     * Whether a server answers {@code datagram} (from its position to its limit) with Version Negotiation: its first
     * packet has a long header, its version is neither 0 (a
     * Version Negotiation packet, which is never answered) nor one this library speaks, and the datagram is at least
     * 1200 bytes (RFC 9000 §5.2.2: a server drops smaller ones that specify an unsupported version, and §14.1 makes
     * every client Initial at least that large). Changes nothing.
     */
    public static boolean answerable(ByteBuffer datagram) {
        return reasonNotAnswerable(Objects.requireNonNull(datagram, "datagram")) == null;
    }

    /**
     * Writes the Version Negotiation packet answering the first packet of {@code datagram} (from its position to its
     * limit) at {@code dest}'s position, and advances that position past it. {@code datagram} is not changed.
     *
     * @param random the source of the six unused bits and of the reserved version (any {@code int}; pass a random
     *     one, so that clients do not come to depend on fixed values). The reserved version is never the datagram's
     *     own: RFC 9000 §6.2 has a client discard a Version Negotiation packet listing the version it selected.
     * @return the number of bytes written
     * @throws IllegalArgumentException if the datagram is not one a server answers ({@link #answerable} is false:
     *     the message says why), or {@code dest} is read-only or has less room than the packet; nothing is written
     *     then
     */
    public static int write(ByteBuffer dest, ByteBuffer datagram, int random) {
        Objects.requireNonNull(dest, "dest");
        if (dest.isReadOnly()) {
            throw new IllegalArgumentException("the destination buffer is read-only");
        }
        String why = reasonNotAnswerable(Objects.requireNonNull(datagram, "datagram"));
        if (why != null) {
            throw new IllegalArgumentException("no Version Negotiation answers this datagram: " + why);
        }
        int p = datagram.position();
        int dcidOffset = p + 6;
        int dcidLength = datagram.get(p + 5) & 0xff;
        int scidOffset = dcidOffset + dcidLength + 1;
        int scidLength = datagram.get(scidOffset - 1) & 0xff;
        QuicVersion[] versions = QuicVersion.values();
        int length = 7 + dcidLength + scidLength + 4 * (versions.length + 1);
        if (dest.remaining() < length) {
            throw new IllegalArgumentException("a " + length + "-byte Version Negotiation packet does not fit in "
                    + dest.remaining() + " bytes");
        }
        int q = dest.position();
        dest.put(q++, (byte) (LONG_HEADER | FIXED_LOOKING_BIT | (random & RANDOM_BITS)));
        dest.putInt(q, 0);
        q += 4;
        // the client's SCID becomes our DCID, its DCID our SCID
        dest.put(q++, (byte) scidLength);
        dest.put(q, datagram, scidOffset, scidLength);
        q += scidLength;
        dest.put(q++, (byte) dcidLength);
        dest.put(q, datagram, dcidOffset, dcidLength);
        q += dcidLength;
        for (QuicVersion v : versions) {
            putInt(dest, q, v.wireValue());
            q += 4;
        }
        int reserved = reservedVersion(random);
        if (reserved == versionOf(datagram, p)) {
            // RFC 9000 §6.2: a client discards a Version Negotiation packet that lists its own version, so one that
            // greased with a reserved version must not see it drawn here; another high nibble stays reserved
            reserved ^= 0x10000000;
        }
        putInt(dest, q, reserved);
        q += 4;
        dest.position(q);
        return length;
    }

    /**
     * A reserved version of the form {@code 0x?a?a?a?a} (RFC 9000 §15), its four high nibbles taken from
     * {@code random}: no implementation speaks one, so it exercises a peer's version negotiation.
     */
    public static int reservedVersion(int random) {
        return (random & 0xf0f0f0f0) | 0x0a0a0a0a;
    }

    /** Whether {@code version} is a reserved version, {@code 0x?a?a?a?a} (RFC 9000 §15). */
    public static boolean isReservedVersion(int version) {
        return (version & 0x0f0f0f0f) == 0x0a0a0a0a;
    }

    // big-endian whatever the buffer's byte order
    private static void putInt(ByteBuffer dest, int index, int value) {
        dest.putInt(index, NetworkOrder.convert(dest, value));
    }

    // the Version field of the long header at p, big-endian whatever the buffer's byte order
    private static int versionOf(ByteBuffer datagram, int p) {
        return NetworkOrder.convert(datagram, datagram.getInt(p + 1));
    }

    /** Null if a server answers the datagram with Version Negotiation, else why not. */
    private static String reasonNotAnswerable(ByteBuffer datagram) {
        int p = datagram.position();
        int limit = datagram.limit();
        if (limit - p < QuicConnection.MIN_INITIAL_DATAGRAM_SIZE) {
            return "a datagram of " + (limit - p) + " bytes, under " + QuicConnection.MIN_INITIAL_DATAGRAM_SIZE
                    + " (RFC 9000 §5.2.2: dropped)";
        }
        if ((datagram.get(p) & LONG_HEADER) == 0) {
            return "a short header";
        }
        int version = versionOf(datagram, p);
        if (version == 0) {
            return "a Version Negotiation packet (RFC 9000 §6.1: never answered)";
        }
        if (QuicVersion.fromWire(version) != null) {
            return "version 0x" + Integer.toHexString(version) + " is one this library speaks";
        }
        // 1200 bytes always hold both connection IDs: 6 + 255 + 1 + 255 = 517
        return null;
    }
}
