package dev.quicj.core.wire;

import dev.quicj.core.Hex;
import dev.quicj.core.QuicException;
import dev.quicj.core.TransportErrorCode;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * A CONNECTION_CLOSE frame (<a href="https://www.rfc-editor.org/rfc/rfc9000#section-19.19">RFC 9000 §19.19</a>),
 * as an immutable value plus allocation-free static encoders.
 *
 * <pre>
 * CONNECTION_CLOSE Frame {
 *   Type (i) = 0x1c..0x1d,
 *   Error Code (i),
 *   [Frame Type (i)],
 *   Reason Phrase Length (i),
 *   Reason Phrase (..),
 * }
 * </pre>
 *
 * <p>Type 0x1c ({@link CloseType#TRANSPORT}) carries a transport error code and the type of the frame that triggered
 * the error (0 when unknown); type 0x1d ({@link CloseType#APPLICATION}) carries an application error code and has no
 * Frame Type field. Encoders write minimal varints. The reason phrase is opaque bytes (it SHOULD be UTF-8, but
 * nothing here checks it) and is copied on the way in and on the way out.
 */
public final class ConnectionCloseFrame {
    private final CloseType type;
    private final long errorCode;
    private final long frameType;
    private final byte[] reasonPhrase;

    /**
     * A frame with every field given.
     *
     * @param frameType the type of the frame that triggered the error; must be 0 for {@link CloseType#APPLICATION},
     *     which has no such field
     * @param reasonPhrase copied; not retained (an empty array for none)
     * @throws IllegalArgumentException if {@code errorCode} or {@code frameType} is outside [0, 2^62), or an
     *     application close has a nonzero {@code frameType}
     */
    public ConnectionCloseFrame(CloseType type, long errorCode, long frameType, byte[] reasonPhrase) {
        this.type = Objects.requireNonNull(type, "type");
        this.errorCode = TransportErrorCode.checkCode(errorCode, "error code");
        this.frameType = TransportErrorCode.checkCode(frameType, "frame type");
        if (type == CloseType.APPLICATION && frameType != 0) {
            throw new IllegalArgumentException("an application close (0x1d) has no frame type: " + frameType);
        }
        this.reasonPhrase = Objects.requireNonNull(reasonPhrase, "reasonPhrase").clone();
    }

    /** A transport close (0x1c); {@code reasonPhrase} is copied. */
    public static ConnectionCloseFrame transport(long errorCode, long frameType, byte[] reasonPhrase) {
        return new ConnectionCloseFrame(CloseType.TRANSPORT, errorCode, frameType, reasonPhrase);
    }

    /** An application close (0x1d); {@code reasonPhrase} is copied. */
    public static ConnectionCloseFrame application(long errorCode, byte[] reasonPhrase) {
        return new ConnectionCloseFrame(CloseType.APPLICATION, errorCode, 0, reasonPhrase);
    }

    /** Transport (0x1c) or application (0x1d). */
    public CloseType type() {
        return type;
    }

    /** The 62-bit error code: a transport error code for 0x1c, the application's for 0x1d. */
    public long errorCode() {
        return errorCode;
    }

    /** The type of the frame that triggered the error; always 0 for an application close. */
    public long frameType() {
        return frameType;
    }

    /** A copy of the reason phrase. */
    public byte[] reasonPhrase() {
        return reasonPhrase.clone();
    }

    /** The length of the reason phrase in bytes. */
    public int reasonLength() {
        return reasonPhrase.length;
    }

    /** The number of bytes {@link #encode(ByteBuffer)} writes, frame type byte included. */
    public int encodedLength() {
        return encodedLength(type, errorCode, frameType, reasonPhrase.length);
    }

    /**
     * Writes this frame at the buffer's position and advances it.
     *
     * @return the number of bytes written, equal to {@link #encodedLength()}
     * @throws BufferOverflowException if fewer than {@link #encodedLength()} bytes remain; nothing is written then
     */
    public int encode(ByteBuffer dst) {
        return encode(dst, type, errorCode, frameType, reasonPhrase, 0, reasonPhrase.length);
    }

    /**
     * The encoded length of a CONNECTION_CLOSE frame, without building one.
     *
     * @param frameType ignored for {@link CloseType#APPLICATION}
     * @throws IllegalArgumentException if {@code errorCode} (or, for 0x1c, {@code frameType}) is outside [0, 2^62),
     *     or {@code reasonLength} is negative
     */
    public static int encodedLength(CloseType type, long errorCode, long frameType, int reasonLength) {
        if (reasonLength < 0) {
            throw new IllegalArgumentException("negative reason length: " + reasonLength);
        }
        int length = 1 + VarInt.encodedLength(TransportErrorCode.checkCode(errorCode, "error code"));
        if (type == CloseType.TRANSPORT) {
            length += VarInt.encodedLength(TransportErrorCode.checkCode(frameType, "frame type"));
        }
        return length + VarInt.encodedLength(reasonLength) + reasonLength;
    }

    /**
     * Writes a CONNECTION_CLOSE frame at the buffer's position and advances it, allocating nothing. The reason bytes
     * are copied from {@code reason[off, off + len)}; the array is not retained.
     *
     * @param frameType written for {@link CloseType#TRANSPORT}; ignored for {@link CloseType#APPLICATION}
     * @param reason may be {@code null} when {@code len} is 0
     * @return the number of bytes written, equal to {@link #encodedLength(CloseType, long, long, int)}
     * @throws IllegalArgumentException if {@code errorCode} (or, for 0x1c, {@code frameType}) is outside [0, 2^62)
     * @throws IndexOutOfBoundsException if {@code off} and {@code len} do not select a range of {@code reason}
     * @throws BufferOverflowException if the frame does not fit the buffer's remaining space; nothing is written then
     */
    public static int encode(ByteBuffer dst, CloseType type, long errorCode, long frameType, byte[] reason, int off,
            int len) {
        Objects.requireNonNull(type, "type");
        if (reason != null || len != 0) {
            Objects.checkFromIndexSize(off, len, Objects.requireNonNull(reason, "reason").length);
        }
        int length = encodedLength(type, errorCode, frameType, len);
        if (dst.remaining() < length) {
            throw new BufferOverflowException();
        }
        dst.put((byte) type.frameType());
        VarInt.encode(dst, errorCode);
        if (type == CloseType.TRANSPORT) {
            VarInt.encode(dst, frameType);
        }
        VarInt.encode(dst, len);
        if (len > 0) {
            dst.put(reason, off, len);
        }
        return length;
    }

    /**
     * Decodes the body of a CONNECTION_CLOSE frame (everything after the frame type) at the buffer's position. On
     * success the position moves past the frame; on failure it is unchanged. The buffer's contents are not modified.
     *
     * @param frameType the type that was read before the body: 0x1c or 0x1d
     * @throws QuicException FRAME_ENCODING_ERROR carrying {@code frameType} if a field is truncated or the reason
     *     phrase runs past the limit
     * @throws IllegalArgumentException if {@code frameType} is neither 0x1c nor 0x1d
     */
    public static ConnectionCloseFrame decode(ByteBuffer src, long frameType) throws QuicException {
        CloseType type = closeType(frameType);
        int index = src.position();
        long errorCode = VarInt.read(src, index, frameType);
        index += VarInt.lengthOf(src.get(index));
        long triggeringType = 0;
        if (type == CloseType.TRANSPORT) {
            triggeringType = VarInt.read(src, index, frameType);
            index += VarInt.lengthOf(src.get(index));
        }
        long reasonLength = VarInt.read(src, index, frameType);
        index += VarInt.lengthOf(src.get(index));
        if (reasonLength > src.limit() - index) {
            throw QuicException.frameEncoding(frameType, "reason phrase runs past the end of the packet");
        }
        byte[] reason = new byte[(int) reasonLength];
        src.get(index, reason);
        src.position(index + reason.length);
        return new ConnectionCloseFrame(type, errorCode, triggeringType, reason);
    }

    /**
     * The close type of a CONNECTION_CLOSE frame type.
     *
     * @throws IllegalArgumentException if {@code frameType} is neither 0x1c nor 0x1d
     */
    public static CloseType closeType(long frameType) {
        if (frameType == FrameType.CONNECTION_CLOSE) {
            return CloseType.TRANSPORT;
        }
        if (frameType == FrameType.CONNECTION_CLOSE_APP) {
            return CloseType.APPLICATION;
        }
        throw new IllegalArgumentException("not a CONNECTION_CLOSE frame type: " + FrameType.name(frameType));
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ConnectionCloseFrame)) {
            return false;
        }
        ConnectionCloseFrame other = (ConnectionCloseFrame) o;
        return type == other.type && errorCode == other.errorCode && frameType == other.frameType
                && Arrays.equals(reasonPhrase, other.reasonPhrase);
    }

    @Override
    public int hashCode() {
        int h = type.hashCode();
        h = 31 * h + Long.hashCode(errorCode);
        h = 31 * h + Long.hashCode(frameType);
        return 31 * h + Arrays.hashCode(reasonPhrase);
    }

    /**
     * For example {@code ConnectionCloseFrame[TRANSPORT, PROTOCOL_VIOLATION, frame type ACK, reason 3 bytes 666f6f]};
     * the reason is shown as hex, at most its first 64 bytes.
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ConnectionCloseFrame[").append(type).append(", ");
        if (type == CloseType.TRANSPORT) {
            sb.append(TransportErrorCode.name(errorCode)).append(", frame type ").append(FrameType.name(frameType));
        } else {
            sb.append("application error 0x").append(Long.toHexString(errorCode));
        }
        sb.append(", reason ").append(reasonPhrase.length).append(" bytes ");
        int shown = Math.min(reasonPhrase.length, 64);
        sb.append(Hex.encode(reasonPhrase, 0, shown));
        if (shown < reasonPhrase.length) {
            sb.append("...");
        }
        return sb.append(']').toString();
    }
}
