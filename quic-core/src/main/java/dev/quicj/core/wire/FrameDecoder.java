package dev.quicj.core.wire;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.QuicException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Walks the frames of a decrypted packet payload (<a href="https://www.rfc-editor.org/rfc/rfc9000#section-12.4">RFC
 * 9000 §12.4</a>, <a href="https://www.rfc-editor.org/rfc/rfc9000#section-19">§19</a>), validates every frame RFC 9000
 * defines fully enough to skip it, and reports each to a {@link FrameVisitor}.
 *
 * <pre>
 * Packet Payload (8..) = Frame (..) ...
 * Frame {
 *   Frame Type (i),
 *   Type-Dependent Fields (..),
 * }
 * </pre>
 *
 * <p>Errors, each a stackless {@link QuicException} carrying the offending frame type (0 when no type was read):
 * <ul>
 *   <li>a payload with no frames: PROTOCOL_VIOLATION (§12.4);</li>
 *   <li>a frame type that is not minimally encoded: PROTOCOL_VIOLATION (§12.4 allows it);</li>
 *   <li>a frame type RFC 9000 does not define: FRAME_ENCODING_ERROR;</li>
 *   <li>a frame not allowed at the packet's level ({@link FrameRules}): PROTOCOL_VIOLATION;</li>
 *   <li>a truncated field, a length past the end of the payload, an ACK range below 0, a CRYPTO or STREAM frame
 *       ending past 2^62 - 1, a MAX_STREAMS or STREAMS_BLOCKED count above 2^60, a NEW_CONNECTION_ID with a length
 *       outside 1..20 or Retire Prior To above its Sequence Number, an empty NEW_TOKEN: FRAME_ENCODING_ERROR.</li>
 * </ul>
 *
 * <p>The decoder reads with absolute indexes only: it never changes the payload's contents, position or limit, so
 * the same bytes can be decoded twice, first with a no-op visitor to validate the whole packet, then to apply it.
 * Decoding allocates nothing except the exception on failure; ACK frames are presented through one reusable
 * {@link AckFrame}. An instance is not thread-safe and not reentrant; use one per connection.
 */
public final class FrameDecoder {
    /** The largest Maximum Streams value of MAX_STREAMS and STREAMS_BLOCKED frames, 2^60 (§19.11, §19.14). */
    public static final long MAX_STREAMS = 1L << 60;
    /** The smallest Length of a NEW_CONNECTION_ID frame's Connection ID (§19.15). */
    public static final int MIN_CONNECTION_ID_LENGTH = 1;
    /** The largest Length of a NEW_CONNECTION_ID frame's Connection ID (§19.15). */
    public static final int MAX_CONNECTION_ID_LENGTH = 20;
    /** The length of a Stateless Reset Token (§19.15). */
    public static final int STATELESS_RESET_TOKEN_LENGTH = 16;
    /** The length of the Data field of PATH_CHALLENGE and PATH_RESPONSE (§19.17, §19.18). */
    public static final int PATH_DATA_LENGTH = 8;

    /** The flyweight handed to {@link FrameVisitor#ack}. */
    private final AckFrame ack = new AckFrame();
    /** The payload being decoded; null between calls. */
    private ByteBuffer buf;
    /** Absolute index of the next unread byte. */
    private int pos;
    /** The payload's limit when decoding started. */
    private int end;
    /** The type of the frame being decoded, reported in exceptions. */
    private long type;

    /** A decoder with no state beyond its reusable ACK view. */
    public FrameDecoder() {
    }

    /**
     * Decodes every frame from the payload's position to its limit, in order, calling {@code visitor} for each one.
     *
     * @param payload the decrypted packet payload; not retained, its contents, position and limit are left unchanged
     * @param level the encryption level of the packet that carried the payload, which decides the allowed frames
     * @return whether the payload holds an ack-eliciting frame (any frame but PADDING, ACK and CONNECTION_CLOSE)
     * @throws QuicException for a malformed or forbidden frame (see the class description), or as thrown by the
     *     visitor; frames before the bad one have been reported
     */
    public boolean decode(ByteBuffer payload, EncryptionLevel level, FrameVisitor visitor) throws QuicException {
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(visitor, "visitor");
        if (buf != null) {
            throw new IllegalStateException("FrameDecoder is not reentrant");
        }
        buf = payload;
        pos = payload.position();
        end = payload.limit();
        type = 0;
        try {
            if (pos >= end) {
                throw QuicException.protocolViolation(0, "packet payload has no frames");
            }
            boolean ackEliciting = false;
            while (pos < end) {
                readFrameType();
                FrameRules.checkAllowed(type, level);
                ackEliciting |= FrameRules.isAckEliciting(type);
                decodeFrame(visitor);
            }
            return ackEliciting;
        } finally {
            ack.release();
            buf = null;
        }
    }

