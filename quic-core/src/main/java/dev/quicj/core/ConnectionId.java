package dev.quicj.core;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * A QUIC connection ID: 0 to 20 opaque bytes (<a href="https://www.rfc-editor.org/rfc/rfc9000#section-5.1">RFC 9000
 * §5.1</a>). Immutable; the bytes are copied on the way in and out.
 */
public final class ConnectionId {
    /** The longest connection ID QUIC v1 and v2 allow. */
    public static final int MAX_LENGTH = 20;

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
        return of(bytes, 0, java.util.Objects.requireNonNull(bytes, "bytes").length);
    }

    /**
     * A connection ID with a copy of {@code length} bytes of {@code bytes} from {@code offset}.
     *
     * @throws IllegalArgumentException if {@code length} is not in 0..{@value #MAX_LENGTH}
     * @throws IndexOutOfBoundsException if the range is not inside {@code bytes}
     */
    public static ConnectionId of(byte[] bytes, int offset, int length) {
        java.util.Objects.requireNonNull(bytes, "bytes");
        if (length < 0 || length > MAX_LENGTH) {
            throw new IllegalArgumentException("connection ID length " + length + " is not in 0.." + MAX_LENGTH);
        }
        // Arrays.copyOfRange would pad a range past the end with zeros: a truncated ID would become another one
        java.util.Objects.checkFromIndexSize(offset, length, bytes.length);
        return length == 0 ? EMPTY : new ConnectionId(Arrays.copyOfRange(bytes, offset, offset + length));
    }

    /** A connection ID parsed from hexadecimal text. */
    public static ConnectionId fromHex(String hex) {
        return of(Hex.decode(hex));
    }

    /**
     * A random connection ID of {@code length} bytes from a {@link SecureRandom}: the calling thread's own
     * {@code DRBG} instance (Hash_DRBG, SHA-256), which refills a per-thread pool {@value #RANDOM_POOL_SIZE} bytes at
     * a time, so a server minting an ID per new connection takes no lock shared with other threads and pays the
     * generator's per-call overhead once per hundreds of IDs. Each pooled byte is handed out once and then zeroed.
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

    private static final int RANDOM_POOL_SIZE = 4096;
    private static final ThreadLocal<RandomPool> RANDOM_POOL = ThreadLocal.withInitial(RandomPool::new);

    /**
     * One thread's generator and its not yet used output. The generator is the JDK's {@code DRBG} (NIST SP 800-90A
     * Hash_DRBG on SHA-256, seeded from the system's entropy source), one per thread: about a fifth of the cost of
     * the default NativePRNG per byte on this project's machine, and no lock shared between event loops.
     */
    private static final class RandomPool {
        private final SecureRandom random = threadGenerator();
        private final byte[] pool = new byte[RANDOM_POOL_SIZE];
        private int next = RANDOM_POOL_SIZE;

        private static SecureRandom threadGenerator() {
            try {
                return SecureRandom.getInstance("DRBG");
            } catch (NoSuchAlgorithmException e) {
                // every JDK since 9 has DRBG; a restricted provider list may not
                return new SecureRandom();
            }
        }

        void take(byte[] dest) {
            if (RANDOM_POOL_SIZE - next < dest.length) {
                random.nextBytes(pool);
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
