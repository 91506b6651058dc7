package dev.quicj.core.interop;

import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;
import java.util.OptionalLong;

import dev.quicj.core.Hex;

/**
 * One QUIC frame as tshark dissected it (from a packet tshark could decrypt). The frame-specific records carry the
 * fields tshark reports; every frame also carries its raw bytes as tshark located them in the decrypted payload
 * ({@code quic.frame_raw}), empty if tshark did not report them.
 */
public sealed interface DecodedFrame
        permits DecodedFrame.ConnectionClose, DecodedFrame.Padding, DecodedFrame.Crypto, DecodedFrame.Ack,
        DecodedFrame.Other {

    /** The frame type ({@code quic.frame_type}), e.g. {@code 0x1c}. */
    long type();

    /** The frame's bytes in the decrypted payload; empty if unknown. Not copied. */
    byte[] raw();

    /** The frame type's RFC 9000 name, e.g. {@code CONNECTION_CLOSE}, {@code CONNECTION_CLOSE_APP}, {@code STREAM}. */
    default String name() {
        return frameName(type());
    }

    /** A compact one-line rendering, e.g. {@code CONNECTION_CLOSE type=0x1c error=0x128 frame_type=0x0 ...}. */
    String summary();

    /**
     * A CONNECTION_CLOSE frame (type {@code 0x1c}, transport) or (type {@code 0x1d}, application).
     *
     * @param type                {@code 0x1c} or {@code 0x1d}
     * @param errorCode           {@code quic.cc.error_code} (0x1c) or {@code quic.cc.error_code.app} (0x1d)
     * @param triggeringFrameType {@code quic.cc.frame_type}; present for 0x1c only
     * @param reasonLength        {@code quic.cc.reason_phrase.length}
     * @param reason              the reason phrase bytes ({@code quic.cc.reason_phrase}'s raw bytes); not copied
     * @param tlsAlert            {@code quic.cc.error_code.tls_alert}: the TLS alert of a CRYPTO_ERROR (0x100-0x1ff)
     * @param raw                 the whole frame's bytes
     */
    record ConnectionClose(long type, long errorCode, OptionalLong triggeringFrameType, long reasonLength,
                           byte[] reason, OptionalInt tlsAlert, byte[] raw) implements DecodedFrame {
        /** Whether this is the transport variant (0x1c). */
        public boolean isTransport() {
            return type == 0x1c;
        }

        /** The reason phrase decoded as UTF-8 (malformed sequences replaced). */
        public String reasonText() {
            return new String(reason, StandardCharsets.UTF_8);
        }

        @Override
        public String summary() {
            StringBuilder sb = new StringBuilder(name()).append(" type=").append(hex(type))
                    .append(" error=").append(hex(errorCode));
            triggeringFrameType.ifPresent(ft -> sb.append(" frame_type=").append(hex(ft)));
            tlsAlert.ifPresent(a -> sb.append(" tls_alert=").append(a));
            return sb.append(" reason_len=").append(reasonLength).append(" reason=\"")
                    .append(escape(reasonText())).append('"').toString();
        }

        @Override
        public String toString() {
            return summary();
        }
    }

    /**
     * A run of PADDING frames (tshark reports consecutive padding bytes as one frame).
     *
     * @param length {@code quic.padding_length}: the number of padding bytes
     * @param raw    the padding bytes
     */
    record Padding(int length, byte[] raw) implements DecodedFrame {
        @Override
        public long type() {
            return 0;
        }

        @Override
        public String summary() {
            return "PADDING type=0x0 len=" + length;
        }

        @Override
        public String toString() {
            return summary();
        }
    }

    /**
     * A CRYPTO frame.
     *
     * @param offset {@code quic.crypto.offset}
     * @param length {@code quic.crypto.length}
     * @param raw    the frame's bytes
     */
    record Crypto(long offset, long length, byte[] raw) implements DecodedFrame {
        @Override
        public long type() {
            return 6;
        }

        @Override
        public String summary() {
            return "CRYPTO type=0x6 offset=" + offset + " len=" + length;
        }

        @Override
        public String toString() {
            return summary();
        }
    }

    /**
     * An ACK frame (type 2) or ACK with ECN counts (type 3).
     *
     * @param type                {@code 2} or {@code 3}
     * @param largestAcknowledged {@code quic.ack.largest_acknowledged}
     * @param ackDelay            {@code quic.ack.ack_delay} (the encoded value, not scaled)
     * @param raw                 the frame's bytes
     */
    record Ack(long type, long largestAcknowledged, long ackDelay, byte[] raw) implements DecodedFrame {
        @Override
        public String summary() {
            return name() + " type=" + hex(type) + " largest=" + largestAcknowledged + " ack_delay=" + ackDelay;
        }

        @Override
        public String toString() {
            return summary();
        }
    }

    /**
     * Any other frame; only its type and bytes are extracted.
     *
     * @param type the frame type
     * @param raw  the frame's bytes
     */
    record Other(long type, byte[] raw) implements DecodedFrame {
        @Override
        public String summary() {
            String bytes = raw.length == 0 ? ""
                    : " raw=" + Hex.encode(raw, 0, Math.min(raw.length, 32)) + (raw.length > 32 ? "..." : "");
            return name() + " type=" + hex(type) + bytes;
        }

        @Override
        public String toString() {
            return summary();
        }
    }

    /** The RFC 9000 (and RFC 9221) name of a frame type; {@code UNKNOWN} if it has none. */
    static String frameName(long type) {
        if (type >= 0x08 && type <= 0x0f) {
            return "STREAM";
        }
        switch ((int) Math.min(type, Integer.MAX_VALUE)) {
            case 0x00: return "PADDING";
            case 0x01: return "PING";
            case 0x02: return "ACK";
            case 0x03: return "ACK_ECN";
            case 0x04: return "RESET_STREAM";
            case 0x05: return "STOP_SENDING";
            case 0x06: return "CRYPTO";
            case 0x07: return "NEW_TOKEN";
            case 0x10: return "MAX_DATA";
            case 0x11: return "MAX_STREAM_DATA";
            case 0x12: return "MAX_STREAMS_BIDI";
            case 0x13: return "MAX_STREAMS_UNI";
            case 0x14: return "DATA_BLOCKED";
            case 0x15: return "STREAM_DATA_BLOCKED";
            case 0x16: return "STREAMS_BLOCKED_BIDI";
            case 0x17: return "STREAMS_BLOCKED_UNI";
            case 0x18: return "NEW_CONNECTION_ID";
            case 0x19: return "RETIRE_CONNECTION_ID";
            case 0x1a: return "PATH_CHALLENGE";
            case 0x1b: return "PATH_RESPONSE";
            case 0x1c: return "CONNECTION_CLOSE";
            case 0x1d: return "CONNECTION_CLOSE_APP";
            case 0x1e: return "HANDSHAKE_DONE";
            case 0x30:
            case 0x31: return "DATAGRAM";
            default: return "UNKNOWN";
        }
    }

    /** {@code 0x}-prefixed lower-case hexadecimal. */
    static String hex(long value) {
        return "0x" + Long.toHexString(value);
    }

    /** Escapes backslash, double quote and control characters for the summaries. */
    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