    private void readFrameType() throws QuicException {
        type = 0;
        int start = pos;
        long value = varint();
        type = value;
        if (VarInt.lengthOf(buf.get(start)) != VarInt.encodedLength(value)) {
            throw QuicException.protocolViolation(value, "frame type not minimally encoded");
        }
    }

    private void decodeFrame(FrameVisitor visitor) throws QuicException {
        int t = (int) type;
        switch (t) {
            case (int) FrameType.PADDING:
                // a client Initial is mostly padding: skip it eight bytes at a time (an absolute getLong reads the
                // same bytes whatever the buffer's byte order), then byte by byte
                int from = pos;
                while (end - pos >= Long.BYTES && buf.getLong(pos) == 0) {
                    pos += Long.BYTES;
                }
                while (pos < end && buf.get(pos) == 0) {
                    pos++;
                }
                visitor.padding(1 + pos - from);
                break;
            case (int) FrameType.PING:
                visitor.ping();
                break;
            case (int) FrameType.ACK:
            case (int) FrameType.ACK_ECN:
                decodeAck(visitor);
                break;
            case (int) FrameType.RESET_STREAM: {
                long streamId = varint();
                long errorCode = varint();
                visitor.resetStream(streamId, errorCode, varint());
                break;
            }
            case (int) FrameType.STOP_SENDING:
            case (int) FrameType.MAX_STREAM_DATA:
            case (int) FrameType.STREAM_DATA_BLOCKED: {
                long streamId = varint();
                skipVarints(1);
                visitor.streamFrame(type, streamId);
                break;
            }
            case (int) FrameType.CRYPTO: {
                long offset = varint();
                int length = dataLength(varint());
                checkEnd(offset, length);
                int index = pos;
                pos += length;
                visitor.crypto(offset, buf, index, length);
                break;
            }
            case (int) FrameType.NEW_TOKEN: {
                int length = dataLength(varint());
                if (length == 0) {
                    throw QuicException.frameEncoding(type, "empty token");
                }
                int index = pos;
                pos += length;
                visitor.newToken(buf, index, length);
                break;
            }
            case (int) FrameType.MAX_DATA:
            case (int) FrameType.DATA_BLOCKED:
                skipVarints(1);
                visitor.otherFrame(type);
                break;
            case (int) FrameType.RETIRE_CONNECTION_ID:
                visitor.retireConnectionId(varint());
                break;
            case (int) FrameType.MAX_STREAMS_BIDI:
            case (int) FrameType.MAX_STREAMS_UNI:
            case (int) FrameType.STREAMS_BLOCKED_BIDI:
            case (int) FrameType.STREAMS_BLOCKED_UNI:
                if (varint() > MAX_STREAMS) {
                    throw QuicException.frameEncoding(type, "maximum streams above 2^60");
                }
                visitor.otherFrame(type);
                break;
            case (int) FrameType.NEW_CONNECTION_ID:
                decodeNewConnectionId(visitor);
                break;
            case (int) FrameType.PATH_CHALLENGE: {
                int index = pos;
                skipBytes(PATH_DATA_LENGTH);
                visitor.pathChallenge(buf, index);
                break;
            }
            case (int) FrameType.PATH_RESPONSE:
                skipBytes(PATH_DATA_LENGTH);
                visitor.otherFrame(type);
                break;
            case (int) FrameType.CONNECTION_CLOSE:
            case (int) FrameType.CONNECTION_CLOSE_APP:
                decodeConnectionClose(visitor);
                break;
            case (int) FrameType.HANDSHAKE_DONE:
                visitor.handshakeDone();
                break;
            default:
                // The STREAM types 0x08..0x0f; FrameRules.checkAllowed has rejected every unknown type.
                decodeStream(visitor);
                break;
        }
    }

