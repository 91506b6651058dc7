package dev.quicj.core.wire;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.QuicException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Test support: an independent frame writer that records the events a {@link FrameDecoder} must report, a visitor
 * that records what it reports, and a generator of random valid frame sequences driven by any randomness source.
 */
final class TestFrames {
    private TestFrames() {
    }

    /** One written frame (a PADDING run counts as one): its bytes [start, end), type, and the event it produces. */
    static final class Frame {
        final int start;
        final int end;
        final long type;
        /** Whether a prefix of the frame is itself valid (a PADDING run, a STREAM frame without Length). */
        final boolean tailExtensible;

        Frame(int start, int end, long type, boolean tailExtensible) {
            this.start = start;
            this.end = end;
            this.type = type;
            this.tailExtensible = tailExtensible;
        }
    }

    /** Writes frames byte by byte, independently of the production encoders. */
    static final class Builder {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final List<Frame> frames = new ArrayList<>();
        final List<String> events = new ArrayList<>();
        /** Extra bytes to add to each varint's length where possible (0 = minimal), set by the generator. */
        int widen;
        private int start;

        byte[] bytes() {
            return out.toByteArray();
        }

        int size() {
            return out.size();
        }

        Builder raw(String hex) {
            out.writeBytes(Hex.decode(hex));
            return this;
        }

        /** A varint in the given length (1, 2, 4 or 8), which may be longer than the minimal one. */
        Builder varint(long value, int length) {
            long prefix = Long.numberOfTrailingZeros(length);
            long v = value | (prefix << (8 * length - 2));
            for (int i = length - 1; i >= 0; i--) {
                out.write((int) (v >>> (8 * i)));
            }
            return this;
        }

        Builder varint(long value) {
            int length = VarInt.encodedLength(value);
            for (int i = 0; i < widen && length < 8; i++) {
                length *= 2;
            }
            return varint(value, length);
        }

        private Builder begin(long type) {
            start = out.size();
            out.write((int) type);
            return this;
        }

        private void end(long type, String event, boolean tailExtensible) {
            frames.add(new Frame(start, out.size(), type, tailExtensible));
            events.add(event);
        }

        Builder padding(int count) {
            Frame last = frames.isEmpty() ? null : frames.get(frames.size() - 1);
            int total = count;
            if (last != null && last.type == FrameType.PADDING) {
                // Consecutive PADDING frames form one run, reported once.
                frames.remove(frames.size() - 1);
                events.remove(events.size() - 1);
                start = last.start;
                total += last.end - last.start;
            } else {
                start = out.size();
            }
            out.write(new byte[count], 0, count);
            end(FrameType.PADDING, "padding " + total, true);
            return this;
        }

        Builder ping() {
            begin(FrameType.PING);
            end(FrameType.PING, "ping", false);
            return this;
        }

        /** An ACK frame; {@code ranges} alternates Gap and ACK Range Length; {@code ecn} is null or 3 counts. */
        Builder ack(long largest, long delay, long firstRange, long[] ranges, long[] ecn) {
            long type = ecn == null ? FrameType.ACK : FrameType.ACK_ECN;
            begin(type).varint(largest).varint(delay).varint(ranges.length / 2).varint(firstRange);
            StringBuilder event = new StringBuilder("ack largest=").append(largest).append(" delay=").append(delay)
                    .append(" count=").append(ranges.length / 2).append(" first=").append(firstRange).append(" [");
            long rangeLargest = largest;
            long smallest = largest - firstRange;
            event.append(rangeLargest).append("..").append(smallest);
            for (int i = 0; i < ranges.length; i += 2) {
                varint(ranges[i]).varint(ranges[i + 1]);
                rangeLargest = smallest - ranges[i] - 2;
                smallest = rangeLargest - ranges[i + 1];
                event.append(',').append(rangeLargest).append("..").append(smallest);
            }
            event.append("] smallest=").append(smallest);
            if (ecn != null) {
                varint(ecn[0]).varint(ecn[1]).varint(ecn[2]);
                event.append(" ecn=").append(ecn[0]).append('/').append(ecn[1]).append('/').append(ecn[2]);
            }
            end(type, event.toString(), false);
            return this;
        }

