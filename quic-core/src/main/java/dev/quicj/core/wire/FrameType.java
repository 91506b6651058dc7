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

    private FrameType() {
    }
}
