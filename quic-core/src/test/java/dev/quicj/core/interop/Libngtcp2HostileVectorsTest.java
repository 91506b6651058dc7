package dev.quicj.core.interop;

import static dev.quicj.core.interop.Libngtcp2Vectors.Hostile;
import static dev.quicj.core.interop.Libngtcp2Vectors.assertLongHeaderCloseSent;
import static dev.quicj.core.interop.Libngtcp2Vectors.hex;
import static dev.quicj.core.interop.Libngtcp2Vectors.hostile;
import static dev.quicj.core.interop.Libngtcp2Vectors.vector;
import static dev.quicj.core.interop.Libngtcp2Vectors.zeros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.Hex;
import dev.quicj.core.QuicException;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.CloseOutcome;
import dev.quicj.core.conn.IndependentQuic;
import dev.quicj.core.conn.LibraryError;
import dev.quicj.core.conn.QuicConnection;
import dev.quicj.core.conn.ReceiveStatus;
import dev.quicj.core.conn.Settings;
import dev.quicj.core.wire.FrameType;
import dev.quicj.core.wire.VarInt;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The peer's erroneous or hostile packets, what each side makes of them and the close after them (the
 * {@code hostile1rtt}, {@code hostileinitial} and {@code hostilehs} lines; the harness and the differences are
 * described on {@link Libngtcp2CloseVectorsTest}): protocol errors and CONNECTION_CLOSE frames in a confirmed peer's
 * 1-RTT packet and in Initial packets (libngtcp2 discards those, ours closes: close-spec E14).
 *
 * <p>The handshake levels ({@code hostilehs}): a server that wrote its Initial + Handshake flight reads the client's
 * first Handshake packet, or one failing authentication, also at its amplification limit; a client that read that
 * flight writes its first Handshake packet; each then closes (key discard, RFC 9001 §4.9.1, and the address
 * validation of RFC 9000 §8.1, seen in the close's levels). Protocol errors in Handshake packets to either role, and
 * CRYPTO data at a level the handshake moved past or beyond the 64 KiB crypto buffer.
 *
 * <p>Connection-ID and stream-level frames in a confirmed peer's 1-RTT packet ({@code hostile1rtt}, both roles):
 * NEW_CONNECTION_ID and RETIRE_CONNECTION_ID that break RFC 9000 §19.15, §19.16 and §5.1.1, and ones both take,
 * including a Retire Prior To that retires the ID in use (the close then goes to the same new Destination Connection
 * ID, §5.1.2); RESET_STREAM, STREAM, STOP_SENDING, MAX_STREAM_DATA, MAX_STREAMS, STREAMS_BLOCKED and NEW_TOKEN that
 * break §4.5 and §19.4-19.14; and DATA_BLOCKED, STREAM_DATA_BLOCKED, an unsolicited PATH_RESPONSE, PADDING alone and
 * PING, which both take.
 */
class Libngtcp2HostileVectorsTest {
    // ---- the peer's erroneous or hostile packets: what each side makes of them, and the close after them ----

    /**
     * The closing endpoint's 1-RTT packet in a {@code hostile1rtt} datagram, opened with the independent opener: the
     * server's (its secret {@code as}, to the client's SCID) when the client's packet was {@code to=server}, else the
     * client's ({@code asc}, to the server's SCID).
     */
    private static IndependentQuic.Opened openHostileClose(Map<String, String> f, String datagram) throws Exception {
        boolean serverCloses = f.get("to").equals("server");
        IndependentQuic.Keys k = IndependentQuic.keys(IndependentQuic.V1,
                Hex.decode(f.get(serverCloses ? "as" : "asc")));
        IndependentQuic.Opened p = IndependentQuic.open(Hex.decode(datagram), 0, k,
                f.get(serverCloses ? "scid" : "sscid").length() / 2);
        assertEquals(datagram.length() / 2, p.end(), "one packet");
        return p;
    }

    /** A minimal variable-length integer, as hex. */
    private static String varint(long v) {
        ByteBuffer b = ByteBuffer.allocate(8);
        VarInt.encode(b, v);
        return hex(b);
    }

    /**
     * A confirmed server or client reads the peer's authentic 1-RTT packet (sealed by hand with the peer's keys) that
     * breaks the protocol, RFC 9000 §12.4 and §19: a frame of an unknown type and truncated ones (a STREAM frame whose
     * Length runs past the packet, an ACK whose ACK Range Count runs out) are FRAME_ENCODING_ERRORs; an ACK of a
     * packet number never sent (§13.1), a HANDSHAKE_DONE or NEW_TOKEN from a client (§19.20, §19.7) and reserved bits
     * set once header protection is off (§17.3.1) are PROTOCOL_VIOLATIONs; STREAM for a locally initiated stream never
     * opened or a send-only one is a STREAM_STATE_ERROR (§19.8), beyond the streams allowed a STREAM_LIMIT_ERROR
     * (§4.6), beyond a stream's initial_max_stream_data a FLOW_CONTROL_ERROR (§4.1). libngtcp2's
     * {@code ngtcp2_conn_read_pkt} returned the library error whose {@code ngtcp2_ccerr_set_liberr} code
     * ({@code ccerr}, close-spec §1.4) our {@link QuicException} carries, the same code in all 21 cases.
     *
     * <p>The close: closing with that code alone ({@code CloseError.transport(code)}) is byte-identical to
     * libngtcp2's. Closing as {@link QuicConnection#receive} tells an application to, and as {@code QuicCloseHandler}
     * does, with {@link CloseError#fromException}, writes the same packet (first byte, DCID, packet number, key)
     * except for the frame: ours names the frame type that broke the protocol (close-spec decision 2, RFC 9000 §19.19;
     * 0 for the reserved bits, which no frame caused) and carries the exception's message as the Reason Phrase,
     * where libngtcp2 writes Frame Type 0 and no reason (the harness gave none); both are padded to the minimum
     * 1-RTT size, libngtcp2's frame {@code 1c <code> 00 00} to 30 bytes, ours longer by its reason.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "hx-s-unknown, 0x7, 0x1f", "hx-s-stream-trunc, 0x7, 0x0a", "hx-s-ack-ranges, 0x7, 0x02",
        "hx-s-ack-unsent, 0xa, 0x02", "hx-s-hsdone, 0xa, 0x1e", "hx-s-newtoken, 0xa, 0x07",
        "hx-s-stream-localbidi, 0x5, 0x08", "hx-s-stream-senduni, 0x5, 0x08", "hx-s-stream-limit, 0x4, 0x08",
        "hx-s-stream-flow, 0x3, 0x0c", "hx-s-reserved, 0xa, 0x00",
        "hx-c-unknown, 0x7, 0x1f", "hx-c-stream-trunc, 0x7, 0x0a", "hx-c-ack-ranges, 0x7, 0x02",
        "hx-c-ack-unsent, 0xa, 0x02", "hx-c-stream-localbidi, 0x5, 0x08", "hx-c-stream-senduni, 0x5, 0x08",
        "hx-c-stream-limit, 0x4, 0x08", "hx-c-stream-flow, 0x3, 0x0c", "hx-c-reserved, 0xa, 0x00"})
    void protocolErrorInOneRttClosesWithLibngtcp2sCode(String name, String code, String frameType) throws Exception {
        assertOneRttErrorClosesWithLibngtcp2sCode(name, code, frameType);
    }

    /**
     * The connection-ID and stream-level frames of a confirmed peer's 1-RTT packet that break the protocol, to a
     * server and to a client, as {@link #protocolErrorInOneRttClosesWithLibngtcp2sCode} (the same code as libngtcp2's
     * ccerr, the close with it alone byte-identical, ours with the frame type and a reason otherwise the same packet).
     * NEW_CONNECTION_ID (RFC 9000 §19.15): Retire Prior To above the Sequence Number and a connection ID of length 0
     * or 21 are FRAME_ENCODING_ERRORs, a third active ID beyond the active_connection_id_limit of 2 a
     * CONNECTION_ID_LIMIT_ERROR (§5.1.1), the ID in use again under another sequence number a PROTOCOL_VIOLATION;
     * RETIRE_CONNECTION_ID of a sequence number never issued a PROTOCOL_VIOLATION (§19.16). On the peer's first
     * unidirectional stream (§4.5): RESET_STREAM with a final size below the 4 bytes received or changing the final
     * size a FIN gave, and STREAM data past that final size, are FINAL_SIZE_ERRORs; STOP_SENDING and MAX_STREAM_DATA
     * for that receive-only stream STREAM_STATE_ERRORs (§19.5, §19.10); MAX_STREAMS and STREAMS_BLOCKED above 2^60
     * (§19.11, §19.14) and an empty NEW_TOKEN to a client (§19.7) FRAME_ENCODING_ERRORs.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "hx-s-ncid-rpt, 0x7, 0x18", "hx-s-ncid-len0, 0x7, 0x18", "hx-s-ncid-len21, 0x7, 0x18",
        "hx-s-ncid-limit, 0x9, 0x18", "hx-s-ncid-inuse, 0xa, 0x18", "hx-s-rcid-unissued, 0xa, 0x19",
        "hx-c-ncid-rpt, 0x7, 0x18", "hx-c-ncid-len0, 0x7, 0x18", "hx-c-ncid-len21, 0x7, 0x18",
        "hx-c-ncid-limit, 0x9, 0x18", "hx-c-ncid-inuse, 0xa, 0x18", "hx-c-rcid-unissued, 0xa, 0x19",
        "hx-s-rs-below, 0x6, 0x04", "hx-s-rs-change, 0x6, 0x04", "hx-s-stream-past-fin, 0x6, 0x0e",
        "hx-s-ss-recvonly, 0x5, 0x05", "hx-s-msd-recvonly, 0x5, 0x11", "hx-s-ms-big, 0x7, 0x12",
        "hx-s-sb-big, 0x7, 0x16",
        "hx-c-rs-below, 0x6, 0x04", "hx-c-rs-change, 0x6, 0x04", "hx-c-stream-past-fin, 0x6, 0x0e",
        "hx-c-ss-recvonly, 0x5, 0x05", "hx-c-msd-recvonly, 0x5, 0x11", "hx-c-ms-big, 0x7, 0x12",
        "hx-c-sb-big, 0x7, 0x16", "hx-c-newtoken-empty, 0x7, 0x07"})
    void connectionIdAndStreamFrameErrorsInOneRttCloseWithLibngtcp2sCode(String name, String code, String frameType)
            throws Exception {
        assertOneRttErrorClosesWithLibngtcp2sCode(name, code, frameType);
    }

    /**
     * The part every protocol-error case shares: libngtcp2 returned a library error whose ccerr is {@code code}; ours
     * throws a {@link QuicException} with that code and {@code frameType}; closing with the code alone writes
     * libngtcp2's datagram byte for byte, and closing with {@link CloseError#fromException} writes a close and enters
     * the closing period. Returns those two closes, in that order.
     */
    private static Hostile[] closesWithLibngtcp2sCode(String name, String code, String frameType) throws Exception {
        Map<String, String> f = vector(name);
        assertEquals(code, f.get("ccerr"));
        assertTrue(f.get("rv").startsWith("-"), f.get("rv"));
        Hostile same = hostile(name, e -> CloseError.transport(e.errorCode()));
        assertEquals(Long.decode(code), same.error().errorCode(), same.error()::toString);
        assertEquals(Long.decode(frameType), same.error().frameType(), same.error()::toString);
        assertEquals(CloseOutcome.WRITTEN, same.outcome());
        assertEquals(f.get("out"), same.datagram());
        Hostile ours = hostile(name, CloseError::fromException);
        assertEquals(CloseOutcome.WRITTEN, ours.outcome());
        assertTrue(ours.conn().isInClosingPeriod());
        return new Hostile[] {same, ours};
    }

    /**
     * libngtcp2 returned a library error for the 1-RTT packet of {@code name}, whose ccerr is {@code code}; ours
     * throws a {@link QuicException} with that code and {@code frameType}, and closes as libngtcp2 did with the code
     * alone, or with {@link CloseError#fromException} in the same packet with the frame type and a reason.
     */
    private static void assertOneRttErrorClosesWithLibngtcp2sCode(String name, String code, String frameType)
            throws Exception {
        Map<String, String> f = vector(name);
        long c = Long.decode(code);
        Hostile ours = closesWithLibngtcp2sCode(name, code, frameType)[1];
        IndependentQuic.Opened t = openHostileClose(f, f.get("out"));
        IndependentQuic.Opened o = openHostileClose(f, ours.datagram());
        assertEquals(t.firstByte(), o.firstByte());
        assertEquals(Hex.encode(t.dcid()), Hex.encode(o.dcid()));
        assertEquals(t.pn(), o.pn());
        assertEquals("1c" + varint(c) + "0000" + zeros(t.payload().length - 4), t.payloadHex());
        byte[] reason = ours.error().getMessage().getBytes(StandardCharsets.UTF_8);
        assertTrue(reason.length > 0);
        String frame = "1c" + varint(c) + varint(Long.decode(frameType)) + varint(reason.length) + Hex.encode(reason);
        assertEquals(frame + zeros(o.payload().length - frame.length() / 2), o.payloadHex());
    }

    /**
     * Frames a confirmed server or client takes in the peer's 1-RTT packet (RFC 9000 §19): a NEW_CONNECTION_ID
     * (§19.15), also twice in one packet ("MUST NOT" be an error) and with a Retire Prior To that retires the ID the
     * reader sends to, which it "MUST stop using" (§5.1.2); DATA_BLOCKED and STREAM_DATA_BLOCKED (§19.12, §19.13); a
     * PATH_RESPONSE that answers no PATH_CHALLENGE (§8.2.2 lets it be ignored); a packet of PADDING alone; PING.
     * libngtcp2's {@code ngtcp2_conn_read_pkt} returned 0, ours {@link ReceiveStatus#PROCESSED}, and the NO_ERROR
     * close after it is byte-identical, so both send it to the same Destination Connection ID: {@code dcid} names
     * which, the one in use before ({@code kept}), the new one ({@code a1a2a3a4a5a6a7a8}, the server retiring the
     * client's sequence number 0, the client its server's 0 and 1), or the server's sequence number 1 of its
     * NEW_CONNECTION_ID in {@code sdone} ({@code next}: the client retiring the server's 0 alone, or twice).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"hx-s-ncid-new, kept", "hx-s-ncid-twice, kept", "hx-s-ncid-retire, a1a2a3a4a5a6a7a8",
        "hx-c-ncid-retire, next", "hx-c-ncid-twice, next", "hx-c-ncid-retire2, a1a2a3a4a5a6a7a8",
        "hx-s-db, kept", "hx-s-sdb, kept", "hx-s-pathresp, kept", "hx-s-padding, kept", "hx-s-ping, kept",
        "hx-c-db, kept", "hx-c-sdb, kept", "hx-c-pathresp, kept", "hx-c-padding, kept", "hx-c-ping, kept"})
    void framesTakenInOneRttLeaveTheSameClose(String name, String dcid) throws Exception {
        Map<String, String> f = vector(name);
        assertEquals("0(ok)", f.get("rv"));
        assertEquals("0x0", f.get("ccerr"));
        Hostile ours = hostile(name, e -> CloseError.noError());
        assertNull(ours.error(), () -> ours.error().toString());
        assertEquals(ReceiveStatus.PROCESSED, ours.status());
        assertEquals(CloseOutcome.WRITTEN, ours.outcome());
        assertEquals(f.get("out"), ours.datagram());
        String before = f.get(f.get("to").equals("server") ? "scid" : "sscid");
        String sent = Hex.encode(openHostileClose(f, ours.datagram()).dcid());
        assertEquals(Hex.encode(ours.conn().destinationConnectionId().toByteArray()), sent);
        switch (dcid) {
            case "kept" -> assertEquals(before, sent);
            case "next" -> assertTrue(!sent.equals(before) && !sent.equals("a1a2a3a4a5a6a7a8"), sent);
            default -> assertEquals(dcid, sent);
        }
    }

    /**
     * RETIRE_CONNECTION_ID naming the sequence number (0) of the connection ID the packet carrying it was sent to, to
     * a server and to a client. RFC 9000 §19.16: it "MUST NOT refer to the Destination Connection ID field of the
     * packet in which the frame is contained. The peer MAY treat this as a connection error of type
     * PROTOCOL_VIOLATION." libngtcp2 does ({@code NGTCP2_ERR_PROTO}); ours takes the frame, as
     * {@code ConnectionIdFramesTest#theConnectionIdFramesAPeerMaySendAreTaken} pins (a MAY: a documented difference).
     * Closed with libngtcp2's ccerr, PROTOCOL_VIOLATION with Frame Type 0, ours is byte-identical.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hx-s-rcid-self", "hx-c-rcid-self"})
    void retiringThePacketsOwnConnectionIdIsTakenWhereLibngtcp2ClosesTheConnection(String name) throws Exception {
        Map<String, String> f = vector(name);
        assertEquals("-205(ERR_PROTO)", f.get("rv"));
        assertEquals("0xa", f.get("ccerr"));
        Hostile ours = hostile(name, e -> CloseError.transport(TransportErrorCode.PROTOCOL_VIOLATION));
        assertNull(ours.error(), () -> ours.error().toString());
        assertEquals(ReceiveStatus.PROCESSED, ours.status());
        assertEquals(CloseOutcome.WRITTEN, ours.outcome());
        assertEquals(f.get("out"), ours.datagram());
    }

    /**
     * The peer's CONNECTION_CLOSE, 0x1c (a transport error with a frame type and a reason) and 0x1d (an application
     * error), read by a confirmed server or client in a 1-RTT packet, and by a server (the client's second Initial)
     * or a client (the server's first Initial) in an Initial packet, 0x1c only there (RFC 9000 §12.4, Table 3):
     * libngtcp2's {@code ngtcp2_conn_read_pkt} returns {@code NGTCP2_ERR_DRAINING}, ours
     * {@link ReceiveStatus#DRAINING}; both hold the peer's error as it was sent
     * ({@code ngtcp2_conn_get_connection_close_error}, {@link QuicConnection#peerCloseError}); and neither writes a
     * close afterwards (RFC 9000 §10.2.2: a draining endpoint "MUST NOT send"): libngtcp2's returns 0 for the ccerr
     * of its read error, ours {@link CloseOutcome#NOTHING_TO_WRITE} for the same
     * ({@link CloseError#fromLibraryError} of {@link LibraryError#DRAINING}). {@code co-auth}: the client's Initial
     * carrying 0x1c, coalesced with a second Initial whose authentication fails (its last byte inverted), which
     * leaves the first processed (RFC 9000 §12.2).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hx-s-close", "hx-s-appclose", "hx-c-close", "hx-c-appclose", "hx-si-close",
        "hx-ci-close", "co-auth", "hs-s-close", "hs-c-close"})
    void peerCloseDrainsBothSides(String name) throws Exception {
        Map<String, String> f = vector(name);
        assertEquals("-231(ERR_DRAINING)", f.get("rv"));
        assertEquals("", f.get("out"));
        Hostile ours = hostile(name, e -> CloseError.fromLibraryError(LibraryError.DRAINING, null));
        assertNull(ours.error());
        assertEquals(ReceiveStatus.DRAINING, ours.status());
        assertTrue(ours.conn().isInDrainingPeriod());
        assertEquals(CloseOutcome.NOTHING_TO_WRITE, ours.outcome());
        assertEquals("", ours.datagram());
        CloseError peer = ours.conn().peerCloseError();
        String[] theirs = f.get("peer").split(":", -1);
        assertEquals(theirs[0].equals("app") ? CloseError.Type.APPLICATION : CloseError.Type.TRANSPORT, peer.type());
        assertEquals(Long.decode(theirs[1]), peer.errorCode());
        assertEquals(Long.decode(theirs[2]), peer.frameType());
        assertEquals(theirs[3], Hex.encode(peer.reason()));
    }

    /**
     * A protocol error in an Initial packet: the peer's first Initial (a server's, to a client that wrote its first
     * Initial) or its next one (a client's, to a server that read its first) carrying a 0x1d CONNECTION_CLOSE or a
     * STREAM frame, neither allowed there (RFC 9000 §12.4, Table 3). A deliberate difference: libngtcp2 discards the
     * packet ({@code ngtcp2_conn_read_pkt} returns 0; RFC 9000 §12.1 lets an endpoint "discard an invalid Initial
     * packet" even where a connection error is otherwise mandated), ours treats it as the connection error §12.4
     * names, PROTOCOL_VIOLATION with the offending frame's type, as close-spec E14 specifies for a 0x1d in an Initial
     * packet. Up to that reaction both sides are in the same state: closed as libngtcp2's application went on to
     * close (with the NO_ERROR ccerr of its rv 0), ours is byte-identical, a server's Initial close to the client's
     * SCID and a client's 1200-byte Initial close to the server's SCID, which both took from the packet's header
     * (RFC 9000 §7.2) before reading its frames. The close ours is meant to write, that of
     * {@link CloseError#fromException}, is the same Initial packet with PROTOCOL_VIOLATION in its frame.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"hx-si-appclose, 0x1d", "hx-si-stream, 0x08", "hx-ci-appclose, 0x1d", "hx-ci-stream, 0x08"})
    void protocolErrorInInitialClosesWhereLibngtcp2Discards(String name, String frameType) throws Exception {
        Map<String, String> f = vector(name);
        assertEquals("0(ok)", f.get("rv"));
        assertEquals("0x0", f.get("ccerr"));
        Hostile same = hostile(name, e -> CloseError.noError());
        assertEquals(TransportErrorCode.PROTOCOL_VIOLATION, same.error().errorCode(), same.error()::toString);
        assertEquals(Long.decode(frameType), same.error().frameType(), same.error()::toString);
        assertEquals(CloseOutcome.WRITTEN, same.outcome());
        assertEquals(f.get("out"), same.datagram());
        Hostile ours = hostile(name, CloseError::fromException);
        assertEquals(CloseOutcome.WRITTEN, ours.outcome());
        assertLongHeaderCloseSent(same.datagram(), ours.datagram(), ours.conn(), TransportErrorCode.PROTOCOL_VIOLATION,
                Long.decode(frameType));
    }

    /**
     * A server's first client Initial with a protocol error (a STREAM frame, RFC 9000 §12.4): libngtcp2 returns
     * {@code NGTCP2_ERR_DROP_CONN} (-242 in 0.12.1), to drop the connection without a word, but its 0.12.1
     * {@code set_transport_error_liberr} predates the DROP_CONN close type (close-spec §1.4, §7), so the harness wrote
     * a PROTOCOL_VIOLATION close. Ours treats the packet as the connection error of §12.4 (close-spec E14, above),
     * and its close with that code is byte-identical to the one 0.12.1 wrote.
     */
    @Test
    void protocolErrorInAServersFirstInitialIsAProtocolViolation() throws Exception {
        Map<String, String> f = vector("hx-si1-stream");
        assertEquals("-242(ERR_DROP_CONN)", f.get("rv"));
        assertEquals("0xa", f.get("ccerr"));
        Hostile ours = hostile("hx-si1-stream", e -> CloseError.transport(e.errorCode()));
        assertEquals(TransportErrorCode.PROTOCOL_VIOLATION, ours.error().errorCode());
        assertEquals(FrameType.STREAM, ours.error().frameType());
        assertEquals(CloseOutcome.WRITTEN, ours.outcome());
        assertEquals(f.get("out"), ours.datagram());
    }

    // ---- the handshake levels: key discard, protocol errors in Handshake packets, CRYPTO at an old level ----

    /**
     * Key discard and the close's levels (close-spec §2, RFC 9001 §4.9.1, RFC 9000 §8.1): a server that wrote its
     * Initial + Handshake flight and reads the client's first Handshake packet (ACK-only, CRYPTO; also after its 3x
     * amplification budget was spent) discards its Initial keys and closes in a Handshake packet alone, the limit
     * lifted; one whose Handshake packet fails authentication (dropped) keeps them and closes at both levels, from
     * the budget that datagram added; a client that wrote its first Handshake packet (its ACKs, its Finished) closes
     * in a Handshake packet alone. Also Initial CRYPTO data repeated within what both received (RFC 9001 §4.1.3
     * allows it) to a client holding Handshake keys and to a server holding its Handshake receive key. libngtcp2's
     * {@code ngtcp2_conn_read_pkt} returns 0, ours processes or drops the packet; the NO_ERROR close both write then
     * is byte-identical, as were the datagrams before it ({@code sin}, {@code pre_out}, {@code cw}).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"hs-s-ack, PROCESSED", "hs-s-crypto, PROCESSED", "hs-s-auth, DROPPED", "hs-s-fill-ack, PROCESSED",
        "hs-s-fill-auth, DROPPED", "hs-c-ack, ", "hs-c-fin, ", "hs-c-initial-old, PROCESSED",
        "hs-s-initial-old, PROCESSED"})
    void closeAfterTheFirstHandshakePacketAsLibngtcp2(String name, ReceiveStatus status) throws Exception {
        Map<String, String> f = vector(name);
        assertEquals(f.containsKey("bad") ? "0(ok)" : null, f.get("rv"));
        Hostile ours = hostile(name, e -> CloseError.noError());
        assertNull(ours.error());
        assertEquals(status, ours.status(), () -> String.valueOf(ours.conn().lastDropReason()));
        assertEquals(CloseOutcome.WRITTEN, ours.outcome());
        assertEquals(f.get("out"), ours.datagram());
        // an Initial packet (long header, type 0) leads the close exactly where the Initial keys were kept
        boolean initial = (Integer.parseInt(f.get("out").substring(0, 2), 16) & 0x30) == 0;
        assertEquals(status == ReceiveStatus.DROPPED || name.equals("hs-s-initial-old"), initial);
    }

    /**
     * The server of {@code hs-s-fill} spent its amplification budget (RFC 9000 §8.1: three times the client's
     * 1200-byte Initial, in its first datagram and two more of Handshake CRYPTO data) and has not heard from the
     * client since: libngtcp2 returns {@code NGTCP2_ERR_NOBUF}, ours says why (close-spec decision 4).
     */
    @Test
    void closeOfAServerAtItsAmplificationLimit() throws Exception {
        Map<String, String> f = vector("hs-s-fill");
        assertEquals("ERR:-203(ERR_NOBUF)", f.get("out"));
        Hostile ours = hostile("hs-s-fill", e -> CloseError.noError());
        assertEquals(CloseOutcome.NOBUF_AMPLIFICATION_LIMIT, ours.outcome());
        assertEquals("", ours.datagram());
    }

    /**
     * The peer's authentic Handshake packet that breaks the protocol (RFC 9000 §12.4, Table 3; close-spec E14): a
     * 0x1d CONNECTION_CLOSE, a STREAM frame, HANDSHAKE_DONE, an ACK of a Handshake packet never sent (§13.1), the
     * reserved bits set (§17.2), each a PROTOCOL_VIOLATION, to a server that wrote its first flight (from the client)
     * and to a client that read it (from the server); and CRYPTO data 64 KiB past what was received at the Handshake
     * level, CRYPTO_BUFFER_EXCEEDED (RFC 9000 §7.5; libngtcp2's limit and ours, {@link Settings#maxCryptoBuffer}, are
     * both 65536 bytes). libngtcp2's {@code ngtcp2_conn_read_pkt} returned the library error whose ccerr our
     * {@link QuicException} carries; closing with that code alone is byte-identical (a server, whose erroneous packet
     * was not successfully processed, keeps its Initial keys, RFC 9001 §4.9.1: Initial + Handshake; a client that has
     * not sent a Handshake packet closes in a Handshake packet alone, close-spec §2), and the close of
     * {@link CloseError#fromException} is the same long-header close with the frame type and a reason (decision 2).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"hs-s-appclose, 0xa, 0x1d", "hs-s-stream, 0xa, 0x08", "hs-s-hsdone, 0xa, 0x1e",
        "hs-s-ack-unsent, 0xa, 0x02", "hs-s-reserved, 0xa, 0x00", "hs-s-crypto-far, 0xd, 0x06",
        "hs-c-appclose, 0xa, 0x1d", "hs-c-stream, 0xa, 0x08", "hs-c-hsdone, 0xa, 0x1e", "hs-c-ack-unsent, 0xa, 0x02",
        "hs-c-reserved, 0xa, 0x00", "hs-c-crypto-far, 0xd, 0x06"})
    void protocolErrorInHandshakeClosesWithLibngtcp2sCode(String name, String code, String frameType)
            throws Exception {
        Hostile[] closes = closesWithLibngtcp2sCode(name, code, frameType);
        Hostile same = closes[0];
        Hostile ours = closes[1];
        assertLongHeaderCloseSent(same.datagram(), ours.datagram(), ours.conn(), Long.decode(code),
                Long.decode(frameType));
    }

    /**
     * Initial CRYPTO data that extends past what was received, once the handshake moved past the Initial level (a
     * client holding Handshake keys, a server holding its Handshake receive key). A documented difference: RFC 9001
     * §4.1.3 says such data from "a previously installed encryption level" MUST be treated as a PROTOCOL_VIOLATION,
     * and ours does; libngtcp2 0.12.1 takes it ({@code ngtcp2_conn_read_pkt} returns 0). Closed with libngtcp2's
     * NO_ERROR ccerr, ours is the close of libngtcp2's state after that error (the server's Initial + Handshake, the
     * client's Handshake alone, as in {@link #protocolErrorInHandshakeClosesWithLibngtcp2sCode}) and libngtcp2's the
     * same close as after data within what was received ({@code hs-*-initial-old}).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"hs-c-initial-new, hs-c-initial-old, hs-c-appclose",
        "hs-s-initial-new, hs-s-initial-old, hs-s-appclose"})
    void newCryptoDataAtAnOldLevelIsAProtocolViolationWhereLibngtcp2TakesIt(String name, String old, String proto)
            throws Exception {
        Map<String, String> f = vector(name);
        assertEquals("0(ok)", f.get("rv"));
        assertEquals(vector(old).get("out"), f.get("out"));
        Hostile same = hostile(name, e -> CloseError.transport(e.errorCode()));
        assertEquals(TransportErrorCode.PROTOCOL_VIOLATION, same.error().errorCode(), same.error()::toString);
        assertEquals(FrameType.CRYPTO, same.error().frameType());
        assertEquals(vector(proto).get("out"), same.datagram());
    }
}
