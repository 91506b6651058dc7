package dev.quicj.examples;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.Hex;
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.crypto.RetryIntegrity;
import dev.quicj.core.inspect.DatagramInspector;
import dev.quicj.core.inspect.InspectedFrame;
import dev.quicj.core.inspect.InspectedPacket;
import dev.quicj.core.packet.PacketForm;
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
            + "  prints every packet and frame of a QUIC datagram; exits 1 if a packet does not decrypt or parse, or\n"
            + "  a Retry's integrity tag does not verify\n"
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
        boolean ok = true;
        for (InspectedPacket p : packets) {
            if (p.form() == PacketForm.RETRY) {
                p = checkRetry(p, datagram, odcid);
            }
            ok &= p.decrypted();
            String line = p.headerLine();
            if (p.form() == PacketForm.VERSION_NEGOTIATION) {
                line += " versions=" + versions(datagram, p);
            }
            out.println(line);
            for (InspectedFrame f : p.frames()) {
                out.println("  frame " + f);
            }
        }
        return ok ? 0 : 1;
    }

    /**
     * The Retry, with a failure if its Retry Integrity Tag does not verify with the original DCID {@code odcid}
     * (RFC 9001 §5.8, RFC 9369 §3.3.3): a client discards such a Retry (RFC 9000 §17.2.5.2).
     */
    private static InspectedPacket checkRetry(InspectedPacket p, byte[] datagram, ConnectionId odcid) {
        String failure;
        try {
            if (RetryIntegrity.verify(p.version(), odcid.toByteArray(), datagram, p.offset(), p.length())) {
                return p;
            }
            failure = "Retry Integrity Tag does not verify with the keys of --odcid (RFC 9001 §5.8)";
        } catch (CryptoException e) {
            failure = "Retry Integrity Tag not checked: " + e.getMessage();
        }
        return new InspectedPacket(p.offset(), p.length(), p.form(), p.versionField(), p.version(), p.dcid(),
                p.scid(), p.tokenLength(), p.packetNumber(), p.packetNumberLength(), p.payloadLength(), p.keys(),
                failure, p.frames());
    }

    /**
     * The Supported Versions of a Version Negotiation packet (RFC 9000 §17.2.1), {@code 0x00000001,0x6b3343cf}, with
     * any trailing bytes that make no whole version.
     */
    private static String versions(byte[] datagram, InspectedPacket p) {
        int end = p.offset() + p.length();
        int dcidLength = datagram[p.offset() + 5] & 0xff;
        int at = p.offset() + 7 + dcidLength + (datagram[p.offset() + 6 + dcidLength] & 0xff);
        StringBuilder sb = new StringBuilder();
        for (; at + 4 <= end; at += 4) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(String.format("0x%02x%02x%02x%02x", datagram[at], datagram[at + 1], datagram[at + 2],
                    datagram[at + 3]));
        }
        if (sb.length() == 0) {
            sb.append("none");
        }
        if (at < end) {
            sb.append(" (").append(end - at).append(" trailing bytes)");
        }
        return sb.toString();
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
