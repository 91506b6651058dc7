package dev.quicj.core.wire;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.QuicException;

/**
 * Where each frame type may appear and how it counts, as one table: the "Pkts" and "Spec" columns of
 * <a href="https://www.rfc-editor.org/rfc/rfc9000#section-12.4">RFC 9000 §12.4</a>, Table 3, written in the RFC's
 * own notation, one row per frame type.
 *
 * <p>Pkts: {@code I} Initial, {@code H} Handshake, {@code 0} 0-RTT, {@code 1} 1-RTT, {@code _} not allowed. Table 3
 * writes {@code ih01} for both CONNECTION_CLOSE types because "only a CONNECTION_CLOSE frame of type 0x1c can appear
 * in Initial or Handshake packets"; here 0x1c and 0x1d have a row each. The table is followed as written: it allows
 * RETIRE_CONNECTION_ID in 0-RTT, which §12.5 says a server MAY reject.
 *
 * <p>Spec: {@code N} not ack-eliciting, {@code C} not counted in bytes in flight, {@code P} probing,
 * {@code F} flow controlled.
 */
public final class FrameRules {
    /** The levels named by the four Pkts characters, in the order Table 3 writes them. */
    private static final EncryptionLevel[] COLUMNS = {
        EncryptionLevel.INITIAL, EncryptionLevel.HANDSHAKE, EncryptionLevel.ZERO_RTT, EncryptionLevel.ONE_RTT,
    };
    private static final String COLUMN_LETTERS = "IH01";

    /** Table 3, indexed by frame type: {Pkts, Spec}. */
    private static final String[][] TABLE = {
        {"IH01", "NP"}, // 0x00 PADDING
        {"IH01", ""},   // 0x01 PING
        {"IH_1", "NC"}, // 0x02 ACK
        {"IH_1", "NC"}, // 0x03 ACK (ECN)
        {"__01", ""},   // 0x04 RESET_STREAM
        {"__01", ""},   // 0x05 STOP_SENDING
        {"IH_1", ""},   // 0x06 CRYPTO
        {"___1", ""},   // 0x07 NEW_TOKEN
        {"__01", "F"},  // 0x08 STREAM
        {"__01", "F"},  // 0x09 STREAM
        {"__01", "F"},  // 0x0a STREAM
        {"__01", "F"},  // 0x0b STREAM
        {"__01", "F"},  // 0x0c STREAM
        {"__01", "F"},  // 0x0d STREAM
        {"__01", "F"},  // 0x0e STREAM
        {"__01", "F"},  // 0x0f STREAM
        {"__01", ""},   // 0x10 MAX_DATA
        {"__01", ""},   // 0x11 MAX_STREAM_DATA
        {"__01", ""},   // 0x12 MAX_STREAMS (bidirectional)
        {"__01", ""},   // 0x13 MAX_STREAMS (unidirectional)
        {"__01", ""},   // 0x14 DATA_BLOCKED
        {"__01", ""},   // 0x15 STREAM_DATA_BLOCKED
        {"__01", ""},   // 0x16 STREAMS_BLOCKED (bidirectional)
        {"__01", ""},   // 0x17 STREAMS_BLOCKED (unidirectional)
        {"__01", "P"},  // 0x18 NEW_CONNECTION_ID
        {"__01", ""},   // 0x19 RETIRE_CONNECTION_ID
        {"__01", "P"},  // 0x1a PATH_CHALLENGE
        {"___1", "P"},  // 0x1b PATH_RESPONSE
        {"IH01", "N"},  // 0x1c CONNECTION_CLOSE (transport)
        {"__01", "N"},  // 0x1d CONNECTION_CLOSE (application)
        {"___1", ""},   // 0x1e HANDSHAKE_DONE
    };

    /** Per frame type, bit {@code 1 << level.ordinal()} set where the type is allowed; parsed from {@link #TABLE}. */
    private static final int[] LEVEL_MASKS = new int[TABLE.length];
    /** Per frame type, whether the Spec column holds "N"; parsed from {@link #TABLE}. */
    private static final boolean[] NOT_ACK_ELICITING = new boolean[TABLE.length];

