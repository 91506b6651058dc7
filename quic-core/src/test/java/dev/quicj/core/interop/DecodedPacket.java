package dev.quicj.core.interop;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * One QUIC packet as tshark dissected it (coalesced packets of a datagram are separate instances with the same
 * {@link #datagram()}).
 *
 * @param datagram          1-based index of the datagram that carried it, in input order (a synthetic
 *                          {@code --odcid} client Initial is not counted)
 * @param type              the packet type
 * @param version           {@code quic.version}; empty for 1-RTT (short header)
 * @param dcid              {@code quic.dcid} as lower-case hex, "" if empty
 * @param scid              {@code quic.scid} as lower-case hex, "" if empty or a short header
 * @param packetNumber      {@code quic.packet_number}; empty if the packet was not decrypted or has none
 *                          (Retry, VN)
 * @param tokenLength       {@code quic.token_length} (Initial), the length of {@code quic.retry_token} (Retry),
 *                          else 0
 * @param packetLength      {@code quic.packet_length}: this packet's bytes within the datagram
 * @param decryptionFailed  whether tshark could not remove packet protection (then {@link #frames()} is empty)
 * @param decryptionMessage tshark's message for a failed decryption (e.g. "Decryption failed: ... Checksum error",
 *                          "Failed to create decryption context: Secrets are not available"), else ""
 * @param malformed         whether tshark flagged the packet as malformed
 * @param frames            the frames, in order
 * @param supportedVersions the versions listed by a Version Negotiation packet, else empty
 */
public record DecodedPacket(int datagram, PacketType type, OptionalLong version, String dcid, String scid,
                            OptionalLong packetNumber, long tokenLength, int packetLength, boolean decryptionFailed,
                            String decryptionMessage, boolean malformed, List<DecodedFrame> frames,
                            List<Long> supportedVersions) {

    /** Copies the lists. */
    public DecodedPacket {
        frames = List.copyOf(frames);
        supportedVersions = List.copyOf(supportedVersions);
    }

    /** The frames of one kind, e.g. {@code frames(DecodedFrame.ConnectionClose.class)}. */
    public <T extends DecodedFrame> List<T> frames(Class<T> kind) {
        List<T> out = new ArrayList<>();
        for (DecodedFrame f : frames) {
            if (kind.isInstance(f)) {
                out.add(kind.cast(f));
            }
        }
        return out;
    }

    /** The packet header as one line, e.g. {@code pkt=Initial ver=0x00000001 dcid=... scid=... pn=0 plen=69}. */
    public String headerSummary() {
        StringBuilder sb = new StringBuilder("pkt=").append(type.label());
        if (type == PacketType.ONE_RTT) {
            sb.append(" dcid=").append(cid(dcid));
        } else {
            version.ifPresent(v -> sb.append(" ver=").append(String.format("0x%08x", v)));
            sb.append(" dcid=").append(cid(dcid)).append(" scid=").append(cid(scid));
            if (type == PacketType.VERSION_NEGOTIATION) {
                sb.append(" versions=");
                for (int i = 0; i < supportedVersions.size(); i++) {
                    sb.append(i == 0 ? "" : ",").append(String.format("0x%08x", supportedVersions.get(i)));
                }
            }
        }
        if (type != PacketType.VERSION_NEGOTIATION && type != PacketType.RETRY) {
            sb.append(" pn=").append(packetNumber.isPresent() ? Long.toString(packetNumber.getAsLong()) : "?");
        }
        if (tokenLength != 0) {
            sb.append(" token_len=").append(tokenLength);
        }
        sb.append(" plen=").append(packetLength);
        if (malformed) {
            sb.append(" malformed");
        }
        return sb.toString();
    }

    /** One line per frame (like {@code decode-quic.sh}), or one line for a packet without decrypted frames. */
    public List<String> summaryLines() {
        String head = "d=" + datagram + " " + headerSummary();
        List<String> lines = new ArrayList<>();
        if (decryptionFailed) {
            lines.add(head + " frame=? decrypt=failed msg=\"" + DecodedFrame.escape(decryptionMessage) + "\"");
        } else if (frames.isEmpty()) {
            lines.add(head + " frame=-");
        } else {
            for (DecodedFrame f : frames) {
                lines.add(head + " frame=" + f.summary());
            }
        }
        return lines;
    }

    @Override
    public String toString() {
        return String.join("\n", summaryLines());
    }

    private static String cid(String hex) {
        return hex.isEmpty() ? "-" : hex;
    }
}