        Builder crypto(long offset, byte[] data) {
            begin(FrameType.CRYPTO).varint(offset).varint(data.length);
            out.writeBytes(data);
            end(FrameType.CRYPTO, "crypto offset=" + offset + " data=" + Hex.encode(data), false);
            return this;
        }

        Builder newToken(byte[] token) {
            begin(FrameType.NEW_TOKEN).varint(token.length);
            out.writeBytes(token);
            end(FrameType.NEW_TOKEN, "new_token " + Hex.encode(token), false);
            return this;
        }

        /** A STREAM frame; without {@code len} the data runs to the end of the payload, so it must come last. */
        Builder stream(boolean off, boolean len, boolean fin, long streamId, long offset, byte[] data) {
            long type = FrameType.STREAM | (off ? FrameType.STREAM_OFF_BIT : 0)
                    | (len ? FrameType.STREAM_LEN_BIT : 0) | (fin ? FrameType.STREAM_FIN_BIT : 0);
            begin(type).varint(streamId);
            if (off) {
                varint(offset);
            }
            if (len) {
                varint(data.length);
            }
            out.writeBytes(data);
            end(type, "other " + FrameType.name(type), !len);
            return this;
        }

        /** Any frame whose body is only varints: RESET_STREAM, MAX_DATA, MAX_STREAMS, RETIRE_CONNECTION_ID... */
        Builder varintFrame(long type, long... fields) {
            begin(type);
            for (long f : fields) {
                varint(f);
            }
            end(type, "other " + FrameType.name(type), false);
            return this;
        }

        Builder newConnectionId(long sequence, long retirePriorTo, byte[] cid, byte[] token) {
            begin(FrameType.NEW_CONNECTION_ID).varint(sequence).varint(retirePriorTo);
            out.write(cid.length);
            out.writeBytes(cid);
            out.writeBytes(token);
            end(FrameType.NEW_CONNECTION_ID, "other NEW_CONNECTION_ID", false);
            return this;
        }

        Builder path(long type, byte[] data) {
            begin(type);
            out.writeBytes(data);
            end(type, "other " + FrameType.name(type), false);
            return this;
        }

        Builder connectionClose(CloseType closeType, long errorCode, long frameType, byte[] reason) {
            long type = closeType.frameType();
            begin(type).varint(errorCode);
            if (closeType == CloseType.TRANSPORT) {
                varint(frameType);
            }
            varint(reason.length);
            out.writeBytes(reason);
            end(type, "close " + closeType + " code=" + errorCode + " ft="
                    + (closeType == CloseType.TRANSPORT ? frameType : 0) + " reason=" + Hex.encode(reason), false);
            return this;
        }

        Builder handshakeDone() {
            begin(FrameType.HANDSHAKE_DONE);
            end(FrameType.HANDSHAKE_DONE, "handshake_done", false);
            return this;
        }
    }

    /** Records every callback as the same strings {@link Builder} expects. */
    static final class RecordingVisitor implements FrameVisitor {
        final List<String> events = new ArrayList<>();

        @Override
        public void padding(int length) {
            events.add("padding " + length);
        }

        @Override
        public void ping() {
            events.add("ping");
        }

        @Override
        public void ack(AckFrame ack) {
            StringBuilder event = new StringBuilder("ack largest=").append(ack.largestAcknowledged())
                    .append(" delay=").append(ack.ackDelay()).append(" count=").append(ack.ackRangeCount())
                    .append(" first=").append(ack.firstAckRange()).append(" [");
            String sep = "";
            while (ack.nextRange()) {
                event.append(sep).append(ack.rangeLargest()).append("..").append(ack.rangeSmallest());
                sep = ",";
            }
            event.append("] smallest=").append(ack.smallestAcknowledged());
            if (ack.hasEcn()) {
                event.append(" ecn=").append(ack.ect0()).append('/').append(ack.ect1()).append('/').append(ack.ce());
            }
            events.add(event.toString());
        }

        @Override
        public void crypto(long offset, ByteBuffer payload, int dataIndex, int length) {
            events.add("crypto offset=" + offset + " data=" + hex(payload, dataIndex, length));
        }

        @Override
        public void newToken(ByteBuffer payload, int tokenIndex, int tokenLength) {
            events.add("new_token " + hex(payload, tokenIndex, tokenLength));
        }

