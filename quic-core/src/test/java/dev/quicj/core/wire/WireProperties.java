package dev.quicj.core.wire;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.QuicException;
import dev.quicj.core.TransportErrorCode;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * The properties shared by the seeded randomized tests ({@link WirePropertyTest}) and the Jazzer fuzz targets
 * ({@link WireFuzzTest}). Each throws {@link AssertionError} (or lets an unexpected exception escape) on a violation.
 */
final class WireProperties {
    private static final byte SENTINEL = 0x2a;

    private WireProperties() {
    }

    /** Any long: in range it round-trips through every encoder and decoder; out of range it is rejected. */
    static void varint(long value) {
        ByteBuffer dst = sentinel(12);
        dst.position(2);
        if (value < 0 || value > VarInt.MAX_VALUE) {
            expectIllegalArgument(() -> VarInt.encodedLength(value));
            expectIllegalArgument(() -> VarInt.encode(dst, value));
            expectIllegalArgument(() -> VarInt.encode(dst, 2, value));
            check(dst.position() == 2 && untouched(dst, 0, 12), "rejected value wrote to the buffer");
            return;
        }
        int length = VarInt.encodedLength(value);
        check(length == minimalLength(value), "encodedLength " + length + " for " + value);
        check(VarInt.encode(dst, value) == length && dst.position() == 2 + length, "encode length");
        check(untouched(dst, 0, 2) && untouched(dst, 2 + length, 12), "encode wrote outside its bytes");
        check(VarInt.lengthOf(dst.get(2)) == length, "prefix bits do not announce the length");
        ByteBuffer abs = sentinel(12);
        check(VarInt.encode(abs, 2, value) == length && abs.position() == 0, "absolute encode");
        check(Arrays.equals(dst.array(), abs.array()), "absolute and relative encodings differ");
        try {
            dst.limit(2 + length);
            check(VarInt.read(dst, 2, FrameType.PING) == value, "absolute read");
            check(VarInt.isMinimal(dst, 2), "minimal encoding not seen as minimal");
            dst.position(2);
            check(VarInt.read(dst, FrameType.PING) == value && dst.position() == 2 + length, "relative read");
            for (int cut = 2; cut < 2 + length; cut++) {
                dst.limit(cut).position(2);
                expectFrameEncoding(() -> VarInt.read(dst, FrameType.PING), FrameType.PING);
                expectFrameEncoding(() -> VarInt.read(dst, 2, FrameType.PING), FrameType.PING);
                check(dst.position() == 2, "failed read moved the position");
            }
            // Every longer form decodes to the same value and is not minimal.
            for (int wide = length * 2; wide <= 8; wide *= 2) {
                ByteBuffer w = ByteBuffer.wrap(new TestFrames.Builder().varint(value, wide).bytes());
                check(VarInt.read(w, 0, FrameType.PING) == value && !VarInt.isMinimal(w, 0), "non-minimal form");
            }
        } catch (QuicException e) {
            throw new AssertionError("valid varint rejected: " + e, e);
        }
    }

