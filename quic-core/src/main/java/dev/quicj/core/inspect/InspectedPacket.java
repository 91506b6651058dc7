package dev.quicj.core.inspect;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.packet.PacketForm;
import java.util.List;

/**
 * One packet of a datagram as {@link DatagramInspector} saw it.
 *
 * @param offset the packet's first byte in the datagram
 * @param length the packet's length (for 1-RTT, the rest of the datagram)
 * @param form the packet type, or {@code null} when the header did not parse (truncated, or a version this library
 *     does not support)
 * @param versionField the raw Version field (0 for 1-RTT)
 * @param version the version, or {@code null} (1-RTT, Version Negotiation, unsupported)
 * @param dcid the Destination Connection ID
 * @param scid the Source Connection ID (empty for 1-RTT)
 * @param tokenLength the Token Length of an Initial (or the Retry token length), else 0
 * @param packetNumber the packet number, or -1 if not decrypted: recovered from its truncated form as if it were the
 *     first packet received in its space (RFC 9000 Appendix A.3 with no packet received), since an inspection keeps no
 *     state; so the truncated value itself, exact for packet numbers below 2^(8 * packetNumberLength)
 * @param packetNumberLength the packet number length, or 0 if not decrypted
 * @param payloadLength the plaintext payload length, or 0 if not decrypted
 * @param keys which keys opened it ("client Initial", "server Initial", ...), or null
 * @param failure why it could not be decrypted or decoded, or null
 * @param frames the frames, in order (empty if not decrypted); copied into an unmodifiable list
 */
public record InspectedPacket(int offset, int length, PacketForm form, int versionField, QuicVersion version,
        ConnectionId dcid, ConnectionId scid, int tokenLength, long packetNumber, int packetNumberLength,
        int payloadLength, String keys, String failure, List<InspectedFrame> frames) {

    /** The frames are copied: the list given cannot change the packet, nor can the one {@link #frames()} returns. */
    public InspectedPacket {
        frames = List.copyOf(frames);
    }

    /**
     * The encryption level of the packet, or {@code null} for Retry and Version Negotiation, and for a header that
     * did not parse ({@link #form()} null).
     */
    public EncryptionLevel level() {
        return form == null ? null : form.level();
    }

    /** Whether the payload was decrypted and decoded. */
    public boolean decrypted() {
        return failure == null;
    }

    /** The frames of the given class. */
    public <T extends InspectedFrame> List<T> frames(Class<T> type) {
        return frames.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** A one-line description of the header. */
    public String headerLine() {
        if (form == null) {
            // the header did not parse far enough to know the packet type, its version or its IDs
            StringBuilder sb = new StringBuilder("packet (header not parsed) offset=").append(offset)
                    .append(" length=").append(length);
            if (failure != null) {
                sb.append(" undecrypted=\"").append(failure).append('"');
            }
            return sb.toString();
        }
        StringBuilder sb = new StringBuilder("packet ").append(form);
        if (form != PacketForm.ONE_RTT) {
            sb.append(" version=0x").append(String.format("%08x", versionField));
        }
        sb.append(" dcid=").append(dcid.toHex());
        if (form != PacketForm.ONE_RTT) {
            sb.append(" scid=").append(scid.toHex());
        }
        if (form == PacketForm.INITIAL || form == PacketForm.RETRY) {
            sb.append(" token_len=").append(tokenLength);
        }
        if (packetNumber >= 0) {
            sb.append(" pn=").append(packetNumber).append(" pn_len=").append(packetNumberLength);
        }
        sb.append(" offset=").append(offset).append(" length=").append(length);
        if (keys != null) {
            sb.append(" keys=\"").append(keys).append('"');
        }
        if (failure != null) {
            sb.append(" undecrypted=\"").append(failure).append('"');
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return headerLine() + " frames=" + frames;
    }

    static String hex(byte[] b) {
        return Hex.encode(b);
    }
}
