package dev.quicj.core.packet;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.LongPacketType;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.crypto.PacketProtection;
import dev.quicj.core.wire.CloseType;
import dev.quicj.core.wire.ConnectionCloseFrame;
import dev.quicj.core.wire.NetworkOrder;
import dev.quicj.core.wire.PacketNumber;
import dev.quicj.core.wire.VarInt;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Builds one protected packet in place, the counterpart of ngtcp2's {@code ngtcp2_ppe}: begin with a header, add
 * frames while {@link #remaining()} allows, then {@link #finish} pads, fills the Length field, seals and applies
 * header protection. Reusable: every {@code begin} resets it. Allocates nothing.
 *
 * <p>A {@code begin} that returns {@code false} has written nothing: the packet does not fit the room it was given
 * (<a href="https://www.rfc-editor.org/rfc/rfc9001#section-5.4.2">RFC 9001 §5.4.2</a> needs
 * {@code pn_offset + 4 + 16} bytes for the header-protection sample). Long headers always carry a 4-byte Length
 * field, as ngtcp2's do, so the Length can be filled in after padding.
 *
 * <p>The writer uses the destination buffer's position while a frame is encoded and restores it in
 * {@link #finish} and {@link #abandon}; it never changes the limit.
 */
public final class PacketWriter {
    /** ngtcp2's {@code NGTCP2_MIN_PKT_EXPANDLEN}: packets are at least 22 bytes longer than the local SCID. */
    public static final int MIN_PACKET_EXPANSION = 22;
    private static final int LENGTH_FIELD_BYTES = 4;

    // header-protection mask scratch
    private final byte[] mask = new byte[PacketProtection.MASK_LENGTH];
    // the destination of the packet under construction (null when idle)
    private ByteBuffer buf;
    // the destination's position when the packet was begun, restored at the end
    private int savedPosition;
    // absolute index of the packet's first byte
    private int start;
    // absolute index one past the last byte the packet may occupy (tag included)
    private int end;
    // absolute index of the packet number, and its length in bytes
    private int pnOffset;
    private int pnLength;
    // the full packet number
    private long packetNumber;
    // absolute index of the Length field of a long header, -1 for a short header
    private int lengthIndex;
    // absolute index where the next frame byte goes
    private int pos;
    // protection of this packet's level and direction
    private PacketProtection protection;

    /**
     * The {@code pn_offset} of a long header: {@code 1 + 4 + 1 + dcid + 1 + scid (+ token length varint + token for
     * Initial) + 4}.
     */
    public static int longHeaderPnOffset(LongPacketType type, int dcidLength, int scidLength, int tokenLength) {
        int n = 1 + 4 + 1 + dcidLength + 1 + scidLength + LENGTH_FIELD_BYTES;
        if (type == LongPacketType.INITIAL) {
            n += VarInt.encodedLength(tokenLength) + tokenLength;
        }
        return n;
    }

    /**
     * Begins a long-header packet at absolute index {@code start}, which may use {@code room} bytes.
     *
     * @param token the Initial token (ignored for other types), or {@code null} for none
     * @return {@code false}, having written nothing, when the header with its packet number and the minimum
     *     packet for a header-protection sample do not fit {@code room}
     * @throws IndexOutOfBoundsException if {@code [start, start + room)} is not within the buffer's limit (nothing is
     *     written then)
     * @throws IllegalArgumentException if {@code pnLength} is not 1 to 4, {@code packetNumber} not in [0, 2^62), or
     *     {@code type} is RETRY, which has no Length, packet number nor protected payload (RFC 9000 §17.2.5; see
     *     {@code RetryIntegrity}) (nothing is written then)
     */
    public boolean beginLong(ByteBuffer buf, int start, int room, QuicVersion version, LongPacketType type,
            ConnectionId dcid, ConnectionId scid, byte[] token, long packetNumber, int pnLength,
            PacketProtection protection) {
        if (type == LongPacketType.RETRY) {
            throw new IllegalArgumentException("a Retry packet is not built as a protected long-header packet (RFC "
                    + "9000 §17.2.5)");
        }
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(dcid, "dcid");
        Objects.requireNonNull(scid, "scid");
        Objects.requireNonNull(protection, "protection");
        checkArguments(buf, start, room, packetNumber, pnLength);
        int tokenLength = type == LongPacketType.INITIAL && token != null ? token.length : 0;
        int pnOff = longHeaderPnOffset(type, dcid.length(), scid.length(), tokenLength);
        if (!fits(room, pnOff, pnLength, protection)) {
            return false;
        }
        init(buf, start, room, packetNumber, pnLength, protection);
        buf.position(start);
        buf.put((byte) (0x80 | 0x40 | version.typeBits(type) << 4 | (pnLength - 1)));
        // big-endian on the wire whatever the caller's byte order (RFC 9000 §17.2)
        int versionField = version.wireValue();
        buf.putInt(NetworkOrder.convert(buf, versionField));
        buf.put((byte) dcid.length());
        dcid.writeTo(buf);
        buf.put((byte) scid.length());
        scid.writeTo(buf);
        if (type == LongPacketType.INITIAL) {
            VarInt.encode(buf, tokenLength);
            if (tokenLength > 0) {
                buf.put(token);
            }
        }
        lengthIndex = buf.position();
        pnOffset = lengthIndex + LENGTH_FIELD_BYTES;
        PacketNumber.write(buf, pnOffset, packetNumber, pnLength);
        pos = pnOffset + pnLength;
        return true;
    }

    /**
     * Begins a short-header (1-RTT) packet. Spin bit and reserved bits are 0; the Key Phase bit is bit 0 of
     * {@code keyPhase}, that of the key generation {@code protection} belongs to (RFC 9001 §6).
     *
     * @return {@code false}, having written nothing, when it does not fit {@code room}
     * @throws IndexOutOfBoundsException if {@code [start, start + room)} is not within the buffer's limit (nothing is
     *     written then)
     * @throws IllegalArgumentException if {@code pnLength} is not 1 to 4 or {@code packetNumber} not in [0, 2^62)
     *     (nothing is written then)
     */
    public boolean beginShort(ByteBuffer buf, int start, int room, ConnectionId dcid, int keyPhase,
            long packetNumber, int pnLength, PacketProtection protection) {
        checkArguments(buf, start, room, packetNumber, pnLength);
        int pnOff = 1 + dcid.length();
        if (!fits(room, pnOff, pnLength, protection)) {
            return false;
        }
        init(buf, start, room, packetNumber, pnLength, protection);
        buf.position(start);
        buf.put((byte) (0x40 | (keyPhase & 1) << 2 | (pnLength - 1)));
        dcid.writeTo(buf);
        lengthIndex = -1;
        pnOffset = start + pnOff;
        PacketNumber.write(buf, pnOffset, packetNumber, pnLength);
        pos = pnOffset + pnLength;
        return true;
    }

    /**
     * Clears the QUIC bit (0x40, RFC 9000 §17) of the packet just begun, for a peer that advertised grease_quic_bit
     * (RFC 9287 §3). Header protection leaves that bit alone, and it is part of the authenticated header.
     */
    public void clearQuicBit() {
        buf.put(start, (byte) (buf.get(start) & ~0x40));
    }

    // the packet may use [start, start + room): within the limit, or finish would pad and seal past it; and the packet
    // number must be one PacketNumber.write takes, checked before anything is written
    private static void checkArguments(ByteBuffer buf, int start, int room, long packetNumber, int pnLength) {
        if (buf.isReadOnly()) {
            throw new IllegalArgumentException("the destination buffer is read-only");
        }
        Objects.checkFromIndexSize(start, room, buf.limit());
        PacketNumber.checkPacketNumber(packetNumber);
        PacketNumber.checkLength(pnLength);
    }

    // the skip rules of ngtcp2's encoder (close-spec §3.4)
    private static boolean fits(int room, int pnOff, int pnLength, PacketProtection protection) {
        int tag = protection.tagLength();
        return room > tag
                && pnOff + pnLength <= room - tag
                && room >= pnOff + 4 + PacketProtection.SAMPLE_LENGTH;
    }

    private void init(ByteBuffer buf, int start, int room, long packetNumber, int pnLength,
            PacketProtection protection) {
        this.buf = buf;
        this.savedPosition = buf.position();
        this.start = start;
        this.end = start + room;
        this.packetNumber = packetNumber;
        this.pnLength = pnLength;
        this.protection = protection;
    }

    /** Bytes still free for frames, keeping room for the AEAD tag. */
    public int remaining() {
        return end - protection.tagLength() - pos;
    }

    /** The absolute index of the packet number field of the packet under construction. */
    public int pnOffset() {
        return pnOffset;
    }

    /**
     * Adds a CONNECTION_CLOSE frame if it fits.
     *
     * @return {@code false}, having written nothing, if it does not fit {@link #remaining()}
     */
    public boolean writeConnectionClose(CloseType type, long errorCode, long frameType, byte[] reason,
            int reasonOffset, int reasonLength) {
        int len = ConnectionCloseFrame.encodedLength(type, errorCode, frameType, reasonLength);
        if (len > remaining()) {
            return false;
        }
        buf.position(pos);
        ConnectionCloseFrame.encode(buf, type, errorCode, frameType, reason, reasonOffset, reasonLength);
        pos = buf.position();
        return true;
    }

    /**
     * Writes raw frame bytes that the caller has already encoded (for frames without a dedicated method).
     *
     * @return {@code false}, having written nothing, if they do not fit
     */
    public boolean writeFrameBytes(byte[] frame, int offset, int length) {
        checkBegun();
        if (length > remaining()) {
            return false;
        }
        buf.position(pos);
        buf.put(frame, offset, length);
        pos = buf.position();
        return true;
    }

    /**
     * Gives the destination buffer positioned at the next frame byte, for an encoder that writes at the position;
     * call {@link #commitFrame()} after it wrote at most {@link #remaining()} bytes.
     */
    public ByteBuffer frameBuffer() {
        buf.position(pos);
        return buf;
    }

    /** Takes the buffer's position after an encoder wrote into {@link #frameBuffer()}. */
    public void commitFrame() {
        int p = buf.position();
        if (p < pos || p > end - protection.tagLength()) {
            throw new IllegalStateException("frame encoder wrote outside the packet: " + pos + " -> " + p);
        }
        pos = p;
    }

    /** Bytes of payload written so far (frames and padding, without the tag). */
    public int payloadLength() {
        return pos - (pnOffset + pnLength);
    }

    /**
     * Pads, seals and protects the packet and restores the destination's position.
     *
     * @param minPacketLength the packet is padded with PADDING frames up to this many bytes including the tag,
     *     capped by the room it was given
     * @return the packet's length in bytes
     * @throws CryptoException if sealing or header protection fails (the destination's position is restored)
     */
    public int finish(int minPacketLength) throws CryptoException {
        checkBegun();
        try {
            int tag = protection.tagLength();
            int target = Math.min(minPacketLength, end - start);
            // RFC 9001 §5.4.2: pn_length + payload must hold a 4-byte-offset 16-byte sample
            target = Math.max(target, pnOffset - start + 4 + PacketProtection.SAMPLE_LENGTH);
            int padUntil = start + target - tag;
            if (pos < padUntil) {
                zero(buf, pos, padUntil - pos);
                pos = padUntil;
            }
            int payloadLength = pos - (pnOffset + pnLength);
            if (lengthIndex >= 0) {
                VarInt.encodeFixed4(buf, lengthIndex, pnLength + payloadLength + tag);
            }
            return PacketCrypto.protect(buf, start, pnOffset, pnLength, payloadLength, packetNumber,
                    lengthIndex >= 0, protection, mask);
        } finally {
            release();
        }
    }

    // PADDING frames are zero bytes: one bulk fill instead of a put per byte
    private static final byte[] ZEROS = new byte[2048];

    /**
     * Zeroes {@code b[index, index + length)} (absolute; position and limit unchanged).
     */
    // copying from a zero array: System.arraycopy is a vectorised intrinsic, Arrays.fill on bytes is a plain loop
    // in C2 (OptimizeFill is off), about twice as slow over a 1200-byte Initial's padding
    public static void zero(ByteBuffer b, int index, int length) {
        // the heap path writes the backing array directly: checked here as ByteBuffer.put checks the direct path
        Objects.checkFromIndexSize(index, length, b.limit());
        if (b.hasArray()) {
            byte[] a = b.array();
            int from = b.arrayOffset() + index;
            while (length > 0) {
                int n = Math.min(length, ZEROS.length);
                System.arraycopy(ZEROS, 0, a, from, n);
                from += n;
                length -= n;
            }
            return;
        }
        while (length > 0) {
            int n = Math.min(length, ZEROS.length);
            b.put(index, ZEROS, 0, n);
            index += n;
            length -= n;
        }
    }

    /** Drops the packet under construction and restores the destination's position. */
    public void abandon() {
        if (buf != null) {
            release();
        }
    }

    private void checkBegun() {
        if (buf == null) {
            throw new IllegalStateException("no packet begun: call beginLong or beginShort first");
        }
    }

    private void release() {
        buf.position(savedPosition);
        buf = null;
        protection = null;
    }
}