        @Override
        public void handshakeDone() {
            events.add("handshake_done");
        }

        @Override
        public void connectionClose(CloseType type, long errorCode, long frameType, ByteBuffer payload,
                int reasonIndex, int reasonLength) {
            events.add("close " + type + " code=" + errorCode + " ft=" + frameType + " reason="
                    + hex(payload, reasonIndex, reasonLength));
        }

        @Override
        public void otherFrame(long frameType) {
            events.add("other " + FrameType.name(frameType));
        }

        private static String hex(ByteBuffer payload, int index, int length) {
            byte[] bytes = new byte[length];
            payload.get(index, bytes);
            return Hex.encode(bytes);
        }
    }

    /** The randomness a generator draws from: seeded JUnit randomness or a fuzzer's data. */
    interface Source {
        /** A value in [min, max]. */
        long range(long min, long max);

        boolean bool();

        /** Up to {@code n} bytes (a fuzzer's data may run out). */
        byte[] bytes(int n);
    }

    static Source random(SplittableRandom random) {
        return new Source() {
            @Override
            public long range(long min, long max) {
                return max == Long.MAX_VALUE ? min + random.nextLong(max - min) : random.nextLong(min, max + 1);
            }

            @Override
            public boolean bool() {
                return random.nextBoolean();
            }

            @Override
            public byte[] bytes(int n) {
                byte[] b = new byte[n];
                random.nextBytes(b);
                return b;
            }
        };
    }

    static Source fuzzed(com.code_intelligence.jazzer.api.FuzzedDataProvider data) {
        return new Source() {
            @Override
            public long range(long min, long max) {
                return data.consumeLong(min, max);
            }

            @Override
            public boolean bool() {
                return data.consumeBoolean();
            }

            @Override
            public byte[] bytes(int n) {
                return data.consumeBytes(n);
            }
        };
    }

    /** A varint value, biased to the length boundaries. */
    static long value(Source s, long max) {
        long[] edges = {0, 63, 64, 16383, 16384, (1L << 30) - 1, 1L << 30, VarInt.MAX_VALUE};
        switch ((int) s.range(0, 3)) {
            case 0:
                return Math.min(max, edges[(int) s.range(0, edges.length - 1)]);
            case 1:
                return s.range(0, Math.min(max, 63));
            case 2:
                return s.range(0, Math.min(max, 16383));
            default:
                return s.range(0, max);
        }
    }

    /**
     * Writes 1 to 8 random valid frames allowed at {@code level}; about a third of the sequences use longer than
     * minimal varints in the fields (never in the frame type).
     */
    static Builder randomFrames(Source s, EncryptionLevel level) {
        Builder b = new Builder();
        int count = (int) s.range(1, 8);
        for (int i = 0; i < count; i++) {
            b.widen = (int) s.range(0, 2) == 2 ? (int) s.range(1, 3) : 0;
            long type;
            do {
                type = s.range(0, FrameType.MAX_KNOWN);
            } while (!FrameRules.isAllowed(type, level));
            boolean last = i == count - 1;
            writeRandomFrame(s, b, type, last);
        }
        return b;
    }

