package dev.quicj.core.wire;

import dev.quicj.core.QuicException;
import java.nio.ByteBuffer;

/**
 * Receives the frames a {@link FrameDecoder} finds in a packet payload, in order. Every method has a no-op default,
 * so {@code new FrameVisitor() {}} only validates.
 *
 * <p>Each frame is validated before its callback, but a later frame of the same payload may still be malformed: a
 * visitor that must not act on a partly bad packet runs the decoder twice, first with a no-op visitor. Variable-length
 * fields are given as an absolute index and a length into {@code payload}, the buffer passed to
 * {@link FrameDecoder#decode}; they stay valid as long as the caller keeps that buffer's contents, and a visitor
 * copies what it keeps. A visitor must not change the payload's contents, position or limit.
 *
 * <p>Any method may throw {@link QuicException} to stop decoding, for example a frame that is well-formed but
 * illegal in the connection's state; the decoder passes it on unchanged.
 */
public interface FrameVisitor {

    /**
     * A run of consecutive PADDING frames (type 0x00), one byte each.
     *
     * @param length the number of PADDING frames in the run, at least 1
     */
    default void padding(int length) throws QuicException {
    }

    /** A PING frame (type 0x01). */
    default void ping() throws QuicException {
    }

    /**
     * An ACK frame (type 0x02 or 0x03).
     *
     * @param ack a view owned by the decoder, valid only during this call
     */
    default void ack(AckFrame ack) throws QuicException {
    }

    /**
     * A CRYPTO frame (type 0x06); {@code offset + length <= 2^62 - 1}.
     *
     * @param dataIndex absolute index of the Crypto Data in {@code payload}
     */
    default void crypto(long offset, ByteBuffer payload, int dataIndex, int length) throws QuicException {
    }

    /**
     * A NEW_TOKEN frame (type 0x07); the token is never empty.
     *
     * @param tokenIndex absolute index of the Token in {@code payload}
     */
    default void newToken(ByteBuffer payload, int tokenIndex, int tokenLength) throws QuicException {
    }

    /** A HANDSHAKE_DONE frame (type 0x1e). */
    default void handshakeDone() throws QuicException {
    }

    /**
     * A CONNECTION_CLOSE frame (type 0x1c or 0x1d).
     *
     * @param frameType the type of the frame that triggered the error (0x1c); always 0 for an application close
     * @param reasonIndex absolute index of the Reason Phrase in {@code payload}
     */
    default void connectionClose(CloseType type, long errorCode, long frameType, ByteBuffer payload, int reasonIndex,
            int reasonLength) throws QuicException {
    }

    /**
     * A NEW_CONNECTION_ID frame (type 0x18), after its fields were validated (Retire Prior To at most the Sequence
     * Number, a Length of 1 to 20, §19.15). By default it is reported as {@link #otherFrame(long) otherFrame(0x18)},
     * like the frames this interface has no method of their own for.
     *
     * @param sequenceNumber the Sequence Number field
     * @param retirePriorTo the Retire Prior To field
     * @param connectionIdIndex absolute index of the Connection ID in {@code payload}
     * @param connectionIdLength its length, 1 to 20
     * @param resetTokenIndex absolute index of the 16-byte Stateless Reset Token in {@code payload}
     */
    default void newConnectionId(long sequenceNumber, long retirePriorTo, ByteBuffer payload, int connectionIdIndex,
            int connectionIdLength, int resetTokenIndex) throws QuicException {
        otherFrame(FrameType.NEW_CONNECTION_ID);
    }

    /**
     * A RETIRE_CONNECTION_ID frame (type 0x19). By default it is reported as {@link #otherFrame(long)
     * otherFrame(0x19)}, like the frames this interface has no method of their own for.
     *
     * @param sequenceNumber the Sequence Number field: the connection ID the peer retires
     */
    default void retireConnectionId(long sequenceNumber) throws QuicException {
        otherFrame(FrameType.RETIRE_CONNECTION_ID);
    }

    /**
     * A STREAM frame (types 0x08 to 0x0f), after its fields were validated: {@code offset + length <= 2^62 - 1}
     * (§19.8). By default it is reported as {@link #streamFrame(long, long) streamFrame(frameType, streamId)}.
     *
     * @param frameType the frame's type, with its OFF, LEN and FIN bits
     * @param streamId the Stream ID field, 0 to 2^62 - 1
     * @param offset the Offset field, 0 when the OFF bit is clear
     * @param dataIndex absolute index of the Stream Data in {@code payload}
     * @param length the length of the Stream Data, from the Length field or to the end of the payload
     * @param fin whether the FIN bit is set: {@code offset + length} is then the stream's final size (§4.5)
     */
    default void streamData(long frameType, long streamId, long offset, ByteBuffer payload, int dataIndex,
            int length, boolean fin) throws QuicException {
        streamFrame(frameType, streamId);
    }

    /**
     * A RESET_STREAM frame (type 0x04), after its fields were validated. By default it is reported as
     * {@link #streamFrame(long, long) streamFrame(0x04, streamId)}.
     *
     * @param streamId the Stream ID field, 0 to 2^62 - 1
     * @param errorCode the Application Protocol Error Code field
     * @param finalSize the Final Size field: the stream's final size (§4.5), 0 to 2^62 - 1
     */
    default void resetStream(long streamId, long errorCode, long finalSize) throws QuicException {
        streamFrame(FrameType.RESET_STREAM, streamId);
    }

    /**
     * A frame that names a stream: RESET_STREAM (type 0x04), STOP_SENDING (0x05), STREAM (0x08 to 0x0f),
     * MAX_STREAM_DATA (0x11) or STREAM_DATA_BLOCKED (0x15), after all its fields were validated. STREAM and
     * RESET_STREAM come here only through the defaults of {@link #streamData} and {@link #resetStream}, which a
     * visitor overrides for their offsets and final sizes. By default it is reported as
     * {@link #otherFrame(long) otherFrame(frameType)}, like the frames this interface has no method of their own for.
     *
     * @param frameType the frame's type, with a STREAM frame's OFF, LEN and FIN bits
     * @param streamId the Stream ID field, 0 to 2^62 - 1: its bit 0x01 names the initiator (set: the server) and its
     *     bit 0x02 the direction (set: unidirectional), RFC 9000 §2.1
     */
    default void streamFrame(long frameType, long streamId) throws QuicException {
        otherFrame(frameType);
    }

    /**
     * A PATH_CHALLENGE frame (type 0x1a, RFC 9000 §19.17). By default it is reported as {@link #otherFrame(long)
     * otherFrame(0x1a)}, like the frames this interface has no method of their own for.
     *
     * @param dataIndex absolute index of the 8-byte Data field in {@code payload}
     */
    default void pathChallenge(ByteBuffer payload, int dataIndex) throws QuicException {
        otherFrame(FrameType.PATH_CHALLENGE);
    }

    /**
     * Any other frame RFC 9000 defines (MAX_DATA, MAX_STREAMS, DATA_BLOCKED, STREAMS_BLOCKED, PATH_RESPONSE; and
     * RESET_STREAM, STOP_SENDING, STREAM, MAX_STREAM_DATA, STREAM_DATA_BLOCKED, NEW_CONNECTION_ID, RETIRE_CONNECTION_ID
     * and PATH_CHALLENGE unless {@link #streamData}, {@link #resetStream}, {@link #streamFrame},
     * {@link #newConnectionId}, {@link #retireConnectionId} and {@link #pathChallenge} are overridden), after its
     * fields were validated and skipped.
     */
    default void otherFrame(long frameType) throws QuicException {
    }
}
