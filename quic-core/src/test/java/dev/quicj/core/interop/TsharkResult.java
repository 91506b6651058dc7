package dev.quicj.core.interop;

import java.util.ArrayList;
import java.util.List;

/**
 * The outcome of one tshark run: the dissected datagrams, and tshark's JSON and stderr for diagnostics.
 *
 * @param datagrams the datagrams in input order (a synthetic {@code --odcid} client Initial is left out)
 * @param json      tshark's complete {@code -T json} output
 * @param stderr    tshark's standard error (warnings)
 */
public record TsharkResult(List<DecodedDatagram> datagrams, String json, String stderr) {

    /** Copies the list. */
    public TsharkResult {
        datagrams = List.copyOf(datagrams);
    }

    /**
     * The datagram with 1-based index {@code index}.
     *
     * @throws IndexOutOfBoundsException if there is no such datagram
     */
    public DecodedDatagram datagram(int index) {
        if (index < 1 || index > datagrams.size()) {
            throw new IndexOutOfBoundsException("datagram " + index + " of " + datagrams.size() + ":\n" + summary());
        }
        return datagrams.get(index - 1);
    }

    /** All QUIC packets of all datagrams, in order. */
    public List<DecodedPacket> packets() {
        List<DecodedPacket> out = new ArrayList<>();
        for (DecodedDatagram d : datagrams) {
            out.addAll(d.packets());
        }
        return out;
    }

    /** All CONNECTION_CLOSE frames (0x1c and 0x1d) of all packets, in order. */
    public List<DecodedFrame.ConnectionClose> connectionCloses() {
        List<DecodedFrame.ConnectionClose> out = new ArrayList<>();
        for (DecodedDatagram d : datagrams) {
            out.addAll(d.connectionCloses());
        }
        return out;
    }

    /** The packets that carry at least one CONNECTION_CLOSE frame, in order. */
    public List<DecodedPacket> packetsWithConnectionClose() {
        List<DecodedPacket> out = new ArrayList<>();
        for (DecodedPacket p : packets()) {
            if (!p.frames(DecodedFrame.ConnectionClose.class).isEmpty()) {
                out.add(p);
            }
        }
        return out;
    }

    /** The compact rendering, one line per frame, like {@code decode-quic.sh}; for assertion messages. */
    public String summary() {
        List<String> lines = new ArrayList<>();
        for (DecodedDatagram d : datagrams) {
            lines.addAll(d.summaryLines());
        }
        return String.join("\n", lines);
    }

    @Override
    public String toString() {
        return summary();
    }
}