    private static void writeRandomFrame(Source s, Builder b, long type, boolean last) {
        switch ((int) type) {
            case 0x00:
                b.padding((int) s.range(1, 40));
                break;
            case 0x01:
                b.ping();
                break;
            case 0x02:
            case 0x03: {
                long largest = value(s, VarInt.MAX_VALUE);
                long first = s.range(0, largest);
                long smallest = largest - first;
                int ranges = (int) s.range(0, 4);
                long[] fields = new long[2 * ranges];
                int n = 0;
                for (int r = 0; r < ranges && smallest >= 2; r++) {
                    long gap = s.bool() ? 0 : s.range(0, smallest - 2);
                    long rangeLargest = smallest - gap - 2;
                    long length = s.bool() ? 0 : s.range(0, rangeLargest);
                    fields[n++] = gap;
                    fields[n++] = length;
                    smallest = rangeLargest - length;
                }
                long[] ecn = type == 0x03
                        ? new long[] {value(s, VarInt.MAX_VALUE), value(s, VarInt.MAX_VALUE), value(s, 1000)}
                        : null;
                b.ack(largest, value(s, VarInt.MAX_VALUE), first, java.util.Arrays.copyOf(fields, n), ecn);
                break;
            }
            case 0x06: {
                byte[] data = s.bytes((int) s.range(0, 30));
                b.crypto(value(s, VarInt.MAX_VALUE - data.length), data);
                break;
            }
            case 0x07: {
                byte[] token = s.bytes((int) s.range(1, 30));
                if (token.length == 0) {
                    token = new byte[] {0x42};
                }
                b.newToken(token);
                break;
            }
            case 0x04:
                b.varintFrame(type, value(s, VarInt.MAX_VALUE), value(s, VarInt.MAX_VALUE), value(s, VarInt.MAX_VALUE));
                break;
            case 0x05:
            case 0x11:
            case 0x15:
                b.varintFrame(type, value(s, VarInt.MAX_VALUE), value(s, VarInt.MAX_VALUE));
                break;
            case 0x10:
            case 0x14:
            case 0x19:
                b.varintFrame(type, value(s, VarInt.MAX_VALUE));
                break;
            case 0x12:
            case 0x13:
            case 0x16:
            case 0x17:
                b.varintFrame(type, s.bool() ? FrameDecoder.MAX_STREAMS : value(s, FrameDecoder.MAX_STREAMS));
                break;
            case 0x18: {
                long sequence = value(s, VarInt.MAX_VALUE);
                byte[] cid = s.bytes((int) s.range(1, 20));
                if (cid.length == 0) {
                    cid = new byte[] {0x17};
                }
                byte[] token = java.util.Arrays.copyOf(s.bytes(16), 16);
                b.newConnectionId(sequence, s.range(0, sequence), cid, token);
                break;
            }
            case 0x1a:
            case 0x1b:
                b.path(type, java.util.Arrays.copyOf(s.bytes(8), 8));
                break;
            case 0x1c:
            case 0x1d:
                b.connectionClose(type == 0x1c ? CloseType.TRANSPORT : CloseType.APPLICATION,
                        value(s, VarInt.MAX_VALUE), value(s, VarInt.MAX_VALUE), s.bytes((int) s.range(0, 30)));
                break;
            case 0x1e:
                b.handshakeDone();
                break;
            default: {
                boolean len = !last || s.bool();
                byte[] data = s.bytes((int) s.range(0, 30));
                boolean off = (type & FrameType.STREAM_OFF_BIT) != 0;
                long offset = off ? value(s, VarInt.MAX_VALUE - data.length) : 0;
                b.stream(off, len, (type & FrameType.STREAM_FIN_BIT) != 0, value(s, VarInt.MAX_VALUE), offset, data);
                break;
            }
        }
    }

    /**
     * Checks that decoding {@code bytes} at {@code level} reports exactly {@code events}, twice, and leaves the
     * buffer's contents, position and limit unchanged. The payload sits at an offset inside a larger buffer.
     */
    static List<String> decodeTwice(byte[] bytes, EncryptionLevel level) throws QuicException {
        ByteBuffer buffer = embed(bytes);
        byte[] before = buffer.array().clone();
        int position = buffer.position();
        int limit = buffer.limit();
        FrameDecoder decoder = new FrameDecoder();
        RecordingVisitor first = new RecordingVisitor();
        decoder.decode(buffer, level, first);
        RecordingVisitor second = new RecordingVisitor();
        decoder.decode(buffer, level, second);
        if (!first.events.equals(second.events) || buffer.position() != position || buffer.limit() != limit
                || !java.util.Arrays.equals(before, buffer.array())) {
            throw new AssertionError("second decode differs or buffer changed: " + first.events + " / "
                    + second.events);
        }
        return first.events;
    }

    /** The bytes at position 3 of a buffer with 3 sentinel bytes before and after, limit after the payload. */
    static ByteBuffer embed(byte[] bytes) {
        byte[] backing = new byte[bytes.length + 6];
        java.util.Arrays.fill(backing, (byte) 0x2a);
        System.arraycopy(bytes, 0, backing, 3, bytes.length);
        ByteBuffer buffer = ByteBuffer.wrap(backing);
        buffer.position(3).limit(3 + bytes.length);
        return buffer;
    }
}
