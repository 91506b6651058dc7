package dev.quicj.core.interop;

import java.util.ArrayList;
import java.util.List;

/**
 * One UDP datagram of a tshark decode and the QUIC packets in it.
 *
 * @param index   1-based position in the decoded input (a synthetic {@code --odcid} client Initial is not counted)
 * @param srcPort UDP source port
 * @param dstPort UDP destination port
 * @param payload the UDP payload; not copied
 * @param packets the QUIC packets tshark found, in order; empty if tshark did not take it for QUIC
 */
public record DecodedDatagram(int index, int srcPort, int dstPort, byte[] payload, List<DecodedPacket> packets) {

    /** Copies the packet list. */
    public DecodedDatagram {
        packets = List.copyOf(packets);
    }

    /** The UDP payload length. */
    public int length() {
        return payload.length;
    }

    /** The connection-close frames of all packets of this datagram, in order. */
    public List<DecodedFrame.ConnectionClose> connectionCloses() {
        List<DecodedFrame.ConnectionClose> out = new ArrayList<>();
        for (DecodedPacket p : packets) {
            out.addAll(p.frames(DecodedFrame.ConnectionClose.class));
        }
        return out;
    }

    /** One line per frame, prefixed with {@code d=N udp=SRC>DST dlen=LEN}, like {@code decode-quic.sh}. */
    public List<String> summaryLines() {
        String prefix = "d=" + index + " udp=" + srcPort + ">" + dstPort + " dlen=" + payload.length;
        List<String> lines = new ArrayList<>();
        if (packets.isEmpty()) {
            lines.add(prefix + " pkt=none (not QUIC to tshark)");
        }
        for (DecodedPacket p : packets) {
            for (String line : p.summaryLines()) {
                lines.add(prefix + line.substring(line.indexOf(' ')));
            }
        }
        return lines;
    }

    @Override
    public String toString() {
        return String.join("\n", summaryLines());
    }
}