    private void decodeAck(FrameVisitor visitor) throws QuicException {
        long largest = varint();
        long ackDelay = varint();
        long rangeCount = varint();
        long firstRange = varint();
        if (firstRange > largest) {
            throw QuicException.frameEncoding(type, "first ACK range below packet number 0");
        }
        long smallest = largest - firstRange;
        int rangesIndex = pos;
        // Each range takes at least two bytes, so a huge count fails on truncation within the payload's length.
        for (long i = 0; i < rangeCount; i++) {
            long gap = varint();
            long length = varint();
            // Both fields are below 2^62, so neither subtraction can overflow.
            long rangeLargest = smallest - gap - 2;
            if (rangeLargest < 0 || length > rangeLargest) {
                throw QuicException.frameEncoding(type, "ACK range below packet number 0");
            }
            smallest = rangeLargest - length;
        }
        long ect0 = 0;
        long ect1 = 0;
        long ce = 0;
        if (type == FrameType.ACK_ECN) {
            ect0 = varint();
            ect1 = varint();
            ce = varint();
        }
        ack.set(buf, type, largest, ackDelay, rangeCount, firstRange, rangesIndex, smallest, ect0, ect1, ce);
        try {
            visitor.ack(ack);
        } finally {
            ack.release();
        }
    }

    private void decodeStream(FrameVisitor visitor) throws QuicException {
        long streamId = varint();
        long offset = (type & FrameType.STREAM_OFF_BIT) != 0 ? varint() : 0;
        int length = (type & FrameType.STREAM_LEN_BIT) != 0 ? dataLength(varint()) : end - pos;
        checkEnd(offset, length);
        int index = pos;
        pos += length;
        visitor.streamData(type, streamId, offset, buf, index, length, (type & FrameType.STREAM_FIN_BIT) != 0);
    }

    private void decodeNewConnectionId(FrameVisitor visitor) throws QuicException {
        long sequence = varint();
        long retirePriorTo = varint();
        if (retirePriorTo > sequence) {
            throw QuicException.frameEncoding(type, "Retire Prior To above Sequence Number");
        }
        if (pos >= end) {
            throw QuicException.frameEncoding(type, "truncated connection ID length");
        }
        int length = buf.get(pos++) & 0xff;
        if (length < MIN_CONNECTION_ID_LENGTH || length > MAX_CONNECTION_ID_LENGTH) {
            throw QuicException.frameEncoding(type, "connection ID length outside 1..20");
        }
        int idIndex = pos;
        skipBytes(length + STATELESS_RESET_TOKEN_LENGTH);
        visitor.newConnectionId(sequence, retirePriorTo, buf, idIndex, length, idIndex + length);
    }

    private void decodeConnectionClose(FrameVisitor visitor) throws QuicException {
        CloseType closeType = type == FrameType.CONNECTION_CLOSE ? CloseType.TRANSPORT : CloseType.APPLICATION;
        long errorCode = varint();
        long triggeringType = closeType == CloseType.TRANSPORT ? varint() : 0;
        int reasonLength = dataLength(varint());
        int reasonIndex = pos;
        pos += reasonLength;
        visitor.connectionClose(closeType, errorCode, triggeringType, buf, reasonIndex, reasonLength);
    }

    /** Reads the varint at {@link #pos} and advances past it. */
    private long varint() throws QuicException {
        if (pos >= end || end - pos < VarInt.lengthOf(buf.get(pos))) {
            throw QuicException.frameEncoding(type, "truncated variable-length integer");
        }
        long value = VarInt.decode(buf, pos);
        pos += VarInt.lengthOf(buf.get(pos));
        return value;
    }

    private void skipVarints(int count) throws QuicException {
        for (int i = 0; i < count; i++) {
            varint();
        }
    }

    private void skipBytes(int count) throws QuicException {
        if (end - pos < count) {
            throw QuicException.frameEncoding(type, "truncated frame");
        }
        pos += count;
    }

    /** Checks that a length field's data fits the rest of the payload. */
    private int dataLength(long length) throws QuicException {
        if (length > end - pos) {
            throw QuicException.frameEncoding(type, "length runs past the end of the packet");
        }
        return (int) length;
    }

    /** Checks that stream or crypto data ends at or below 2^62 - 1 (§19.6, §19.8). */
    private void checkEnd(long offset, int length) throws QuicException {
        if (offset > VarInt.MAX_VALUE - length) {
            throw QuicException.frameEncoding(type, "data ends past 2^62 - 1");
        }
    }
}
