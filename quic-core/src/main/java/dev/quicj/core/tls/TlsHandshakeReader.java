package dev.quicj.core.tls;

import dev.quicj.core.QuicException;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.wire.FrameType;
import java.nio.ByteBuffer;

/**
 * Cuts the in-order bytes of one CRYPTO stream (one encryption level) into complete TLS handshake messages
 * (<a href="https://www.rfc-editor.org/rfc/rfc9001#section-4.1.3">RFC 9001 §4.1.3</a>). A message may arrive split
 * over many CRYPTO frames, and one frame may carry many messages; bytes are buffered until a message is complete.
 *
 * <p>Typical use: {@link #add(ByteBuffer)} the data of each in-order CRYPTO frame, then {@link #poll()} until it
 * returns {@code null}, and decode each message with {@link ClientHelloInfo#decode(HandshakeMessage)} or
 * {@link ServerHelloInfo#decode(HandshakeMessage)}. Reordering CRYPTO frames by offset is the caller's job.
 *
 * <p>Not thread-safe. After {@link #add(ByteBuffer)} throws, the connection is to be closed and the reader dropped.
 */
public final class TlsHandshakeReader {
    /** The default largest message body accepted: 64 KiB, room for a long certificate chain. */
    public static final int DEFAULT_MAX_MESSAGE_LENGTH = 1 << 16;

    // The largest body length accepted.
    private final int maxMessageLength;
    // Buffered bytes live in buffer[start, end).
    private byte[] buffer = new byte[512];
    private int start;
    private int end;
    // Index of the first message header not yet checked against maxMessageLength (may lie beyond end).
    private int unchecked;

    /** A reader accepting messages with bodies up to {@link #DEFAULT_MAX_MESSAGE_LENGTH} bytes. */
    public TlsHandshakeReader() {
        this(DEFAULT_MAX_MESSAGE_LENGTH);
    }

    /**
     * A reader accepting messages with bodies up to {@code maxMessageLength} bytes.
     *
     * @throws IllegalArgumentException if {@code maxMessageLength} is not in 0..2^24-1
     */
    public TlsHandshakeReader(int maxMessageLength) {
        if (maxMessageLength < 0 || maxMessageLength > 0xff_ffff) {
            throw new IllegalArgumentException("max message length out of range 0..2^24-1: " + maxMessageLength);
        }
        this.maxMessageLength = maxMessageLength;
    }

    /**
     * Appends in-order CRYPTO stream bytes: everything from the position of {@code data} to its limit. The bytes are
     * copied and the position moves to the limit; {@code data} is not retained.
     *
     * @throws QuicException CRYPTO_BUFFER_EXCEEDED (<a href="https://www.rfc-editor.org/rfc/rfc9000#section-7.5">RFC
     *     9000 §7.5</a>) if a message announces a body longer than the maximum this reader buffers
     */
    public void add(ByteBuffer data) throws QuicException {
        int n = data.remaining();
        if (buffer.length - end < n) {
            int live = end - start;
            byte[] target = buffer;
            if (buffer.length - live < n) {
                target = new byte[Math.max(buffer.length * 2, live + n)];
            }
            System.arraycopy(buffer, start, target, 0, live);
            buffer = target;
            unchecked -= start;
            end = live;
            start = 0;
        }
        data.get(buffer, end, n);
        end += n;
        while (unchecked + HandshakeMessage.HEADER_LENGTH <= end) {
            int length = u24(unchecked + 1);
            if (length > maxMessageLength) {
                throw QuicException.stackless(TransportErrorCode.CRYPTO_BUFFER_EXCEEDED, FrameType.CRYPTO,
                        "handshake message of type " + (buffer[unchecked] & 0xff) + " announces " + length
                                + " bytes, more than the " + maxMessageLength + " buffered");
            }
            unchecked += HandshakeMessage.HEADER_LENGTH + length;
        }
    }

    /** The next complete handshake message, or {@code null} when none is complete yet. */
    public HandshakeMessage poll() {
        if (end - start < HandshakeMessage.HEADER_LENGTH) {
            return null;
        }
        int total = HandshakeMessage.HEADER_LENGTH + u24(start + 1);
        if (end - start < total) {
            return null;
        }
        byte[] message = new byte[total];
        System.arraycopy(buffer, start, message, 0, total);
        start += total;
        if (start == end) {
            unchecked -= start;
            start = 0;
            end = 0;
        }
        return new HandshakeMessage(message);
    }

    /** The number of bytes added but not yet returned by {@link #poll()}. */
    public int bufferedBytes() {
        return end - start;
    }

    private int u24(int index) {
        return (buffer[index] & 0xff) << 16 | (buffer[index + 1] & 0xff) << 8 | (buffer[index + 2] & 0xff);
    }
}
