package dev.quicj.core.conn;

import dev.quicj.core.QuicException;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.wire.FrameType;
import java.util.Arrays;

/**
 * Stream data flow control on the receive side (RFC 9000 §4.1, §4.5): for each peer-initiated stream that has
 * received data or a final size, the highest offset received (the end of its furthest STREAM frame) and its final
 * size once known, and the connection-wide sum of the per-stream maxima, max(highest end, final size), which §4.5
 * makes the stream's share of the connection's flow control. This core sends no MAX_DATA or MAX_STREAM_DATA, so the
 * limits are the initial ones of the transport parameters this endpoint sent.
 *
 * <p>A packet is checked against the committed state as its earlier frames leave it, in an overlay cleared at
 * {@link #beginPacket}, with nothing committed ({@link #check}); once the whole packet is valid, each frame is
 * applied ({@link #apply}), which cannot fail. So a refused packet changes nothing.
 *
 * <p>Streams are never forgotten (§4.5: data at or beyond the final size is an error "even after a stream is
 * closed"); their number is bounded by the stream-count limits the receive path enforces first (STREAM_LIMIT_ERROR).
 * Three parallel arrays with open addressing: no object per stream.
 */
final class ReceiveFlowControl {
    /** An empty slot's key, and an unknown final size: stream IDs and sizes are 0 to 2^62 - 1. */
    private static final long NONE = -1;

    // committed: what the packets applied so far leave
    private final Table streams = new Table();
    private long total;
    // the packet being validated: the streams its frames changed, and the total they leave
    private final Table staged = new Table();
    private long stagedTotal;

    /** Starts the validation of a packet: the overlay is emptied. */
    void beginPacket() {
        staged.clear();
        stagedTotal = total;
    }

    /**
     * Checks a STREAM frame ({@code fin}: its end is the final size) or a RESET_STREAM frame (its Final Size as
     * {@code end}, {@code fin} true) against the state the packet's earlier frames leave, and stages its effect.
     *
     * @param frameType the frame's type, reported in the exception
     * @param streamLimit the stream's flow control limit, its initial_max_stream_data_*
     * @param connectionLimit the connection's, initial_max_data
     * @throws QuicException FINAL_SIZE_ERROR for a final size that changes or is below the data received, or data
     *     beyond a known final size (§4.5); FLOW_CONTROL_ERROR for data or a final size beyond either limit (§4.1)
     */
    void check(long frameType, long streamId, long end, boolean fin, long streamLimit, long connectionLimit)
            throws QuicException {
        long highest = 0;
        long finalSize = NONE;
        int slot = staged.find(streamId);
        if (slot >= 0) {
            highest = staged.highest[slot];
            finalSize = staged.finalSize[slot];
        } else {
            int committed = streams.find(streamId);
            if (committed >= 0) {
                highest = streams.highest[committed];
                finalSize = streams.finalSize[committed];
            }
        }
        String name = FrameType.name(frameType);
        if (finalSize != NONE) {
            if (fin && end != finalSize) {
                throw QuicException.stackless(TransportErrorCode.FINAL_SIZE_ERROR, frameType, name + " changes the "
                        + "final size of stream " + streamId + " from " + finalSize + " to " + end);
            }
            if (end > finalSize) {
                throw QuicException.stackless(TransportErrorCode.FINAL_SIZE_ERROR, frameType, name + " with data up to "
                        + end + " beyond the final size " + finalSize + " of stream " + streamId);
            }
        } else if (fin && end < highest) {
            throw QuicException.stackless(TransportErrorCode.FINAL_SIZE_ERROR, frameType, name + " gives stream "
                    + streamId + " a final size of " + end + ", below the " + highest + " bytes received");
        }
        if (end > streamLimit) {
            throw QuicException.stackless(TransportErrorCode.FLOW_CONTROL_ERROR, frameType, name + " for stream "
                    + streamId + " up to " + end + ", beyond its limit of " + streamLimit + " bytes");
        }
        long before = Math.max(highest, finalSize);
        long after = Math.max(before, end);
        // every term is below 2^62, so the sum cannot overflow
        long newTotal = stagedTotal + (after - before);
        if (newTotal > connectionLimit) {
            throw QuicException.stackless(TransportErrorCode.FLOW_CONTROL_ERROR, frameType, name + " for stream "
                    + streamId + " takes the connection to " + newTotal + " bytes, beyond its limit of "
                    + connectionLimit);
        }
        if (slot < 0) {
            slot = staged.insert(streamId);
        }
        staged.highest[slot] = Math.max(highest, end);
        staged.finalSize[slot] = fin ? end : finalSize;
        stagedTotal = newTotal;
    }

    /** Applies a frame {@link #check} accepted, for a packet all of whose frames were; cannot fail. */
    void apply(long streamId, long end, boolean fin) {
        int slot = streams.find(streamId);
        if (slot < 0) {
            if (end == 0 && !fin) {
                // an empty frame at offset 0: nothing to remember
                return;
            }
            slot = streams.insert(streamId);
            streams.highest[slot] = 0;
            streams.finalSize[slot] = NONE;
        }
        long before = Math.max(streams.highest[slot], streams.finalSize[slot]);
        streams.highest[slot] = Math.max(streams.highest[slot], end);
        if (fin) {
            streams.finalSize[slot] = end;
        }
        total += Math.max(before, end) - before;
    }

    /** The connection-wide sum of the per-stream maxima of the packets applied so far. */
    long total() {
        return total;
    }

    /** The number of streams tracked. */
    int streamCount() {
        return streams.size;
    }

    /** Stream ID to (highest end, final size), open addressing with linear probing. */
    private static final class Table {
        private static final int INITIAL_CAPACITY = 8;
        long[] keys = newKeys(INITIAL_CAPACITY);
        long[] highest = new long[INITIAL_CAPACITY];
        long[] finalSize = new long[INITIAL_CAPACITY];
        int size;

        private static long[] newKeys(int capacity) {
            long[] k = new long[capacity];
            Arrays.fill(k, NONE);
            return k;
        }

        private int home(long key) {
            // Fibonacci hashing: stream IDs of one type differ by 4
            return (int) ((key * 0x9E3779B97F4A7C15L) >>> 32) & (keys.length - 1);
        }

        /** The key's slot, or -1. */
        int find(long key) {
            int mask = keys.length - 1;
            for (int i = home(key); ; i = (i + 1) & mask) {
                long k = keys[i];
                if (k == key) {
                    return i;
                }
                if (k == NONE) {
                    return -1;
                }
            }
        }

        /** A slot for a key that is not in the table; its values are the caller's to set. */
        int insert(long key) {
            if (2 * (size + 1) > keys.length) {
                grow();
            }
            int mask = keys.length - 1;
            int i = home(key);
            while (keys[i] != NONE) {
                i = (i + 1) & mask;
            }
            keys[i] = key;
            size++;
            return i;
        }

        private void grow() {
            long[] oldKeys = keys;
            long[] oldHighest = highest;
            long[] oldFinal = finalSize;
            int capacity = oldKeys.length * 2;
            keys = newKeys(capacity);
            highest = new long[capacity];
            finalSize = new long[capacity];
            size = 0;
            for (int j = 0; j < oldKeys.length; j++) {
                if (oldKeys[j] != NONE) {
                    int i = insert(oldKeys[j]);
                    highest[i] = oldHighest[j];
                    finalSize[i] = oldFinal[j];
                }
            }
        }

        void clear() {
            if (size > 0) {
                Arrays.fill(keys, NONE);
                size = 0;
            }
        }
    }
}
