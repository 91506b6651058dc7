package dev.quicj.core.wire;

/**
 * The two CONNECTION_CLOSE frame types (<a href="https://www.rfc-editor.org/rfc/rfc9000#section-19.19">RFC 9000
 * §19.19</a>): a transport close (0x1c), which carries the type of the frame that triggered the error, and an
 * application close (0x1d), which does not.
 */
public enum CloseType {
    /** Frame type 0x1c: an error of the QUIC layer; the error code is a transport error code. */
    TRANSPORT(FrameType.CONNECTION_CLOSE),
    /** Frame type 0x1d: an error of the application protocol; the error code is the application's. */
    APPLICATION(FrameType.CONNECTION_CLOSE_APP);

    private final long frameType;

    CloseType(long frameType) {
        this.frameType = frameType;
    }

    /** The frame type byte: 0x1c or 0x1d. */
    public long frameType() {
        return frameType;
    }
}
