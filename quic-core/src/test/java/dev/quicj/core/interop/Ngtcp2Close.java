package dev.quicj.core.interop;

/**
 * One CONNECTION_CLOSE frame line of a libngtcp2 0.12 debug log (gtlsclient/gtlsserver without {@code -q}), e.g.
 * <pre>
 * I00000001 0x&lt;own scid&gt; frm rx 0 Initial CONNECTION_CLOSE(0x1c) error_code=CRYPTO_ERROR(0x128) frame_type=0 reason_len=0 reason=[]
 * </pre>
 * Parse logs with {@link Ngtcp2Log#closes(String)}.
 *
 * @param direction    {@code frm rx} (received from the peer) or {@code frm tx} (sent)
 * @param level        the packet's encryption level
 * @param type         {@code 0x1c} or {@code 0x1d}
 * @param errorCode    the error code
 * @param errorName    libngtcp2's name for a transport error code (e.g. {@code CRYPTO_ERROR}), {@code unknown} when
 *                     it prints {@code (unknown)} (always for 0x1d)
 * @param frameType    the triggering frame type (libngtcp2 prints 0 for 0x1d)
 * @param packetNumber the packet number of the packet carrying the frame
 * @param reasonLength the real reason phrase length
 * @param reason       libngtcp2's rendering of the reason: bytes outside 0x20..0x7e shown as {@code .}, at most 255
 *                     bytes
 * @param lineNumber   1-based line number in the log (libngtcp2 may log one sent frame twice)
 * @param line         the log line itself
 */
public record Ngtcp2Close(Direction direction, Level level, long type, long errorCode, String errorName,
                          long frameType, long packetNumber, int reasonLength, String reason, int lineNumber,
                          String line) {

    /** Whether the frame was received or sent by the logging endpoint. */
    public enum Direction {
        /** {@code frm rx}: received from the peer ({@code peer-close} in the shell scripts). */
        RECEIVED,
        /** {@code frm tx}: sent to the peer ({@code local-close}). */
        SENT
    }

    /** The encryption level of the packet carrying the frame. */
    public enum Level {
        /** libngtcp2 {@code Initial}. */
        INITIAL("Initial", "initial"),
        /** libngtcp2 {@code Handshake}. */
        HANDSHAKE("Handshake", "handshake"),
        /** libngtcp2 {@code 0RTT}. */
        ZERO_RTT("0RTT", "0rtt"),
        /** libngtcp2 {@code 1RTT}. */
        ONE_RTT("1RTT", "1rtt"),
        /** Anything else. */
        UNKNOWN("?", "unknown");

        private final String logName;
        private final String label;

        Level(String logName, String label) {
            this.logName = logName;
            this.label = label;
        }

        /** The name in the libngtcp2 log, e.g. {@code Initial}. */
        public String logName() {
            return logName;
        }

        /** The lower-case label of the summaries, e.g. {@code initial}. */
        public String label() {
            return label;
        }

        static Level fromLog(String name) {
            for (Level l : values()) {
                if (l.logName.equals(name)) {
                    return l;
                }
            }
            return UNKNOWN;
        }
    }

    /** Whether this frame was received from the peer. */
    public boolean received() {
        return direction == Direction.RECEIVED;
    }

    /**
     * The summary line of {@code ngtcp2-log-close.sh}, e.g.
     * {@code peer-close level=initial type=0x1c error=0x128 frame_type=0x0 pn=0 error_name=CRYPTO_ERROR reason_len=0 reason=""}
     * ({@code local-close} for sent frames; {@code "} and {@code \} in the reason escaped with {@code \}).
     */
    public String summary() {
        return (received() ? "peer-close" : "local-close") + " level=" + level.label() + " type=0x"
                + Long.toHexString(type) + " error=0x" + Long.toHexString(errorCode) + " frame_type=0x"
                + Long.toHexString(frameType) + " pn=" + packetNumber + " error_name=" + errorName + " reason_len="
                + reasonLength + " reason=\"" + reason.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Override
    public String toString() {
        return summary();
    }
}
