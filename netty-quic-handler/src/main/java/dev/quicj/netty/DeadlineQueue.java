package dev.quicj.netty;

import java.util.Arrays;

/**
 * The handler's timers: a binary min-heap of connection entries by {@link ConnectionEntry#deadline}, each entry
 * knowing its own slot ({@link ConnectionEntry#heapIndex}) so that it can leave the queue in O(log n). The handler
 * keeps one event-loop task armed for the earliest deadline instead of one scheduled task per connection: a server
 * shedding load holds tens of thousands of connections in their closing period, and one {@code ScheduledFutureTask}
 * and one closure each would be garbage and work for the event loop's own queue. Confined to the event loop.
 */
final class DeadlineQueue {
    private static final int INITIAL_CAPACITY = 16;

    private ConnectionEntry[] heap = new ConnectionEntry[INITIAL_CAPACITY];
    private int size;

    int size() {
        return size;
    }

    /** The length of the heap's array (tests). */
    int capacity() {
        return heap.length;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The entry with the earliest deadline, or null. */
    ConnectionEntry peek() {
        return size == 0 ? null : heap[0];
    }

    /**
     * Queues {@code entry} at {@code deadline}, or moves it there if it is queued already.
     */
    void schedule(ConnectionEntry entry, long deadline) {
        if (entry.heapIndex >= 0) {
            remove(entry);
        }
        entry.deadline = deadline;
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        int i = size++;
        place(i, entry);
        siftUp(i);
    }

    /** Takes {@code entry} out of the queue; nothing if it is not queued. */
    void remove(ConnectionEntry entry) {
        int i = entry.heapIndex;
        if (i < 0) {
            return;
        }
        if (i >= size || heap[i] != entry) {
            throw new IllegalStateException("entry not in this queue at its index: " + entry);
        }
        entry.heapIndex = -1;
        int last = --size;
        ConnectionEntry moved = heap[last];
        heap[last] = null;
        if (i != last) {
            place(i, moved);
            siftDown(i);
            if (moved.heapIndex == i) {
                siftUp(i);
            }
        }
        // after a flood, give the array back once it is mostly empty
        if (heap.length > INITIAL_CAPACITY && size < heap.length >>> 2) {
            heap = Arrays.copyOf(heap, heap.length >>> 1);
        }
    }

    /** Removes and returns the earliest entry if its deadline is at or before {@code now}; null otherwise. */
    ConnectionEntry pollDue(long now) {
        if (size == 0 || heap[0].deadline - now > 0) {
            return null;
        }
        ConnectionEntry e = heap[0];
        remove(e);
        return e;
    }

    /** Empties the queue. */
    void clear() {
        for (int i = 0; i < size; i++) {
            heap[i].heapIndex = -1;
            heap[i] = null;
        }
        size = 0;
        heap = new ConnectionEntry[INITIAL_CAPACITY];
    }

    // deadlines are ticker nanoseconds: compared by difference, as System.nanoTime values must be
    private static boolean before(ConnectionEntry a, ConnectionEntry b) {
        return a.deadline - b.deadline < 0;
    }

    private void place(int i, ConnectionEntry e) {
        heap[i] = e;
        e.heapIndex = i;
    }

    private void siftUp(int i) {
        ConnectionEntry e = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            ConnectionEntry p = heap[parent];
            if (!before(e, p)) {
                break;
            }
            place(i, p);
            i = parent;
        }
        place(i, e);
    }

    private void siftDown(int i) {
        ConnectionEntry e = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            ConnectionEntry c = heap[child];
            int right = child + 1;
            if (right < size && before(heap[right], c)) {
                child = right;
                c = heap[right];
            }
            if (!before(c, e)) {
                break;
            }
            place(i, c);
            i = child;
        }
        place(i, e);
    }
}