    /**
     * Any four field values: valid ones round-trip through the value, the static encoder, {@code decode} and the
     * {@link FrameDecoder}, match the independent test writer byte for byte, and every truncated prefix is a
     * FRAME_ENCODING_ERROR; invalid ones are rejected with IllegalArgumentException.
     */
    static void connectionClose(CloseType type, long errorCode, long frameType, byte[] reason) {
        boolean codeOk = errorCode >= 0 && errorCode <= VarInt.MAX_VALUE;
        boolean frameTypeOk = type == CloseType.APPLICATION || frameType >= 0 && frameType <= VarInt.MAX_VALUE;
        if (!codeOk || !frameTypeOk) {
            ByteBuffer dst = sentinel(reason.length + 32);
            expectIllegalArgument(() -> ConnectionCloseFrame.encodedLength(type, errorCode, frameType, reason.length));
            expectIllegalArgument(() -> ConnectionCloseFrame.encode(dst, type, errorCode, frameType, reason, 0,
                    reason.length));
            expectIllegalArgument(() -> new ConnectionCloseFrame(type, errorCode, frameType, reason));
            check(dst.position() == 0 && untouched(dst, 0, dst.capacity()), "rejected frame wrote to the buffer");
            return;
        }
        long valueFrameType = type == CloseType.TRANSPORT ? frameType : 0;
        ConnectionCloseFrame frame = new ConnectionCloseFrame(type, errorCode, valueFrameType, reason);
        byte[] expected = new TestFrames.Builder().connectionClose(type, errorCode, frameType, reason).bytes();
        int length = expected.length;
        check(frame.encodedLength() == length, "encodedLength " + frame.encodedLength() + " != " + length);
        check(ConnectionCloseFrame.encodedLength(type, errorCode, frameType, reason.length) == length,
                "static encodedLength");

        ByteBuffer dst = sentinel(length + 4);
        dst.position(2);
        check(frame.encode(dst) == length && dst.position() == 2 + length, "encode length");
        check(untouched(dst, 0, 2) && untouched(dst, 2 + length, length + 4), "encode wrote outside its bytes");
        check(Arrays.equals(Arrays.copyOfRange(dst.array(), 2, 2 + length), expected),
                "encoding differs from the test writer: " + Hex.encode(dst.array()) + " vs " + Hex.encode(expected));
        ByteBuffer staticDst = sentinel(length + 4);
        staticDst.position(2);
        check(ConnectionCloseFrame.encode(staticDst, type, errorCode, frameType, reason, 0, reason.length) == length,
                "static encode length");
        check(Arrays.equals(dst.array(), staticDst.array()), "static and value encodings differ");

        try {
            ByteBuffer src = ByteBuffer.wrap(expected);
            src.position(1);
            ConnectionCloseFrame decoded = ConnectionCloseFrame.decode(src, type.frameType());
            check(decoded.equals(frame) && decoded.hashCode() == frame.hashCode(), "decode gave " + decoded);
            check(decoded.type() == type && decoded.errorCode() == errorCode && decoded.frameType() == valueFrameType
                    && Arrays.equals(decoded.reasonPhrase(), reason), "a field was lost: " + decoded);
            check(src.position() == length, "decode did not consume the frame");
            List<String> events = TestFrames.decodeTwice(expected, EncryptionLevel.ONE_RTT);
            check(events.equals(List.of("close " + type + " code=" + errorCode + " ft=" + valueFrameType + " reason="
                    + Hex.encode(reason))), "FrameDecoder reported " + events);
        } catch (QuicException e) {
            throw new AssertionError("valid frame rejected: " + e, e);
        }
        for (EncryptionLevel level : new EncryptionLevel[] {EncryptionLevel.INITIAL, EncryptionLevel.HANDSHAKE}) {
            ByteBuffer payload = TestFrames.embed(expected);
            if (type == CloseType.APPLICATION) {
                expectCode(() -> new FrameDecoder().decode(payload, level, new FrameVisitor() { }),
                        TransportErrorCode.PROTOCOL_VIOLATION, type.frameType());
            } else {
                try {
                    new FrameDecoder().decode(payload, level, new FrameVisitor() { });
                } catch (QuicException e) {
                    throw new AssertionError("0x1c rejected in " + level + ": " + e, e);
                }
            }
        }
        for (int cut = 1; cut < length; cut++) {
            ByteBuffer body = ByteBuffer.wrap(expected, 0, cut);
            body.position(1);
            expectFrameEncoding(() -> ConnectionCloseFrame.decode(body, type.frameType()), type.frameType());
            check(body.position() == 1, "failed decode moved the position");
            ByteBuffer payload = TestFrames.embed(Arrays.copyOf(expected, cut));
            expectFrameEncoding(() -> new FrameDecoder().decode(payload, EncryptionLevel.ONE_RTT,
                    new FrameVisitor() { }), type.frameType());
        }
    }

    /**
     * A random valid frame sequence decodes to exactly the events written, and every prefix of it either decodes to
     * the events of the complete frames it holds or fails with FRAME_ENCODING_ERROR naming the cut frame; only a
     * PADDING run or a STREAM frame without Length may be cut and still be valid.
     */
    static void framePrefixes(TestFrames.Source source, EncryptionLevel level) {
        TestFrames.Builder b = TestFrames.randomFrames(source, level);
        byte[] bytes = b.bytes();
        try {
            List<String> events = TestFrames.decodeTwice(bytes, level);
            check(events.equals(b.events), "decoded " + events + " but wrote " + b.events);
        } catch (QuicException e) {
            throw new AssertionError("valid sequence " + Hex.encode(bytes) + " rejected: " + e, e);
        }
        expectCode(() -> new FrameDecoder().decode(TestFrames.embed(new byte[0]), level, new FrameVisitor() { }),
                TransportErrorCode.PROTOCOL_VIOLATION, 0);
        int frame = 0;
        for (int cut = 1; cut < bytes.length; cut++) {
            while (b.frames.get(frame).end <= cut) {
                frame++;
            }
            TestFrames.Frame f = b.frames.get(frame);
            byte[] prefix = Arrays.copyOf(bytes, cut);
            if (f.start == cut) {
                try {
                    List<String> events = TestFrames.decodeTwice(prefix, level);
                    check(events.equals(b.events.subList(0, frame)), "prefix at a frame boundary decoded " + events);
                } catch (QuicException e) {
                    throw new AssertionError("prefix of whole frames " + Hex.encode(prefix) + " rejected: " + e, e);
                }
            } else if (f.tailExtensible) {
                try {
                    TestFrames.decodeTwice(prefix, level);
                } catch (QuicException e) {
                    check(e.errorCode() == TransportErrorCode.FRAME_ENCODING_ERROR && e.frameType() == f.type,
                            "cut " + FrameType.name(f.type) + " gave " + e);
                }
            } else {
                ByteBuffer payload = TestFrames.embed(prefix);
                expectFrameEncoding(() -> new FrameDecoder().decode(payload, level, new FrameVisitor() { }), f.type);
            }
        }
    }

