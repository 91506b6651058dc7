package dev.quicj.core.conn;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.QuicException;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.wire.FrameType;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/** The CRYPTO stream of one encryption level, both directions (RFC 9000 §19.6, RFC 9001 §4.1.3). */
final class CryptoStreams {
    private static final byte[] NONE = new byte[0];
    /**
     * What one buffered segment costs beyond its bytes (its map entry, key and array header), counted against the
     * buffer so that a peer cannot make a level hold thousands of one-byte segments either.
     */
    static final int SEGMENT_OVERHEAD = 64;
    private final EncryptionLevel level;
    // the most out-of-order bytes buffered ahead of the delivered offset
    private final int maxBuffer;
    // bytes [0, delivered) were handed to the listener in order
    private long delivered;
    // out-of-order segments by offset, each a private copy, none overlapping another (so at most maxBuffer bytes in
    // all); null until the first one arrives
    private TreeMap<Long, byte[]> pending;
    private int pendingBytes;
    // pendingBytes plus SEGMENT_OVERHEAD per segment: at most twice maxBuffer
    private long pendingCost;

    // the packet being checked (beginPacket): where delivery will be once its frames checked so far are applied, the
    // cost of the buffered segments that delivery will drop, the offsets of the segments its frames buffered (a
    // refused packet's are removed again, abortPacket), and the counters before it
    private long virtualDelivered;
    private long drainedCost;
    private long[] tentative;
    private int tentativeCount;
    private int savedPendingBytes;
    private long savedPendingCost;

    // outgoing bytes queued by the TLS layer, and how many of them were put in packets
    private byte[] outgoing = NONE;
    private int outgoingLength;
    private int sent;

    CryptoStreams(EncryptionLevel level, int maxBuffer) {
        this.level = level;
        this.maxBuffer = maxBuffer;
    }

    /**
     * Starts the checks of one packet's CRYPTO frames ({@link #check}), which see the stream as the packet's earlier
     * frames leave it: what they would deliver, and what they buffer.
     */
    void beginPacket() {
        virtualDelivered = delivered;
        drainedCost = 0;
        tentativeCount = 0;
        savedPendingBytes = pendingBytes;
        savedPendingCost = pendingCost;
    }

    /**
     * Checks a CRYPTO frame of the packet begun with {@link #beginPacket}, before any frame of the packet is applied,
     * and buffers it if it is out of order. Its data must end within {@code maxBuffer} bytes of what the stream will
     * have delivered once the packet's earlier frames are applied, and what it adds to the out-of-order buffer must
     * keep the buffer's cost (bytes plus {@link #SEGMENT_OVERHEAD} per segment, without the segments those frames will
     * deliver) within twice {@code maxBuffer}. A peer's own frames never come near that; frames cut to add a byte or
     * two each do (RFC 9001 §4.1.3: CRYPTO_BUFFER_EXCEEDED). A refused frame changes nothing; the packet's frames
     * buffered before it stay until {@link #abortPacket}.
     *
     * @param buf holds the frame's data from {@code index}
     */
    void check(long offset, ByteBuffer buf, int index, int length) throws QuicException {
        long end = offset + length;
        if (end > virtualDelivered + maxBuffer) {
            throw QuicException.stackless(TransportErrorCode.CRYPTO_BUFFER_EXCEEDED, FrameType.CRYPTO,
                    "CRYPTO data beyond the " + maxBuffer + "-byte buffer at " + level);
        }
        if (end <= virtualDelivered) {
            return;
        }
        if (offset <= virtualDelivered) {
            // applied, this frame delivers up to its end and then every buffered segment that became contiguous
            advanceVirtual(end);
            return;
        }
        if (pending == null) {
            pending = new TreeMap<>();
        }
        if (pendingCost - drainedCost + costOf(offset, length) > 2L * maxBuffer) {
            throw QuicException.stackless(TransportErrorCode.CRYPTO_BUFFER_EXCEEDED, FrameType.CRYPTO,
                    "out-of-order CRYPTO data at " + level + " in too many pieces (" + pending.size() + " held)");
        }
        pendingCost += gaps(offset, length, buf, index);
    }

    /**
     * Moves {@link #virtualDelivered} to {@code end} and on through the buffered segments it reaches, counting their
     * cost as drained: {@link #receive} delivers and drops exactly those.
     */
    private void advanceVirtual(long end) {
        long to = end;
        long cursor = virtualDelivered;
        if (pending != null) {
            for (Map.Entry<Long, byte[]> e = pending.higherEntry(cursor); e != null && e.getKey() <= to;
                    e = pending.higherEntry(cursor)) {
                cursor = e.getKey();
                drainedCost += e.getValue().length + SEGMENT_OVERHEAD;
                to = Math.max(to, cursor + e.getValue().length);
            }
        }
        virtualDelivered = to;
    }

    /**
     * The end of the data received so far in this flow, the frames of the packet being checked included: the
     * delivered offset, or the end of the last out-of-order segment buffered beyond it.
     */
    long receivedEnd() {
        long end = virtualDelivered;
        if (pending != null && !pending.isEmpty()) {
            Map.Entry<Long, byte[]> last = pending.lastEntry();
            end = Math.max(end, last.getKey() + last.getValue().length);
        }
        return end;
    }

