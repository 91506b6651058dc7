package dev.quicj.core.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * RFC 9001 §5.4.2: the header-protection sample is the 16 bytes that start 4 bytes after the start of the Packet
 * Number field, and "an endpoint MUST discard packets that are not long enough to contain a complete sample". The
 * packet's end is its Length field for a long header, not the datagram's end: a coalesced packet must never lend its
 * bytes to the sample of the one before it.
 */
class PacketParserSampleTest {
    private static final int DCID_LENGTH = 8;

    /** A short header with an 8-byte DCID (pn_offset 9) in a datagram of {@code length} bytes. */
    private static ByteBuffer shortHeader(int length) {
        ByteBuffer b = ByteBuffer.allocate(length);
        b.put(0, (byte) 0x40);
        return b;
    }

    /**
     * A v1 Handshake packet (pn_offset 17: first byte, version, DCID length and 8-byte DCID, SCID length 0, 2-byte
     * Length) whose Length field is {@code length}, followed by {@code trailing} more bytes in the datagram.
     */
    private static ByteBuffer handshake(int length, int trailing) {
        ByteBuffer b = ByteBuffer.allocate(17 + length + trailing);
        b.put((byte) 0xe0).putInt(0x00000001).put((byte) DCID_LENGTH);
        b.put(new byte[DCID_LENGTH]).put((byte) 0);
        b.put((byte) (0x40 | length >>> 8)).put((byte) length);
        return b.clear();
    }

    @Test
    void aShortHeaderNeedsTwentyBytesFromThePacketNumberOffset() {
        PacketHeader h = new PacketHeader();
        assertEquals(HeaderStatus.OK, PacketParser.parse(shortHeader(9 + 20), 0, DCID_LENGTH, h));
        assertEquals(9, h.pnOffset());
        assertEquals(HeaderStatus.TOO_SHORT_FOR_SAMPLE, PacketParser.parse(shortHeader(9 + 19), 0, DCID_LENGTH, h));
        // the limit, not the capacity, is the datagram's end
        assertEquals(HeaderStatus.TOO_SHORT_FOR_SAMPLE,
                PacketParser.parse(shortHeader(100).limit(9 + 19), 0, DCID_LENGTH, h));
    }

    @Test
    void aLongHeaderNeedsTwentyBytesOfItsOwnLengthFieldNotOfTheDatagram() {
        PacketHeader h = new PacketHeader();
        assertEquals(HeaderStatus.OK, PacketParser.parse(handshake(20, 0), 0, 0, h));
        assertEquals(17, h.pnOffset());
        assertEquals(37, h.packetEnd());
        assertEquals(HeaderStatus.OK, PacketParser.parse(handshake(20, 100), 0, 0, h));
        assertEquals(HeaderStatus.TOO_SHORT_FOR_SAMPLE, PacketParser.parse(handshake(19, 0), 0, 0, h));
        // 19 bytes of its own and a coalesced packet after it: still too short, whatever follows in the datagram
        assertEquals(HeaderStatus.TOO_SHORT_FOR_SAMPLE, PacketParser.parse(handshake(19, 100), 0, 0, h));
        assertEquals(HeaderStatus.TOO_SHORT_FOR_SAMPLE, PacketParser.parse(handshake(1, 100), 0, 0, h));
    }
}
