package dev.quicj.examples;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.Hex;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.inspect.DatagramInspector;
import dev.quicj.core.inspect.InspectedFrame;
import dev.quicj.core.inspect.InspectedPacket;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code decode}: prints every packet of one datagram (type, version, DCID, SCID, packet number, token length) and
 * every frame, with all fields of a CONNECTION_CLOSE, decrypting Initial packets of either direction with keys
 * derived from {@code --odcid}; a packet that does not decrypt is printed with the reason.
 */
final class DecodeCommand {
    static final String USAGE = "usage: decode --odcid HEX [--dcid-len N] (--hex HEX | FILE)\n"
            + "  prints every packet and frame of a QUIC datagram; exits 1 if a packet does not decrypt or parse\n"
            + "  --odcid    the client's first DCID: the Initial keys of both directions derive from it\n"
            + "  --dcid-len the DCID length of short-header (1-RTT) packets, which do not carry it (default: the DCID\n"
            + "             length of the datagram's first long-header packet)\n"
            + "  --hex      the datagram as hex; or FILE: the raw datagram, or its hex if the name ends in .hex";

    private static final Set<String> VALUED = Set.of("odcid", "hex", "dcid-len");
    /** The largest UDP payload (IPv6: 65535 minus the 8-byte UDP header; IPv4 allows 20 bytes less). */
    static final int MAX_DATAGRAM = 65527;

    private DecodeCommand() {
    }

    static int run(String[] argv, PrintStream out) throws UsageException {
        Args a = new Args(argv, VALUED, Set.of());
        ConnectionId odcid = Args.connectionId("odcid", a.required("odcid"));
        byte[] datagram;
        if (a.has("hex")) {
            if (!a.positional().isEmpty()) {
                throw new UsageException("give --hex or a FILE, not both");
            }
            datagram = Args.hex("hex", a.string("hex", ""));
            if (datagram.length > MAX_DATAGRAM) {
                throw new UsageException("--hex is larger than a UDP datagram (" + MAX_DATAGRAM + " bytes)");
            }
        } else if (a.positional().size() == 1) {
            datagram = read(a.positional().get(0));
        } else {
            throw new UsageException(a.positional().isEmpty() ? "give --hex HEX or a FILE" : "more than one FILE");
        }
        if (datagram.length == 0) {
            throw new UsageException("the datagram is empty");
        }
        int dcidLength = (int) a.number("dcid-len", -1, 0, ConnectionId.MAX_LENGTH);
        List<InspectedPacket> packets = DatagramInspector.inspect(datagram,
                DatagramInspector.initialKeys(odcid, CryptoProvider.jca()), dcidLength);
        out.println("datagram length=" + datagram.length + " packets=" + packets.size());
        for (InspectedPacket p : packets) {
            out.println(p.headerLine());
            for (InspectedFrame f : p.frames()) {
                out.println("  frame " + f);
            }
        }
        return packets.stream().allMatch(InspectedPacket::decrypted) ? 0 : 1;
    }

    private static byte[] read(String file) throws UsageException {
        boolean isHex = file.endsWith(".hex");
        // read no more than a datagram can be (as hex: two digits a byte, with room for line breaks), so that a large
        // file or a device such as /dev/zero is an error, not an exhausted heap
        int limit = isHex ? 4 * MAX_DATAGRAM : MAX_DATAGRAM;
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            byte[] bytes = in.readNBytes(limit + 1);
            byte[] datagram = bytes.length > limit ? null
                    : isHex ? hexFile(file, new String(bytes, StandardCharsets.US_ASCII)) : bytes;
            if (datagram == null || datagram.length > MAX_DATAGRAM) {
                throw new UsageException(file + " is larger than a UDP datagram (" + MAX_DATAGRAM + " bytes)");
            }
            return datagram;
        } catch (IOException e) {
            throw new UsageException("cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static byte[] hexFile(String file, String text) throws UsageException {
        try {
            return Hex.decode(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException(file + " is not hexadecimal: " + e.getMessage());
        }
    }

    static String hex(byte[] b) {
        return Hex.encode(b);
    }
}
