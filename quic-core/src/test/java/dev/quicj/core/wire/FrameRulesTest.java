package dev.quicj.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.QuicException;
import dev.quicj.core.TransportErrorCode;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Checks {@link FrameRules} and {@link FrameType#name} over their whole domain against expectations written from
 * the prose of RFC 9000 §12.5 and §19, not from Table 3 itself.
 */
class FrameRulesTest {
    private static final long[] UNKNOWN_TYPES = {
        0x1f, 0x20, 0x30, 0x31, 0x3f, 0x40, 0xaf, 0x4000, 0x3fff_ffffL, VarInt.MAX_VALUE, -1, Long.MIN_VALUE,
    };

    /** §12.5: "PADDING, PING, and CRYPTO frames MAY appear in any packet number space", 0x1c too, and ACK. */
    private static final Set<Long> HANDSHAKE_SPACE = Set.of(
            FrameType.PADDING, FrameType.PING, FrameType.ACK, FrameType.ACK_ECN, FrameType.CRYPTO,
            FrameType.CONNECTION_CLOSE);
    /** §12.5: not in 0-RTT: ACK, CRYPTO, HANDSHAKE_DONE, NEW_TOKEN, PATH_RESPONSE (Table 3 keeps RETIRE_CONNECTION_ID). */
    private static final Set<Long> NOT_IN_ZERO_RTT = Set.of(
            FrameType.ACK, FrameType.ACK_ECN, FrameType.CRYPTO, FrameType.HANDSHAKE_DONE, FrameType.NEW_TOKEN,
            FrameType.PATH_RESPONSE);

    @Test
    void everyKnownFrameTypeAtEveryLevel() throws QuicException {
        int allowedCount = 0;
        for (long type = 0; type <= 0x1e; type++) {
            for (EncryptionLevel level : EncryptionLevel.values()) {
                boolean expected;
                switch (level) {
                    case INITIAL:
                    case HANDSHAKE:
                        expected = HANDSHAKE_SPACE.contains(type);
                        break;
                    case ZERO_RTT:
                        expected = !NOT_IN_ZERO_RTT.contains(type);
                        break;
                    default:
                        expected = true; // "all frames can appear in 1-RTT packets"
                        break;
                }
                String what = FrameType.name(type) + " in " + level;
                assertEquals(expected, FrameRules.isAllowed(type, level), what);
                if (expected) {
                    allowedCount++;
                    FrameRules.checkAllowed(type, level);
                } else {
                    long t = type;
                    QuicException e = assertThrows(QuicException.class, () -> FrameRules.checkAllowed(t, level), what);
                    assertEquals(TransportErrorCode.PROTOCOL_VIOLATION, e.errorCode(), what);
                    assertEquals(type, e.frameType(), what);
                }
            }
        }
        // 6 in Initial + 6 in Handshake + (31 - 6) in 0-RTT + 31 in 1-RTT
        assertEquals(6 + 6 + (31 - 6) + 31, allowedCount);
    }

    @Test
    void applicationCloseInInitialOrHandshakeIsProtocolViolation() {
        for (EncryptionLevel level : new EncryptionLevel[] {EncryptionLevel.INITIAL, EncryptionLevel.HANDSHAKE}) {
            QuicException e = assertThrows(QuicException.class,
                    () -> FrameRules.checkAllowed(FrameType.CONNECTION_CLOSE_APP, level));
            assertEquals(TransportErrorCode.PROTOCOL_VIOLATION, e.errorCode());
            assertEquals(0x1d, e.frameType());
        }
        assertTrue(FrameRules.isAllowed(FrameType.CONNECTION_CLOSE_APP, EncryptionLevel.ZERO_RTT));
        assertTrue(FrameRules.isAllowed(FrameType.CONNECTION_CLOSE_APP, EncryptionLevel.ONE_RTT));
    }

    @Test
    void unknownFrameTypesAreNowhereAllowedAndAreFrameEncodingErrors() {
        for (long type : UNKNOWN_TYPES) {
            assertFalse(FrameType.isKnown(type));
            assertEquals("UNKNOWN(0x" + Long.toHexString(type) + ")", FrameType.name(type));
            assertThrows(IllegalArgumentException.class, () -> FrameRules.isAckEliciting(type));
            assertThrows(IllegalArgumentException.class, () -> FrameRules.packetTypes(type));
            for (EncryptionLevel level : EncryptionLevel.values()) {
                assertFalse(FrameRules.isAllowed(type, level));
                if (type >= 0 && type <= VarInt.MAX_VALUE) {
                    QuicException e = assertThrows(QuicException.class, () -> FrameRules.checkAllowed(type, level));
                    assertEquals(TransportErrorCode.FRAME_ENCODING_ERROR, e.errorCode());
                    assertEquals(type, e.frameType());
                }
            }
        }
    }

    @Test
    void specColumnsOverEveryKnownType() {
        // RFC 9000 §1.2: "frames other than ACK, PADDING, and CONNECTION_CLOSE" make a packet ack-eliciting.
        Set<Long> notAckEliciting = Set.of(FrameType.PADDING, FrameType.ACK, FrameType.ACK_ECN,
                FrameType.CONNECTION_CLOSE, FrameType.CONNECTION_CLOSE_APP);
        // §9.1: probing frames are PATH_CHALLENGE, PATH_RESPONSE, NEW_CONNECTION_ID and PADDING.
        Set<Long> probing = Set.of(FrameType.PADDING, FrameType.NEW_CONNECTION_ID, FrameType.PATH_CHALLENGE,
                FrameType.PATH_RESPONSE);
        for (long type = 0; type <= 0x1e; type++) {
            String what = FrameType.name(type);
            assertEquals(!notAckEliciting.contains(type), FrameRules.isAckEliciting(type), what);
            assertEquals(type != FrameType.ACK && type != FrameType.ACK_ECN, FrameRules.countsInFlight(type), what);
            assertEquals(probing.contains(type), FrameRules.isProbing(type), what);
            assertEquals(type >= 0x08 && type <= 0x0f, FrameRules.isFlowControlled(type), what);
            assertEquals(type >= 0x08 && type <= 0x0f, FrameType.isStream(type), what);
        }
    }

    @Test
    void packetTypesUseTheRfcNotation() {
        assertEquals("IH01", FrameRules.packetTypes(FrameType.PADDING));
        assertEquals("IH_1", FrameRules.packetTypes(FrameType.ACK));
        assertEquals("___1", FrameRules.packetTypes(FrameType.NEW_TOKEN));
        assertEquals("IH01", FrameRules.packetTypes(FrameType.CONNECTION_CLOSE));
        assertEquals("__01", FrameRules.packetTypes(FrameType.CONNECTION_CLOSE_APP));
        for (long type = 0; type <= 0x1e; type++) {
            String pkts = FrameRules.packetTypes(type);
            assertEquals(pkts.charAt(0) == 'I', FrameRules.isAllowed(type, EncryptionLevel.INITIAL));
            assertEquals(pkts.charAt(1) == 'H', FrameRules.isAllowed(type, EncryptionLevel.HANDSHAKE));
            assertEquals(pkts.charAt(2) == '0', FrameRules.isAllowed(type, EncryptionLevel.ZERO_RTT));
            assertEquals(pkts.charAt(3) == '1', FrameRules.isAllowed(type, EncryptionLevel.ONE_RTT));
        }
    }

    @Test
    void namesAreDistinctAndMatchTheConstants() {
        assertEquals("PADDING", FrameType.name(0x00));
        assertEquals("ACK", FrameType.name(0x02));
        assertEquals("ACK_ECN", FrameType.name(0x03));
        assertEquals("STREAM", FrameType.name(0x08));
        assertEquals("STREAM_OFF_LEN_FIN", FrameType.name(0x0f));
        assertEquals("STREAM_LEN", FrameType.name(FrameType.STREAM | FrameType.STREAM_LEN_BIT));
        assertEquals("STREAM_OFF_FIN", FrameType.name(FrameType.STREAM | FrameType.STREAM_OFF_BIT
                | FrameType.STREAM_FIN_BIT));
        assertEquals("MAX_STREAMS_UNI", FrameType.name(0x13));
        assertEquals("STREAMS_BLOCKED_BIDI", FrameType.name(0x16));
        assertEquals("CONNECTION_CLOSE", FrameType.name(0x1c));
        assertEquals("CONNECTION_CLOSE_APP", FrameType.name(0x1d));
        assertEquals("HANDSHAKE_DONE", FrameType.name(0x1e));
        Set<String> names = new HashSet<>();
        for (long type = 0; type <= 0x1e; type++) {
            assertTrue(FrameType.isKnown(type));
            assertTrue(names.add(FrameType.name(type)), FrameType.name(type));
        }
        assertEquals(31, names.size());
    }

    @Test
    void namesMatchTheConstantFieldsByReflection() throws IllegalAccessException {
        int checked = 0;
        for (java.lang.reflect.Field f : FrameType.class.getFields()) {
            String n = f.getName();
            if (f.getType() != long.class || n.startsWith("STREAM_") && n.endsWith("_BIT") || n.equals("STREAM_MAX")
                    || n.equals("MAX_KNOWN")) {
                continue;
            }
            assertEquals(n, FrameType.name(f.getLong(null)));
            checked++;
        }
        // 0x00..0x1e less the seven STREAM variants named by their bits (STREAM itself is a constant)
        assertEquals(31 - 7, checked);
    }
}
