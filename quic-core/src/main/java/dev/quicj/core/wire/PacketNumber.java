package dev.quicj.core.wire;

import java.nio.ByteBuffer;

/**
 * Packet number encoding and decoding (<a href="https://www.rfc-editor.org/rfc/rfc9000#section-17.1">RFC 9000
 * §17.1</a>, Appendix A.2 and A.3).
 *
 * <pre>
 * Packet Number (8..32)
 * </pre>
 *
 * <p>A packet number is an integer in [0, 2^62) carried in 1 to 4 bytes, network byte order: only its least
 * significant bytes are sent, enough that the receiver can recover the full value from the largest packet number it
 * has processed. The sender picks the length with {@link #encodedLength(long, long)} and writes it with
 * {@link #write}; the receiver reads the field with {@link #read} and recovers the full number with
 * {@link #decode(long, int, long)}.
 */
public final class PacketNumber {
    /** The largest packet number, {@code 2^62 - 1}; a space whose last packet used it is exhausted. */
    public static final long MAX = (1L << 62) - 1;
    /** The shortest Packet Number field, in bytes. */
    public static final int MIN_LENGTH = 1;
    /** The longest Packet Number field, in bytes. */
    public static final int MAX_LENGTH = 4;

    private PacketNumber() {
    }

    /**
     * The number of bytes to send {@code packetNumber} in, exactly as ngtcp2's {@code pktns_select_pkt_numlen}: with
     * {@code d = packetNumber - largestAcked}, 4 if {@code d > (2^62 - 1) / 2}, else with {@code m = 2d - 1}: 4 if
     * {@code m > 0xffffff}, 3 if {@code m > 0xffff}, 2 if {@code m > 0xff}, else 1. This is the Appendix A.2 rule:
     * enough bits for more than twice the unacknowledged range.
     *
     * @param largestAcked the largest packet number the peer has acknowledged in this space, or -1 if none
     * @throws IllegalArgumentException if {@code packetNumber} is outside [0, 2^62), {@code largestAcked} is outside
     *     [-1, 2^62), or {@code largestAcked >= packetNumber} (a packet number is never sent after it was acked)
     */
    public static int encodedLength(long packetNumber, long largestAcked) {
        checkPacketNumber(packetNumber);
        if (largestAcked < -1 || largestAcked >= packetNumber) {
            throw new IllegalArgumentException(
                    "largest acked " + largestAcked + " not in [-1, " + packetNumber + ")");
        }
        long d = packetNumber - largestAcked;
        if (d > MAX / 2) {
            return 4;
        }
        long m = 2 * d - 1;
        if (m > 0xff_ffffL) {
            return 4;
        }
        if (m > 0xffffL) {
            return 3;
        }
        if (m > 0xffL) {
            return 2;
        }
        return 1;
    }

    /**
     * Recovers a full packet number from its truncated form, as Appendix A.3's {@code DecodePacketNumber}: the value
     * closest to {@code largestReceived + 1} whose low {@code 8 * lengthBytes} bits are {@code truncated}.
     *
     * <p>When {@code largestReceived} lies within 2^31 of {@link #MAX} the result can exceed {@link #MAX}, as in the
     * RFC's algorithm; such a packet number is invalid and the caller drops the packet.
     *
     * @param largestReceived the largest packet number successfully processed in this space, or -1 if none
     * @throws IllegalArgumentException if {@code lengthBytes} is not 1..4, {@code truncated} does not fit it, or
     *     {@code largestReceived} is outside [-1, 2^62)
     */
    public static long decode(long truncated, int lengthBytes, long largestReceived) {
        checkLength(lengthBytes);
        long window = 1L << (8 * lengthBytes);
        if (truncated < 0 || truncated >= window) {
            throw new IllegalArgumentException(
                    "truncated packet number 0x" + Long.toHexString(truncated) + " does not fit " + lengthBytes
                            + " bytes");
        }
        if (largestReceived < -1 || largestReceived > MAX) {
            throw new IllegalArgumentException("largest received out of range [-1, 2^62): " + largestReceived);
        }
        long expected = largestReceived + 1;
        long halfWindow = window / 2;
        long mask = window - 1;
        long candidate = (expected & ~mask) | truncated;
        if (candidate <= expected - halfWindow && candidate < (1L << 62) - window) {
            return candidate + window;
        }
        if (candidate > expected + halfWindow && candidate >= window) {
            return candidate - window;
        }
        return candidate;
    }

    /**
     * Writes the {@code length} least significant bytes of {@code packetNumber} at absolute {@code index}, network
     * byte order, without moving the position.
     *
     * @throws IllegalArgumentException if {@code packetNumber} is outside [0, 2^62) or {@code length} is not 1..4
     * @throws IndexOutOfBoundsException if the field does not end before the buffer's limit
     */
    public static void write(ByteBuffer dst, int index, long packetNumber, int length) {
        checkPacketNumber(packetNumber);
        checkLength(length);
        if (index < 0 || index > dst.limit() - length) {
            throw new IndexOutOfBoundsException("packet number field [" + index + ", " + (index + length)
                    + ") outside limit " + dst.limit());
        }
        for (int i = length - 1; i >= 0; i--) {
            dst.put(index + i, (byte) (packetNumber >>> (8 * (length - 1 - i))));
        }
    }

    /**
     * Reads a {@code length}-byte truncated packet number at absolute {@code index}, without moving the position.
     *
     * @return the truncated value, in [0, 2^(8 * length))
     * @throws IllegalArgumentException if {@code length} is not 1..4
     * @throws IndexOutOfBoundsException if the field does not end before the buffer's limit
     */
    public static long read(ByteBuffer src, int index, int length) {
        checkLength(length);
        if (index < 0 || index > src.limit() - length) {
            throw new IndexOutOfBoundsException("packet number field [" + index + ", " + (index + length)
                    + ") outside limit " + src.limit());
        }
        long value = 0;
        for (int i = 0; i < length; i++) {
            value = (value << 8) | (src.get(index + i) & 0xff);
        }
        return value;
    }

    /**
     * Checks a full packet number: in [0, 2^62).
     *
     * @throws IllegalArgumentException if it is not
     */
    public static void checkPacketNumber(long packetNumber) {
        if (packetNumber < 0 || packetNumber > MAX) {
            throw new IllegalArgumentException("packet number out of range [0, 2^62): " + packetNumber);
        }
    }

    /**
     * Checks a packet number field length: 1 to 4 bytes.
     *
     * @throws IllegalArgumentException if it is not
     */
    public static void checkLength(int length) {
        if (length < MIN_LENGTH || length > MAX_LENGTH) {
            throw new IllegalArgumentException("packet number length not in 1..4: " + length);
        }
    }
}
