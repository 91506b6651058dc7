package dev.quicj.core;

import java.security.SecureRandom;
import java.util.Arrays;

/**
 * A QUIC connection ID: 0 to 20 opaque bytes (<a href="https://www.rfc-editor.org/rfc/rfc9000#section-5.1">RFC 9000
 * §5.1</a>). Immutable; the bytes are copied on the way in and out.
 */
public final class ConnectionId {
    /** The longest connection ID QUIC v1 and v2 allow. */
    public static final int MAX_LENGTH = 20;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ConnectionId EMPTY = new ConnectionId(new byte[0]);

    private final byte[] bytes;
    private final int hash;

    private ConnectionId(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /**
     * A connection ID with a copy of {@code bytes}.
     *
     * @throws IllegalArgumentException if longer than {@value #MAX_LENGTH} bytes
     */
    public static ConnectionId of(byte[] bytes) {
        return of(bytes, 0, bytes.length);
    }

    /** A connection ID with a copy of {@code length} bytes of {@code bytes} from {@code offset}. */
    public static ConnectionId of(byte[] bytes, int offset, int length) {
        if (length < 0 || length > MAX_LENGTH) {
            throw new IllegalArgumentException("connection ID length " + length + " is not in 0.." + MAX_LENGTH);
        }
        return length == 0 ? EMPTY : new ConnectionId(Arrays.copyOfRange(bytes, offset, offset + length));
    }

    /** A connection ID parsed from hexadecimal text. */
    public static ConnectionId fromHex(String hex) {
        return of(Hex.decode(hex));
    }

    /**
     * A random connection ID of {@code length} bytes from a {@link SecureRandom}. The bytes are drawn from a
     * per-thread pool that the shared {@code SecureRandom} refills {@value #RANDOM_POOL_SIZE} bytes at a time, so that
     * a server minting an ID per new connection reads the system's generator (a system call under a lock, with the
     * default NativePRNG) once per dozens of IDs rather than once per ID. Each pooled byte is handed out once and
     * then zeroed.
     *
     * @throws IllegalArgumentException if {@code length} is not in 0..{@value #MAX_LENGTH}
     */
    public static ConnectionId random(int length) {
        if (length < 0 || length > MAX_LENGTH) {
            throw new IllegalArgumentException("connection ID length " + length + " is not in 0.." + MAX_LENGTH);
        }
        if (length == 0) {
            return EMPTY;
        }
        byte[] b = new byte[length];
        RANDOM_POOL.get().take(b);
        return new ConnectionId(b);
    }

    private static final int RANDOM_POOL_SIZE = 256;
    private static final ThreadLocal<RandomPool> RANDOM_POOL = ThreadLocal.withInitial(RandomPool::new);

    /** One thread's not yet used {@link #RANDOM} output. */
    private static final class RandomPool {
        private final byte[] pool = new byte[RANDOM_POOL_SIZE];
        private int next = RANDOM_POOL_SIZE;

        void take(byte[] dest) {
            if (RANDOM_POOL_SIZE - next < dest.length) {
                RANDOM.nextBytes(pool);
                next = 0;
            }
            System.arraycopy(pool, next, dest, 0, dest.length);
            Arrays.fill(pool, next, next + dest.length, (byte) 0);
            next += dest.length;
        }
    }

    /** The empty (zero-length) connection ID. */
    public static ConnectionId empty() {
        return EMPTY;
    }

    /** The length in bytes. */
    public int length() {
        return bytes.length;
    }

    /** A copy of the bytes. */
    public byte[] toByteArray() {
        return bytes.clone();
    }

    /** The bytes without copying, for this library's encoders; callers must not modify them. */
    byte[] unsafeBytes() {
        return bytes;
    }

    /** Whether the {@code length} bytes of {@code buf} from {@code offset} equal this ID. */
    public boolean matches(java.nio.ByteBuffer buf, int offset, int length) {
        if (length != bytes.length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (buf.get(offset + i) != bytes[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Copies the bytes into {@code dest} from {@code offset}, without allocating.
     *
     * @return the number of bytes copied, {@link #length()}
     * @throws IndexOutOfBoundsException if they do not fit
     */
    public int copyTo(byte[] dest, int offset) {
        System.arraycopy(bytes, 0, dest, offset, bytes.length);
        return bytes.length;
    }

    /** Writes the bytes at the buffer's position. */
    public void writeTo(java.nio.ByteBuffer dst) {
        dst.put(bytes);
    }

    /** The bytes as lower-case hex. */
    public String toHex() {
        return Hex.encode(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConnectionId && Arrays.equals(bytes, ((ConnectionId) o).bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return bytes.length == 0 ? "<empty>" : toHex();
    }
}
