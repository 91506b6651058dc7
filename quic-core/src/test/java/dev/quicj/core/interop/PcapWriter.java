package dev.quicj.core.interop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes UDP payloads as a classic libpcap file (Ethernet link type, IPv4 127.0.0.1 to 127.0.0.1, valid IPv4 and UDP
 * checksums), in place of {@code text2pcap}. One packet per payload, 1 ms apart.
 */
final class PcapWriter {
    /** A UDP payload with its ports. */
    record Udp(int srcPort, int dstPort, byte[] payload) {
    }

    private static final int LINKTYPE_ETHERNET = 1;
    private static final int LOOPBACK = 0x7f000001;
    private static final long BASE_SECONDS = 1_700_000_000L;

    private PcapWriter() {
    }

    static void write(Path file, List<Udp> datagrams) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer global = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        global.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                .putInt(262144).putInt(LINKTYPE_ETHERNET);
        out.write(global.array());
        int id = 1;
        for (Udp d : datagrams) {
            byte[] frame = frame(d, id);
            ByteBuffer rec = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            rec.putInt((int) (BASE_SECONDS + id / 1000)).putInt((id % 1000) * 1000).putInt(frame.length)
                    .putInt(frame.length);
            out.write(rec.array());
            out.write(frame);
            id++;
        }
        Files.write(file, out.toByteArray());
    }

    private static byte[] frame(Udp d, int id) {
        int udpLength = 8 + d.payload().length;
        int ipLength = 20 + udpLength;
        ByteBuffer b = ByteBuffer.allocate(14 + ipLength); // big-endian network order
        // Ethernet: locally administered MACs, IPv4
        b.put(new byte[] {0x02, 0, 0, 0, 0, 0x02}).put(new byte[] {0x02, 0, 0, 0, 0, 0x01}).putShort((short) 0x0800);
        int ipStart = b.position();
        b.put((byte) 0x45).put((byte) 0).putShort((short) ipLength).putShort((short) id).putShort((short) 0x4000)
                .put((byte) 64).put((byte) 17).putShort((short) 0).putInt(LOOPBACK).putInt(LOOPBACK);
        b.putShort(ipStart + 10, (short) checksum(b.array(), ipStart, 20, 0));
        int udpStart = b.position();
        b.putShort((short) d.srcPort()).putShort((short) d.dstPort()).putShort((short) udpLength).putShort((short) 0)
                .put(d.payload());
        long pseudo = (LOOPBACK >>> 16) + (LOOPBACK & 0xffff) + (LOOPBACK >>> 16) + (LOOPBACK & 0xffff) + 17
                + udpLength;
        int sum = checksum(b.array(), udpStart, udpLength, pseudo);
        b.putShort(udpStart + 6, (short) (sum == 0 ? 0xffff : sum));
        return b.array();
    }

    /** RFC 1071 Internet checksum of {@code len} bytes at {@code off}, starting from a partial sum. */
    private static int checksum(byte[] data, int off, int len, long initial) {
        long sum = initial;
        int i = 0;
        for (; i + 1 < len; i += 2) {
            sum += ((data[off + i] & 0xff) << 8) | (data[off + i + 1] & 0xff);
        }
        if (i < len) {
            sum += (data[off + i] & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
