package dev.quicj.core.conn;

/**
 * The packet numbers received in one space, as at most {@link #MAX_RANGES} disjoint ranges, newest first: enough to
 * detect duplicates and to write ACK frames. When a new range would exceed the limit the oldest range is forgotten,
 * and anything at or below it is then treated as a duplicate (RFC 9000 §13.2.3 lets a receiver discard old packets).
 */
final class ReceivedPackets {
    static final int MAX_RANGES = 32;

    // ranges kept before the arrays grow: most spaces see one contiguous run of packet numbers
    private static final int INITIAL_RANGES = 2;
    // the arrays of a space that has received nothing (most spaces of a refused connection)
    private static final long[] NONE = new long[0];

    // range i is [low[i], high[i]]; index 0 holds the highest range; the arrays grow up to MAX_RANGES
    private long[] low = NONE;
    private long[] high = NONE;
    // number of ranges in use
    private int count;
    // packet numbers at or below this were forgotten and count as duplicates (-1: nothing forgotten)
    private long forgottenBelowOrAt = -1;

    /** Whether {@code pn} was already received (or is too old to tell). */
    boolean contains(long pn) {
        if (pn <= forgottenBelowOrAt) {
            return true;
        }
        for (int i = 0; i < count; i++) {
            if (pn > high[i]) {
                return false;
            }
            if (pn >= low[i]) {
                return true;
            }
        }
        return false;
    }

    /** Records {@code pn}, which must not be {@link #contains contained}. */
    void add(long pn) {
        int i = 0;
        while (i < count && high[i] > pn) {
            i++;
        }
        // pn is above range i (or there is none); join the neighbours it touches
        boolean joinsAbove = i > 0 && low[i - 1] == pn + 1;
        boolean joinsBelow = i < count && high[i] == pn - 1;
        if (joinsAbove && joinsBelow) {
            low[i - 1] = low[i];
            remove(i);
        } else if (joinsAbove) {
            low[i - 1] = pn;
        } else if (joinsBelow) {
            high[i] = pn;
        } else {
            insert(i, pn);
        }
    }

    private void insert(int i, long pn) {
        if (count == MAX_RANGES) {
            if (i == MAX_RANGES) {
                // older than everything kept: forget it right away
                forgottenBelowOrAt = Math.max(forgottenBelowOrAt, pn);
                return;
            }
            forgottenBelowOrAt = Math.max(forgottenBelowOrAt, high[MAX_RANGES - 1]);
            count--;
        } else if (count == low.length) {
            int grown = Math.min(MAX_RANGES, Math.max(INITIAL_RANGES, low.length * 2));
            low = java.util.Arrays.copyOf(low, grown);
            high = java.util.Arrays.copyOf(high, grown);
        }
        System.arraycopy(low, i, low, i + 1, count - i);
        System.arraycopy(high, i, high, i + 1, count - i);
        low[i] = pn;
        high[i] = pn;
        count++;
    }

    private void remove(int i) {
        System.arraycopy(low, i + 1, low, i, count - i - 1);
        System.arraycopy(high, i + 1, high, i, count - i - 1);
        count--;
    }

    int rangeCount() {
        return count;
    }

    long low(int i) {
        return low[i];
    }

    long high(int i) {
        return high[i];
    }

    /** The largest packet number received, or -1. */
    long largest() {
        return count == 0 ? -1 : high[0];
    }
}
