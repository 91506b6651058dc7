package dev.quicj.core.packet;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.LongPacketType;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.crypto.PacketProtection;
import dev.quicj.core.wire.NetworkOrder;
import dev.quicj.core.wire.VarInt;
import java.nio.ByteBuffer;

/**
 * Parses the unprotected part of packet headers. Takes no ownership of the datagram, never modifies it and never
 * throws on malformed input: every failure is a {@link HeaderStatus}.
 */
public final class PacketParser {
    private static final int LONG_HEADER_BIT = 0x80;
    private static final int FIXED_BIT = 0x40;

    private PacketParser() {
    }

    /**
     * Parses the header of the packet that starts at absolute index {@code offset} of {@code datagram} and ends at
     * the datagram's limit at the latest.
     *
     * @param shortHeaderDcidLength the length of the connection IDs this endpoint issued, which is the DCID length
     *     of short-header packets sent to it, 0 to 20
     * @param out filled on {@link HeaderStatus#OK}, and as far as parsed otherwise
     * @return {@link HeaderStatus#FIXED_BIT_CLEAR} for a packet whose QUIC bit (0x40) is 0: see
     *     {@link #parse(ByteBuffer, int, int, PacketHeader, boolean)} for an endpoint that advertised grease_quic_bit
     */
    public static HeaderStatus parse(ByteBuffer datagram, int offset, int shortHeaderDcidLength, PacketHeader out) {
        return parse(datagram, offset, shortHeaderDcidLength, out, false);
    }

    /**
     * As {@link #parse(ByteBuffer, int, int, PacketHeader)}, for an endpoint that may have advertised the
     * grease_quic_bit transport parameter: RFC 9287 §3, "An endpoint that advertises the grease_quic_bit transport
     * parameter MUST accept packets with the QUIC Bit set to a value of 0."
     *
     * @param quicBitMayBeClear this endpoint advertised grease_quic_bit, so a packet whose QUIC bit is 0 is parsed
     *     as if it were 1; otherwise such a packet is {@link HeaderStatus#FIXED_BIT_CLEAR}
     */
    public static HeaderStatus parse(ByteBuffer datagram, int offset, int shortHeaderDcidLength, PacketHeader out,
            boolean quicBitMayBeClear) {
        if (shortHeaderDcidLength < 0 || shortHeaderDcidLength > ConnectionId.MAX_LENGTH) {
            throw new IllegalArgumentException("shortHeaderDcidLength must be in 0.." + ConnectionId.MAX_LENGTH + ": "
                    + shortHeaderDcidLength);
        }
        out.reset();
        int limit = datagram.limit();
        out.packetStart = offset;
        if (offset >= limit) {
            return HeaderStatus.TRUNCATED;
        }
        int first = datagram.get(offset) & 0xff;
        if (quicBitMayBeClear) {
            first |= FIXED_BIT;
        }
        if ((first & LONG_HEADER_BIT) == 0) {
            return parseShort(datagram, offset, limit, first, shortHeaderDcidLength, out);
        }
        return parseLong(datagram, offset, limit, first, out);
    }

    private static HeaderStatus parseShort(ByteBuffer buf, int offset, int limit, int first, int dcidLength,
            PacketHeader out) {
        out.form = PacketForm.ONE_RTT;
        if ((first & FIXED_BIT) == 0) {
            return HeaderStatus.FIXED_BIT_CLEAR;
        }
        int p = offset + 1;
        if (p + dcidLength > limit) {
            return HeaderStatus.TRUNCATED;
        }
        out.dcidOffset = p;
        out.dcidLength = dcidLength;
        out.pnOffset = p + dcidLength;
        out.packetEnd = limit;
        return checkSample(out);
    }

    private static HeaderStatus parseLong(ByteBuffer buf, int offset, int limit, int first, PacketHeader out) {
        // Version (32) + DCID Length (8)
        int p = offset + 1;
        if (p + 5 > limit) {
            return HeaderStatus.TRUNCATED;
        }
        int versionField = NetworkOrder.convert(buf, buf.getInt(p));
        out.versionField = versionField;
        p += 4;
        int dcidLength = buf.get(p++) & 0xff;
        if (p + dcidLength + 1 > limit) {
            return HeaderStatus.TRUNCATED;
        }
        out.dcidOffset = p;
        out.dcidLength = dcidLength;
        p += dcidLength;
        int scidLength = buf.get(p++) & 0xff;
        if (p + scidLength > limit) {
            return HeaderStatus.TRUNCATED;
        }
        out.scidOffset = p;
        out.scidLength = scidLength;
        p += scidLength;
        if (versionField == 0) {
            // Version Negotiation: the rest of the datagram is the list of supported versions (RFC 9000 §17.2.1)
            out.form = PacketForm.VERSION_NEGOTIATION;
            out.pnOffset = p;
            out.packetEnd = limit;
            return HeaderStatus.OK;
        }
        QuicVersion version = QuicVersion.fromWire(versionField);
        if (version == null) {
            return HeaderStatus.UNSUPPORTED_VERSION;
        }
        out.version = version;
        if (dcidLength > ConnectionId.MAX_LENGTH || scidLength > ConnectionId.MAX_LENGTH) {
            return HeaderStatus.CONNECTION_ID_TOO_LONG;
        }
        LongPacketType type = version.packetType(first >>> 4);
        out.form = PacketForm.of(type);
        if ((first & FIXED_BIT) == 0) {
            return HeaderStatus.FIXED_BIT_CLEAR;
        }
        if (type == LongPacketType.RETRY) {
            // Retry Token (..), Retry Integrity Tag (128)
            int tokenLength = limit - p - 16;
            if (tokenLength < 0) {
                return HeaderStatus.TRUNCATED;
            }
            out.tokenOffset = p;
            out.tokenLength = tokenLength;
            out.pnOffset = p;
            out.packetEnd = limit;
            return HeaderStatus.OK;
        }
        if (type == LongPacketType.INITIAL) {
            // Token Length (i), Token (..)
            int tokenLength = lengthField(buf, p, limit);
            if (tokenLength < 0) {
                return HeaderStatus.TRUNCATED;
            }
            p += VarInt.lengthOf(buf.get(p));
            out.tokenOffset = p;
            out.tokenLength = tokenLength;
            p += tokenLength;
        }
        // Length (i): packet number and payload
        int length = lengthField(buf, p, limit);
        if (length < 0) {
            return HeaderStatus.TRUNCATED;
        }
        p += VarInt.lengthOf(buf.get(p));
        out.pnOffset = p;
        out.packetEnd = p + length;
        return checkSample(out);
    }

    /**
     * The value of the varint length field at {@code p}, or -1 if the varint or the bytes it counts run past
     * {@code limit}.
     */
    private static int lengthField(ByteBuffer buf, int p, int limit) {
        if (p >= limit) {
            return -1;
        }
        int size = VarInt.lengthOf(buf.get(p));
        if (p + size > limit) {
            return -1;
        }
        long value = VarInt.decode(buf, p);
        return value > limit - p - size ? -1 : (int) value;
    }

    private static HeaderStatus checkSample(PacketHeader out) {
        // RFC 9001 §5.4.2: the sample starts 4 bytes after the start of the Packet Number field
        if (out.pnOffset + 4 + PacketProtection.SAMPLE_LENGTH > out.packetEnd) {
            return HeaderStatus.TOO_SHORT_FOR_SAMPLE;
        }
        return HeaderStatus.OK;
    }
}
