package dev.quicj.core.inspect;

import dev.quicj.core.Hex;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.wire.CloseType;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One decoded frame of an {@link InspectedPacket}. Immutable: byte arrays are copied on the way in (a {@code null} one
 * is a {@link NullPointerException}) and on the way out, so a frame's {@code equals} and {@code hashCode} never change.
 */
public sealed interface InspectedFrame {

    /** A run of PADDING frames. */
    record Padding(int length) implements InspectedFrame {
        @Override
        public String toString() {
            return "PADDING length=" + length;
        }
    }

    /** A PING frame. */
    record Ping() implements InspectedFrame {
        @Override
        public String toString() {
            return "PING";
        }
    }

    /** An ACK frame (ECN counts are -1 when absent). */
    record Ack(long largestAcknowledged, long ackDelay, long firstAckRange, long rangeCount, long ect0, long ect1,
            long ce) implements InspectedFrame {
        @Override
        public String toString() {
            return "ACK largest=" + largestAcknowledged + " delay=" + ackDelay + " first_range=" + firstAckRange
                    + " ranges=" + rangeCount + (ect0 >= 0 ? " ect0=" + ect0 + " ect1=" + ect1 + " ce=" + ce : "");
        }
    }

    /** A CRYPTO frame. */
    record Crypto(long offset, byte[] data) implements InspectedFrame {
        /** The data is copied. */
        public Crypto {
            data = Objects.requireNonNull(data, "data").clone();
        }

        /** A copy of the data. */
        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Crypto c && c.offset == offset && Arrays.equals(c.data, data);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(offset) * 31 + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "CRYPTO offset=" + offset + " length=" + data.length;
        }
    }

    /** A NEW_TOKEN frame. */
    record NewToken(byte[] token) implements InspectedFrame {
        /** The token is copied. */
        public NewToken {
            token = Objects.requireNonNull(token, "token").clone();
        }

        /** A copy of the token. */
        @Override
        public byte[] token() {
            return token.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof NewToken t && Arrays.equals(t.token, token);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(token);
        }

        @Override
        public String toString() {
            return "NEW_TOKEN token=" + Hex.encode(token);
        }
    }

    /** A HANDSHAKE_DONE frame. */
    record HandshakeDone() implements InspectedFrame {
        @Override
        public String toString() {
            return "HANDSHAKE_DONE";
        }
    }

    /** A CONNECTION_CLOSE frame, 0x1c or 0x1d; {@code frameType} is 0 for 0x1d. */
    record ConnectionClose(CloseType type, long errorCode, long frameType, byte[] reason) implements InspectedFrame {
        /** The reason is copied. */
        public ConnectionClose {
            Objects.requireNonNull(type, "type");
            reason = Objects.requireNonNull(reason, "reason").clone();
        }

        /** A copy of the reason phrase. */
        @Override
        public byte[] reason() {
            return reason.clone();
        }

        /** The reason phrase as UTF-8. */
        public String reasonString() {
            return new String(reason, StandardCharsets.UTF_8);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ConnectionClose c && c.type == type && c.errorCode == errorCode
                    && c.frameType == frameType && Arrays.equals(c.reason, reason);
        }

        @Override
        public int hashCode() {
            return ((type.hashCode() * 31 + Long.hashCode(errorCode)) * 31 + Long.hashCode(frameType)) * 31
                    + Arrays.hashCode(reason);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("CONNECTION_CLOSE type=0x").append(Long.toHexString(type.frameType()))
                    .append(" error=0x").append(Long.toHexString(errorCode));
            if (type == CloseType.TRANSPORT) {
                sb.append(" (").append(TransportErrorCode.name(errorCode)).append(')');
            }
            sb.append(" frame_type=0x").append(Long.toHexString(frameType))
                    .append(" reason_len=").append(reason.length)
                    .append(" reason=\"").append(escape(reason)).append('"');
            return sb.toString();
        }

        private static String escape(byte[] reason) {
            StringBuilder sb = new StringBuilder();
            for (byte b : reason) {
                int c = b & 0xff;
                if (c == '"' || c == '\\') {
                    sb.append('\\').append((char) c);
                } else if (c >= 0x20 && c < 0x7f) {
                    sb.append((char) c);
                } else {
                    sb.append(String.format("\\x%02x", c));
                }
            }
            return sb.toString();
        }
    }

    /** Any other frame, validated and skipped. */
    record Other(long frameType) implements InspectedFrame {
        @Override
        public String toString() {
            return "FRAME type=0x" + Long.toHexString(frameType);
        }
    }
}