    /**
     * Arbitrary bytes at every level: the decoder throws nothing but QuicException, never changes the buffer, and
     * decodes the same bytes the same way twice.
     */
    static void arbitraryPayload(byte[] data) {
        for (EncryptionLevel level : EncryptionLevel.values()) {
            ByteBuffer payload = TestFrames.embed(data);
            byte[] before = payload.array().clone();
            FrameDecoder decoder = new FrameDecoder();
            String first;
            try {
                TestFrames.RecordingVisitor visitor = new TestFrames.RecordingVisitor();
                boolean ackEliciting = decoder.decode(payload, level, visitor);
                first = ackEliciting + " " + visitor.events;
            } catch (QuicException e) {
                first = e.errorCode() + "/" + e.frameType();
            }
            check(payload.position() == 3 && payload.limit() == 3 + data.length, "position or limit moved");
            check(Arrays.equals(before, payload.array()), "buffer contents changed");
            String second;
            try {
                TestFrames.RecordingVisitor visitor = new TestFrames.RecordingVisitor();
                boolean ackEliciting = decoder.decode(payload, level, visitor);
                second = ackEliciting + " " + visitor.events;
            } catch (QuicException e) {
                second = e.errorCode() + "/" + e.frameType();
            }
            check(first.equals(second), "second decode differs: " + first + " / " + second);
        }
    }

    /**
     * A packet number sent with the length {@link PacketNumber#encodedLength} picks is recovered by any receiver
     * whose largest received packet number lies between the sender's largest acknowledged one and the packet.
     */
    static void packetNumber(long packetNumber, long largestAcked, long largestReceived) {
        int length = PacketNumber.encodedLength(packetNumber, largestAcked);
        ByteBuffer dst = sentinel(6);
        PacketNumber.write(dst, 1, packetNumber, length);
        check(untouched(dst, 0, 1) && untouched(dst, 1 + length, 6), "write outside the field");
        long truncated = PacketNumber.read(dst, 1, length);
        check(truncated == (packetNumber & ((1L << (8 * length)) - 1)), "read back " + truncated);
        long decoded = PacketNumber.decode(truncated, length, largestReceived);
        check(decoded == packetNumber, "pn " + packetNumber + " acked " + largestAcked + " received "
                + largestReceived + " length " + length + " decoded as " + decoded);
    }

    static int minimalLength(long value) {
        return value < 64 ? 1 : value < 16384 ? 2 : value < (1L << 30) ? 4 : 8;
    }

    static ByteBuffer sentinel(int capacity) {
        byte[] bytes = new byte[capacity];
        Arrays.fill(bytes, SENTINEL);
        return ByteBuffer.wrap(bytes);
    }

    private static boolean untouched(ByteBuffer buffer, int from, int to) {
        for (int i = from; i < to; i++) {
            if (buffer.array()[i] != SENTINEL) {
                return false;
            }
        }
        return true;
    }

    static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }

    interface QuicCall {
        void run() throws QuicException;
    }

    private static void expectFrameEncoding(QuicCall call, long frameType) {
        expectCode(call, TransportErrorCode.FRAME_ENCODING_ERROR, frameType);
    }

    private static void expectCode(QuicCall call, long code, long frameType) {
        try {
            call.run();
        } catch (QuicException e) {
            check(e.errorCode() == code && e.frameType() == frameType, "expected " + TransportErrorCode.name(code)
                    + " for " + FrameType.name(frameType) + " but got " + e);
            return;
        }
        throw new AssertionError("expected " + TransportErrorCode.name(code) + " but nothing was thrown");
    }

    private static void expectIllegalArgument(Runnable call) {
        try {
            call.run();
        } catch (IllegalArgumentException expected) {
            return;
        }
        throw new AssertionError("expected IllegalArgumentException");
    }
}
