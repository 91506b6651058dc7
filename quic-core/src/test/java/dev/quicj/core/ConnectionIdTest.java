package dev.quicj.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** {@link ConnectionId#of(byte[], int, int)}: a copy of exactly the range asked for, or an exception. */
class ConnectionIdTest {
    private static final byte[] SOURCE = {1, 2, 3, 4};

    @Test
    void aRangeInsideTheArrayIsCopied() {
        ConnectionId id = ConnectionId.of(SOURCE, 1, 3);
        assertArrayEquals(new byte[] {2, 3, 4}, id.toByteArray());
        SOURCE[1] = 9;
        try {
            assertEquals("020304", Hex.encode(id.toByteArray()), "copied on the way in");
        } finally {
            SOURCE[1] = 2;
        }
        assertEquals(ConnectionId.empty(), ConnectionId.of(SOURCE, 4, 0));
    }

    @Test
    void aRangePastEitherEndIsRefusedNotPaddedWithZeros() {
        assertThrows(IndexOutOfBoundsException.class, () -> ConnectionId.of(SOURCE, 2, 8));
        assertThrows(IndexOutOfBoundsException.class, () -> ConnectionId.of(SOURCE, 4, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> ConnectionId.of(SOURCE, -1, 2));
        assertThrows(IllegalArgumentException.class, () -> ConnectionId.of(new byte[30], 0, 21));
        assertThrows(IllegalArgumentException.class, () -> ConnectionId.of(SOURCE, 0, -1));
    }
}