    /** Drops what {@link #check} buffered since {@link #beginPacket}: a frame of the packet was refused. */
    void abortPacket() {
        for (int i = 0; i < tentativeCount; i++) {
            pending.remove(tentative[i]);
        }
        tentativeCount = 0;
        pendingBytes = savedPendingBytes;
        pendingCost = savedPendingCost;
    }

    /** What buffering {@code [offset, offset + length)} would add to {@link #pendingCost}. */
    private long costOf(long offset, int length) {
        return gaps(offset, length, null, 0);
    }

    /**
     * Applies a CRYPTO frame that {@link #check} took: delivers whatever became contiguous to {@code listener}. An
     * out-of-order frame was buffered by the check.
     */
    void receive(long offset, ByteBuffer buf, int index, int length, CryptoDataListener listener) {
        long end = offset + length;
        if (end <= delivered || offset > delivered) {
            return;
        }
        int skip = (int) (delivered - offset);
        deliver(buf, index + skip, length - skip, listener);
        if (pending == null) {
            return;
        }
        for (Map.Entry<Long, byte[]> e = pending.firstEntry(); e != null && e.getKey() <= delivered;
                e = pending.firstEntry()) {
            pending.pollFirstEntry();
            byte[] seg = e.getValue();
            pendingBytes -= seg.length;
            pendingCost -= seg.length + SEGMENT_OVERHEAD;
            long segEnd = e.getKey() + seg.length;
            if (segEnd > delivered) {
                int s = (int) (delivered - e.getKey());
                deliver(ByteBuffer.wrap(seg), s, seg.length - s, listener);
            }
        }
    }

    /**
     * Walks the parts of {@code [offset, offset + length)} that no buffered segment holds, and returns their cost
     * (bytes plus {@link #SEGMENT_OVERHEAD} each); with {@code buf} (holding the range from {@code index}) it also
     * buffers them as new segments. Keeping only those, a peer repeating overlapping frames at ever new offsets
     * (RFC 9001 §4.1.3) costs at most the window, not a copy of every frame.
     */
    private long gaps(long offset, int length, ByteBuffer buf, int index) {
        long cost = 0;
        long end = offset + length;
        long start = offset;
        Map.Entry<Long, byte[]> before = pending.floorEntry(start);
        if (before != null) {
            start = Math.max(start, before.getKey() + before.getValue().length);
        }
        while (start < end) {
            Map.Entry<Long, byte[]> next = pending.ceilingEntry(start);
            long gapEnd = next == null ? end : Math.min(end, next.getKey());
            if (gapEnd > start) {
                cost += gapEnd - start + SEGMENT_OVERHEAD;
                if (buf != null) {
                    byte[] copy = new byte[(int) (gapEnd - start)];
                    int from = index + (int) (start - offset);
                    for (int i = 0; i < copy.length; i++) {
                        copy[i] = buf.get(from + i);
                    }
                    pending.put(start, copy);
                    pendingBytes += copy.length;
                    if (tentative == null) {
                        // made by the first out-of-order frame, as the segment map is: most levels never buffer
                        tentative = new long[8];
                    } else if (tentativeCount == tentative.length) {
                        tentative = Arrays.copyOf(tentative, tentativeCount * 2);
                    }
                    tentative[tentativeCount++] = start;
                }
            }
            if (next == null) {
                break;
            }
            start = next.getKey() + next.getValue().length;
        }
        return cost;
    }

    /** The out-of-order bytes buffered, none twice. */
    int bufferedBytes() {
        return pendingBytes;
    }

    /** The out-of-order segments buffered. */
    int bufferedSegments() {
        return pending == null ? 0 : pending.size();
    }

    private void deliver(ByteBuffer buf, int index, int length, CryptoDataListener listener) {
        long at = delivered;
        delivered += length;
        if (listener != null && length > 0) {
            ByteBuffer view = buf.duplicate();
            view.limit(index + length).position(index);
            listener.onCryptoData(level, at, view.slice().asReadOnlyBuffer());
        }
    }

    /** The number of bytes delivered in order so far. */
    long delivered() {
        return delivered;
    }

    /** Queues outgoing CRYPTO bytes (copied). */
    void submit(byte[] data, int offset, int length) {
        if (outgoingLength + length > outgoing.length) {
            outgoing = Arrays.copyOf(outgoing, Math.max(outgoingLength + length, outgoing.length * 2));
        }
        System.arraycopy(data, offset, outgoing, outgoingLength, length);
        outgoingLength += length;
    }

    /** Bytes queued and not yet put in a packet. */
    int unsent() {
        return outgoingLength - sent;
    }

    /** The stream offset of the next unsent byte. */
    long sendOffset() {
        return sent;
    }

    byte[] outgoingBytes() {
        return outgoing;
    }

    void markSent(int n) {
        sent += n;
    }

    /** Drops the outgoing bytes: the connection closed and sends no more CRYPTO data. */
    void releaseOutgoing() {
        outgoing = NONE;
        outgoingLength = 0;
        sent = 0;
    }

    /** Sends everything again from offset 0 (after a Retry, RFC 9000 §17.2.5.2). */
    void rewindSent() {
        sent = 0;
    }
}
