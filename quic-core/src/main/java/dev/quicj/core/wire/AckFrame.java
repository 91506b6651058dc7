package dev.quicj.core.wire;

import java.nio.ByteBuffer;

/**
 * A view of one decoded ACK frame (<a href="https://www.rfc-editor.org/rfc/rfc9000#section-19.3">RFC 9000
 * §19.3</a>), owned and reused by a {@link FrameDecoder}: a flyweight, not a value.
 *
 * <pre>
 * ACK Frame {
 *   Type (i) = 0x02..0x03,
 *   Largest Acknowledged (i),
 *   ACK Delay (i),
 *   ACK Range Count (i),
 *   First ACK Range (i),
 *   ACK Range (..) ...,
 *   [ECN Counts (..)],
 * }
 * ACK Range { Gap (i), ACK Range Length (i) }
 * ECN Counts { ECT0 Count (i), ECT1 Count (i), ECN-CE Count (i) }
 * </pre>
 *
 * <p>The decoder has validated the whole frame before handing it out: every range lies in [0, largest]. The view is
 * valid only during {@link FrameVisitor#ack(AckFrame)}; it reads the ranges from the payload buffer on demand and
 * stops working (IllegalStateException) once the callback returns. Copy what you need to keep.
 *
 * <p>Ranges are iterated without allocation, largest first, the first ACK range included:
 * <pre>{@code
 * while (ack.nextRange()) {
 *     markAcked(ack.rangeSmallest(), ack.rangeLargest());
 * }
 * }</pre>
 */
public final class AckFrame {
    private long frameType;
    private long largestAcknowledged;
    private long ackDelay;
    private long ackRangeCount;
    private long firstAckRange;
    private long smallestAcknowledged;
    private long ect0;
    private long ect1;
    private long ce;

    /** The payload holding the ranges; null outside the visitor callback. */
    private ByteBuffer buffer;
    /** Absolute index of the first Gap field in {@link #buffer}. */
    private int rangesIndex;

    /** Absolute index of the next Gap field to read. */
    private int cursor;
    /** Ranges not yet returned by {@link #nextRange()}, the first range included. */
    private long rangesLeft;
    /** Bounds of the range returned by the last {@link #nextRange()}; -1 before the first. */
    private long rangeLargest;
    private long rangeSmallest;

    AckFrame() {
    }

    void set(ByteBuffer buffer, long frameType, long largest, long ackDelay, long ackRangeCount, long firstAckRange,
            int rangesIndex, long smallest, long ect0, long ect1, long ce) {
        this.buffer = buffer;
        this.frameType = frameType;
        this.largestAcknowledged = largest;
        this.ackDelay = ackDelay;
        this.ackRangeCount = ackRangeCount;
        this.firstAckRange = firstAckRange;
        this.rangesIndex = rangesIndex;
        this.smallestAcknowledged = smallest;
        this.ect0 = ect0;
        this.ect1 = ect1;
        this.ce = ce;
        rewindRanges();
    }

    void release() {
        buffer = null;
    }

    /** 0x02 (ACK) or 0x03 (ACK with ECN counts). */
    public long frameType() {
        return frameType;
    }

    /** The Largest Acknowledged field. */
    public long largestAcknowledged() {
        return largestAcknowledged;
    }

    /**
     * The ACK Delay field as sent, not yet multiplied by {@code 2^ack_delay_exponent} of the peer's transport
     * parameters.
     */
    public long ackDelay() {
        return ackDelay;
    }

    /** The ACK Range Count field: the number of ranges after the first. */
    public long ackRangeCount() {
        return ackRangeCount;
    }

    /** The First ACK Range field: the first range is [largest - firstAckRange, largest]. */
    public long firstAckRange() {
        return firstAckRange;
    }

    /** The smallest packet number this frame acknowledges: the low end of its last range. */
    public long smallestAcknowledged() {
        return smallestAcknowledged;
    }

    /** Whether ECN counts are present (type 0x03). */
    public boolean hasEcn() {
        return frameType == FrameType.ACK_ECN;
    }

    /** The ECT0 Count field, or 0 without ECN counts. */
    public long ect0() {
        return ect0;
    }

    /** The ECT1 Count field, or 0 without ECN counts. */
    public long ect1() {
        return ect1;
    }

    /** The ECN-CE Count field, or 0 without ECN counts. */
    public long ce() {
        return ce;
    }

    /** Restarts the range iteration at the first range. */
    public void rewindRanges() {
        cursor = rangesIndex;
        rangesLeft = ackRangeCount + 1;
        rangeLargest = -1;
        rangeSmallest = -1;
    }

    /**
     * Moves to the next acknowledged range, largest first.
     *
     * @return false when every range has been returned
     * @throws IllegalStateException if called after the visitor callback returned
     */
    public boolean nextRange() {
        if (buffer == null) {
            throw new IllegalStateException("AckFrame used outside FrameVisitor.ack");
        }
        if (rangesLeft == 0) {
            return false;
        }
        if (rangeLargest < 0) {
            rangeLargest = largestAcknowledged;
            rangeSmallest = largestAcknowledged - firstAckRange;
        } else {
            long gap = VarInt.decode(buffer, cursor);
            cursor += VarInt.lengthOf(buffer.get(cursor));
            long length = VarInt.decode(buffer, cursor);
            cursor += VarInt.lengthOf(buffer.get(cursor));
            rangeLargest = rangeSmallest - gap - 2;
            rangeSmallest = rangeLargest - length;
        }
        rangesLeft--;
        return true;
    }

    /** The largest packet number of the current range. */
    public long rangeLargest() {
        checkRange();
        return rangeLargest;
    }

    /** The smallest packet number of the current range. */
    public long rangeSmallest() {
        checkRange();
        return rangeSmallest;
    }

    private void checkRange() {
        if (rangeLargest < 0) {
            throw new IllegalStateException("call nextRange() first");
        }
    }

    @Override
    public String toString() {
        return "AckFrame[largest " + largestAcknowledged + ", delay " + ackDelay + ", first range " + firstAckRange
                + ", " + ackRangeCount + " more ranges, smallest " + smallestAcknowledged
                + (hasEcn() ? ", ECN " + ect0 + "/" + ect1 + "/" + ce : "") + "]";
    }
}