    static {
        if (TABLE.length != FrameType.MAX_KNOWN + 1) {
            throw new ExceptionInInitializerError("Table 3 needs one row per frame type");
        }
        for (int type = 0; type < TABLE.length; type++) {
            String pkts = TABLE[type][0];
            int mask = 0;
            for (int column = 0; column < COLUMNS.length; column++) {
                char c = pkts.charAt(column);
                if (c == COLUMN_LETTERS.charAt(column)) {
                    mask |= 1 << COLUMNS[column].ordinal();
                } else if (c != '_') {
                    throw new ExceptionInInitializerError("bad Pkts entry " + pkts);
                }
            }
            LEVEL_MASKS[type] = mask;
            NOT_ACK_ELICITING[type] = TABLE[type][1].indexOf('N') >= 0;
        }
    }

    private FrameRules() {
    }

    /**
     * Whether a frame of {@code frameType} may appear in a packet of {@code level}. Always {@code false} for a type
     * RFC 9000 does not define.
     */
    public static boolean isAllowed(long frameType, EncryptionLevel level) {
        return FrameType.isKnown(frameType) && (LEVEL_MASKS[(int) frameType] & (1 << level.ordinal())) != 0;
    }

    /**
     * Checks a received frame type against the table.
     *
     * @throws QuicException FRAME_ENCODING_ERROR for a frame type RFC 9000 does not define (§12.4: "a frame of unknown
     *     type"); PROTOCOL_VIOLATION for a known type that {@code level} does not permit (for example 0x1d in an
     *     Initial or Handshake packet). Both carry {@code frameType}.
     */
    public static void checkAllowed(long frameType, EncryptionLevel level) throws QuicException {
        if (!FrameType.isKnown(frameType)) {
            throw QuicException.frameEncoding(frameType, "unknown frame type");
        }
        if (!isAllowed(frameType, level)) {
            throw QuicException.protocolViolation(frameType, "frame type not allowed in this packet type");
        }
    }

    /**
     * Table 3's Pkts entry for a frame type, for example {@code "IH_1"} for ACK and {@code "__01"} for 0x1d.
     *
     * @throws IllegalArgumentException for a frame type RFC 9000 does not define
     */
    public static String packetTypes(long frameType) {
        return row(frameType)[0];
    }

    /**
     * Whether a frame of this type makes its packet ack-eliciting: every type except PADDING, ACK and
     * CONNECTION_CLOSE (Spec "N"; RFC 9000 §1.2, §13.2).
     *
     * @throws IllegalArgumentException for a frame type RFC 9000 does not define
     */
    public static boolean isAckEliciting(long frameType) {
        row(frameType);
        return !NOT_ACK_ELICITING[(int) frameType];
    }

    /**
     * Whether a packet of only such frames counts toward bytes in flight: every type except ACK (Spec "C").
     *
     * @throws IllegalArgumentException for a frame type RFC 9000 does not define
     */
    public static boolean countsInFlight(long frameType) {
        return !hasSpec(frameType, 'C');
    }

    /**
     * Whether a packet of only such frames is a probing packet (RFC 9000 §9.1): PADDING, NEW_CONNECTION_ID,
     * PATH_CHALLENGE and PATH_RESPONSE (Spec "P").
     *
     * @throws IllegalArgumentException for a frame type RFC 9000 does not define
     */
    public static boolean isProbing(long frameType) {
        return hasSpec(frameType, 'P');
    }

    /**
     * Whether the frame's contents are flow controlled: the STREAM types (Spec "F").
     *
     * @throws IllegalArgumentException for a frame type RFC 9000 does not define
     */
    public static boolean isFlowControlled(long frameType) {
        return hasSpec(frameType, 'F');
    }

    private static boolean hasSpec(long frameType, char flag) {
        return row(frameType)[1].indexOf(flag) >= 0;
    }

    private static String[] row(long frameType) {
        if (!FrameType.isKnown(frameType)) {
            throw new IllegalArgumentException("unknown frame type: " + FrameType.name(frameType));
        }
        return TABLE[(int) frameType];
    }
}
