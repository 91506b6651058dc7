package dev.quicj.core.wire;

/**
 * Frame type codes of <a href="https://www.rfc-editor.org/rfc/rfc9000#section-12.4">RFC 9000 §12.4</a>, Table 3.
 * Names follow ngtcp2 ({@code CONNECTION_CLOSE} / {@code CONNECTION_CLOSE_APP}).
 */
public final class FrameType {
    public static final long PADDING = 0x00;
    public static final long PING = 0x01;
    public static final long ACK = 0x02;
    public static final long ACK_ECN = 0x03;
    public static final long RESET_STREAM = 0x04;
    public static final long STOP_SENDING = 0x05;
    public static final long CRYPTO = 0x06;
    public static final long NEW_TOKEN = 0x07;
    /** The first STREAM frame type; 0x08..0x0f carry the OFF, LEN and FIN bits. */
    public static final long STREAM = 0x08;
    public static final long STREAM_MAX = 0x0f;
    /** STREAM type bit: an Offset field is present. */
    public static final long STREAM_OFF_BIT = 0x04;
    /** STREAM type bit: a Length field is present; without it the data runs to the end of the packet. */
    public static final long STREAM_LEN_BIT = 0x02;
    /** STREAM type bit: the frame carries the end of the stream. */
    public static final long STREAM_FIN_BIT = 0x01;
    public static final long MAX_DATA = 0x10;
    public static final long MAX_STREAM_DATA = 0x11;
    public static final long MAX_STREAMS_BIDI = 0x12;
    public static final long MAX_STREAMS_UNI = 0x13;
    public static final long DATA_BLOCKED = 0x14;
    public static final long STREAM_DATA_BLOCKED = 0x15;
    public static final long STREAMS_BLOCKED_BIDI = 0x16;
    public static final long STREAMS_BLOCKED_UNI = 0x17;
    public static final long NEW_CONNECTION_ID = 0x18;
    public static final long RETIRE_CONNECTION_ID = 0x19;
    public static final long PATH_CHALLENGE = 0x1a;
    public static final long PATH_RESPONSE = 0x1b;
    /** CONNECTION_CLOSE of the transport layer. */
    public static final long CONNECTION_CLOSE = 0x1c;
    /** CONNECTION_CLOSE of the application layer. */
    public static final long CONNECTION_CLOSE_APP = 0x1d;
    public static final long HANDSHAKE_DONE = 0x1e;
    /** The largest frame type RFC 9000 defines; every type above it is unknown to this library. */
    public static final long MAX_KNOWN = HANDSHAKE_DONE;

    private static final String[] NAMES = {
        "PADDING", "PING", "ACK", "ACK_ECN", "RESET_STREAM", "STOP_SENDING", "CRYPTO", "NEW_TOKEN",
        "STREAM", "STREAM_FIN", "STREAM_LEN", "STREAM_LEN_FIN", "STREAM_OFF", "STREAM_OFF_FIN", "STREAM_OFF_LEN",
        "STREAM_OFF_LEN_FIN", "MAX_DATA", "MAX_STREAM_DATA", "MAX_STREAMS_BIDI", "MAX_STREAMS_UNI", "DATA_BLOCKED",
        "STREAM_DATA_BLOCKED", "STREAMS_BLOCKED_BIDI", "STREAMS_BLOCKED_UNI", "NEW_CONNECTION_ID",
        "RETIRE_CONNECTION_ID", "PATH_CHALLENGE", "PATH_RESPONSE", "CONNECTION_CLOSE", "CONNECTION_CLOSE_APP",
        "HANDSHAKE_DONE",
    };

    private FrameType() {
    }

    /** Whether RFC 9000 defines {@code frameType}: 0x00 to 0x1e. */
    public static boolean isKnown(long frameType) {
        return frameType >= 0 && frameType <= MAX_KNOWN;
    }

    /** Whether {@code frameType} is one of the eight STREAM types 0x08..0x0f. */
    public static boolean isStream(long frameType) {
        return frameType >= STREAM && frameType <= STREAM_MAX;
    }

    /**
     * The name of a frame type for logs and exception messages: the constant's name ({@code "ACK_ECN"},
     * {@code "CONNECTION_CLOSE_APP"}), a STREAM type with its bits ({@code "STREAM_OFF_LEN"}), or
     * {@code "UNKNOWN(0x...)"} for a type RFC 9000 does not define.
     */
    public static String name(long frameType) {
        if (isKnown(frameType)) {
            return NAMES[(int) frameType];
        }
        return "UNKNOWN(0x" + Long.toHexString(frameType) + ")";
    }
}
