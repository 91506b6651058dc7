package dev.quicj.core.interop;

import static dev.quicj.core.interop.Libngtcp2Vectors.Hostile;
import static dev.quicj.core.interop.Libngtcp2Vectors.SERVER_PATH;
import static dev.quicj.core.interop.Libngtcp2Vectors.T0;
import static dev.quicj.core.interop.Libngtcp2Vectors.assertCloseRepeatsTheToken;
import static dev.quicj.core.interop.Libngtcp2Vectors.hex;
import static dev.quicj.core.interop.Libngtcp2Vectors.hostile;
import static dev.quicj.core.interop.Libngtcp2Vectors.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.Hex;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.CloseOutcome;
import dev.quicj.core.conn.DropReason;
import dev.quicj.core.conn.InitialCheck;
import dev.quicj.core.conn.LibraryError;
import dev.quicj.core.conn.QuicConnection;
import dev.quicj.core.conn.ReceiveStatus;
import dev.quicj.core.packet.PacketHeader;
import java.nio.ByteBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The receive path, then the close (the harness and the differences are described on
 * {@link Libngtcp2CloseVectorsTest}): stateless resets (RFC 9000 §10.3) of 20 to 1200 bytes, short and long
 * headers, a wrong token and the token of a connection ID not in use, to a client that has the server's
 * stateless_reset_token and to a server that moved to a connection ID the client issued; Version Negotiation and
 * Retry packets to a client after its first Initial, some to act on and some to ignore; the datagrams of a closing
 * or draining endpoint (close-spec E11-E13); coalesced packets (RFC 9000 §12.2: a second Initial to another DCID,
 * one that fails authentication, Handshake and 1-RTT packets without keys, bytes after a 1-RTT packet); and a
 * server's first contact ({@code firstcontact}: {@code ngtcp2_accept} against {@link InitialCheck}, for the datagram
 * size, the DCID length and what is coalesced with the Initial, then the read and the close).
 */
class Libngtcp2ReceivePathVectorsTest {
    // ---- stateless resets, Version Negotiation, Retry, and the closing and draining states ----

    /** The datagram of a reset case goes where an application sends it: a short header names no connection ID. */
    private static boolean namesNoConnection(Map<String, String> f) {
        return f.get("form").equals("short");
    }

    /**
     * A stateless reset (RFC 9000 §10.3) that libngtcp2 takes as one, {@code ngtcp2_conn_read_pkt} returning
     * {@code NGTCP2_ERR_DRAINING}: to a confirmed client, a datagram ending in the stateless_reset_token of the
     * server's transport parameters; to a confirmed server, one ending in the token of the connection ID the client
     * issued (NEW_CONNECTION_ID) and made the server use (Retire Prior To 1), which ours too sends to from then on. The
     * short header of 21 bytes (the smallest: 2 fixed bits, 38 unpredictable bits, the 128-bit token), 42 and 1200
     * bytes; for the server also a long header (a Handshake packet to its connection ID, whose keys it discarded), and
     * for both one whose Length runs past the datagram. Ours drains as well, through the entry point an application
     * uses ({@link QuicConnection#receiveStatelessReset} for the short headers, whose bytes name no connection ID,
     * {@link QuicConnection#receive} for the long ones, which name the reader's) and through the other one; neither
     * side has a peer CONNECTION_CLOSE (libngtcp2's close error stays the default, NO_ERROR), and neither writes a
     * close afterwards (RFC 9000 §10.3.1: "MUST enter the draining period and not send any further packets").
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sr-c-21", "sr-c-42", "sr-c-1200", "sr-c-longtrunc", "sr-s-21", "sr-s-42", "sr-s-1200",
        "sr-s-long", "sr-s-longtrunc"})
    void statelessResetDrainsBothSides(String name) throws Exception {
        Map<String, String> f = vector(name);
        assertEquals("-231(ERR_DRAINING)", f.get("rv"));
        assertEquals("transport:0x0:0x0:", f.get("peer"));
        assertEquals("", f.get("out"));
        for (boolean resetCheck : new boolean[] {namesNoConnection(f), !namesNoConnection(f)}) {
            Hostile ours = hostile(name, e -> CloseError.fromLibraryError(LibraryError.DRAINING, null), resetCheck);
            String entry = resetCheck ? "receiveStatelessReset" : "receive";
            assertNull(ours.error(), entry);
            assertEquals(ReceiveStatus.DRAINING, ours.status(), () -> entry + ": " + ours.conn().lastDropReason());
            assertTrue(ours.conn().isStatelessReset() && ours.conn().isInDrainingPeriod(), entry);
            assertNull(ours.conn().peerCloseError(), entry);
            assertEquals(CloseOutcome.NOTHING_TO_WRITE, ours.outcome(), entry);
            assertEquals("", ours.datagram(), entry);
        }
    }

    /**
     * Datagrams that are not a stateless reset of the reader: 20 bytes ending in the token (one short of the
     * smallest), 42 ending in the token with its last bit inverted, and 42 ending in the token of a connection ID
     * issued but not in use (RFC 9000 §10.3.1: "MUST NOT check for any stateless reset tokens associated with
     * connection IDs it has not used"; the client's from the server's NEW_CONNECTION_ID, the server's from the
     * client's, with Retire Prior To 0). libngtcp2 discards them ({@code ngtcp2_conn_read_pkt} returns 0) and so does
     * ours, through either entry point ({@link QuicConnection#receive} says why: {@code dropped}); the connection goes
     * on, and the close both then write (with the NO_ERROR of libngtcp2's 0) is byte-identical: a client's 1-RTT
     * close, or a server's to the connection ID it moved to, NCID, or (Retire Prior To 0) still the client's first.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"sr-c-20, MALFORMED_HEADER", "sr-c-flipped, UNKNOWN_CONNECTION_ID",
        "sr-c-unused, UNKNOWN_CONNECTION_ID", "sr-s-20, MALFORMED_HEADER", "sr-s-flipped, UNKNOWN_CONNECTION_ID",
        "sr-s-unused, UNKNOWN_CONNECTION_ID"})
    void notAStatelessResetClosesAsLibngtcp2(String name, DropReason dropped) throws Exception {
        Map<String, String> f = vector(name);
        assertEquals("0(ok)", f.get("rv"));
        for (boolean resetCheck : new boolean[] {true, false}) {
            Hostile ours = hostile(name, e -> CloseError.noError(), resetCheck);
            String entry = resetCheck ? "receiveStatelessReset" : "receive";
            assertNull(ours.error(), entry);
            assertEquals(ReceiveStatus.DROPPED, ours.status(), entry);
            if (!resetCheck) {
                assertEquals(dropped, ours.conn().lastDropReason());
            }
            assertTrue(!ours.conn().isStatelessReset(), entry);
            assertEquals(CloseOutcome.WRITTEN, ours.outcome(), entry);
            assertEquals(f.get("out"), ours.datagram(), entry);
        }
    }

    /**
     * A long-header datagram to a confirmed client (a Handshake packet, whose keys it discarded) ending in the
     * server's stateless_reset_token: libngtcp2 0.12.1's client discards it ({@code ngtcp2_conn_read_pkt} returns 0)
     * and writes its close, where its server drains on the same datagram to it ({@code sr-s-long}), as the current
     * ngtcp2 does in both roles (close-spec §8.1, {@code test_ngtcp2_conn_recv_stateless_reset}: "short form,
     * long-header form, or long form with an unparsable header"), and as RFC 9000 §10.3.1 requires ("the comparison
     * MUST be performed when the first packet in an incoming datagram either cannot be associated with a connection
     * or cannot be decrypted"). Ours drains, through either entry point, and writes nothing.
     */
    @Test
    void longHeaderStatelessResetToAClientWhichLibngtcp2MissesDrainsOurs() throws Exception {
        Map<String, String> f = vector("sr-c-long");
        assertEquals("0(ok)", f.get("rv"));
        assertEquals(30, f.get("out").length() / 2);
        assertEquals("-231(ERR_DRAINING)", vector("sr-s-long").get("rv"));
        for (boolean resetCheck : new boolean[] {false, true}) {
            Hostile ours = hostile("sr-c-long", e -> CloseError.fromLibraryError(LibraryError.DRAINING, null),
                    resetCheck);
            assertEquals(ReceiveStatus.DRAINING, ours.status());
            assertTrue(ours.conn().isStatelessReset());
            assertEquals(CloseOutcome.NOTHING_TO_WRITE, ours.outcome());
        }
    }

    /**
     * A Version Negotiation packet that rules out the client's version, to a client that sent its first Initial,
     * echoing its connection IDs (RFC 9000 §6.2, §17.2.1): it lists RFC 9369's v2 and a reserved version, or no
     * version at all ({@code vn-c-empty}: "Supported Version (32) ...", zero or more, §1.3). libngtcp2's
     * {@code ngtcp2_conn_read_pkt} returns {@code NGTCP2_ERR_RECV_VERSION_NEGOTIATION}, whose close type
     * ({@code set_transport_error_liberr}) writes nothing (close-spec E9); ours returns
     * {@link ReceiveStatus#VERSION_NEGOTIATION}, and {@link CloseError#versionNegotiation} writes nothing either
     * ({@link CloseOutcome#NOTHING_TO_WRITE}); neither is closing or draining. (Ours dropped the empty list as a
     * malformed header until this comparison showed the difference.)
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"vn-c", "vn-c-empty"})
    void versionNegotiationThatRulesOutTheVersionWritesNoClose(String name) throws Exception {
        Map<String, String> f = vector(name);
        assertEquals("-229(ERR_RECV_VERSION_NEGOTIATION)", f.get("rv"));
        assertEquals("versionnegotiation", f.get("cctype"));
        assertEquals("", f.get("out"));
        Hostile ours = hostile(name, e -> CloseError.versionNegotiation());
        assertNull(ours.error());
        assertEquals(ReceiveStatus.VERSION_NEGOTIATION, ours.status());
        assertEquals(CloseOutcome.NOTHING_TO_WRITE, ours.outcome());
        assertEquals("", ours.datagram());
        assertTrue(!ours.conn().isInClosingPeriod() && !ours.conn().isInDrainingPeriod());
    }

    /**
     * Packets a client must ignore, after its first Initial: a Version Negotiation packet that lists its version, or
     * does not echo its SCID as DCID or its DCID as SCID, or comes after the server's Initial (RFC 9000 §6.2: "MUST
     * discard any Version Negotiation packet if it has received and successfully processed any other packet", or one
     * that "lists the QUIC version selected by the client"), or whose list is not a whole number of 32-bit versions
     * (§17.2.1; {@code vn-c-ragged}: the second version cut to 2 bytes); a Retry with a bad integrity tag (RFC
     * 9001 §5.8: "MUST discard"), whose SCID is the client's first DCID (RFC 9000 §17.2.5.1: "MUST discard"), with an
     * empty token (§17.2.5.2: "MUST discard"), or after the server's Initial (§17.2.5.2: "MUST discard any
     * subsequent Retry packets"). libngtcp2's {@code ngtcp2_conn_read_pkt} returns 0, ours drops it ({@code dropped})
     * and the connection goes on: the client's 1200-byte Initial close both write then (NO_ERROR) is byte-identical,
     * to the first DCID or, after the server's Initial, to the server's SCID.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"vn-c-own, IGNORED_VERSION_NEGOTIATION", "vn-c-dcid, UNKNOWN_CONNECTION_ID",
        "vn-c-scid, UNKNOWN_CONNECTION_ID", "vn-c-afterinitial, IGNORED_VERSION_NEGOTIATION",
        "vn-c-ragged, MALFORMED_HEADER",
        "rx-c-badtag, INVALID_RETRY", "rx-c-odcid, INVALID_RETRY", "rx-c-notoken, INVALID_RETRY",
        "rx-c-afterinitial, INVALID_RETRY"})
    void ignoredVersionNegotiationOrRetryClosesAsLibngtcp2(String name, DropReason dropped) throws Exception {
        Map<String, String> f = vector(name);
        assertEquals("0(ok)", f.get("rv"));
        Hostile ours = hostile(name, e -> CloseError.noError());
        assertNull(ours.error());
        assertEquals(ReceiveStatus.DROPPED, ours.status());
        assertEquals(dropped, ours.conn().lastDropReason());
        assertEquals(CloseOutcome.WRITTEN, ours.outcome());
        assertEquals(1200, ours.datagram().length() / 2);
        assertEquals(f.get("out"), ours.datagram());
    }

    /**
     * A valid Retry (its integrity tag computed for the DCID it names) to a DCID that is not the client's SCID:
     * libngtcp2 0.12.1 processes it ({@code ngtcp2_conn_read_pkt} returns 0 and the client is back in CLIENT_INITIAL,
     * so its close is {@code NGTCP2_ERR_INVALID_STATE}, close-spec E2), leaving it to the application's routing not to
     * hand it such a packet; ours drops it ({@link DropReason#UNKNOWN_CONNECTION_ID}, RFC 9000 §5.2.1: "Packets that do
     * not match an existing connection -- based on Destination Connection ID [...] -- are discarded"; and
     * {@link QuicConnection#receive} is for the datagrams routed to the connection by that ID), so it goes on and
     * writes the close libngtcp2 writes after the Retries both drop ({@code rx-c-badtag}), byte for byte.
     */
    @Test
    void retryToAnotherConnectionIdIsDroppedWhereLibngtcp2TakesIt() throws Exception {
        Map<String, String> f = vector("rx-c-dcid");
        assertEquals("0(ok)", f.get("rv"));
        assertEquals("ERR:-206(ERR_INVALID_STATE)", f.get("out"));
        Hostile ours = hostile("rx-c-dcid", e -> CloseError.noError());
        assertEquals(ReceiveStatus.DROPPED, ours.status());
        assertEquals(DropReason.UNKNOWN_CONNECTION_ID, ours.conn().lastDropReason());
        assertNull(ours.conn().retrySourceConnectionId());
        assertEquals(CloseOutcome.WRITTEN, ours.outcome());
        assertEquals(vector("rx-c-badtag").get("out"), ours.datagram());
    }

    /**
     * A second Retry, after the client processed a first one and sent its second Initial (compared, with the first
     * Retry's token): both drop it (RFC 9000 §17.2.5.2), libngtcp2 returning 0; the close afterwards differs only in
     * the token, as after one Retry ({@link Libngtcp2CloseVectorsTest#closeAfterRetryRepeatsTheToken}, decision 1).
     */
    @Test
    void secondRetryIsIgnored() throws Exception {
        Map<String, String> f = vector("rx-c-second");
        assertEquals("0(ok)", f.get("rv"));
        Hostile ours = hostile("rx-c-second", e -> CloseError.noError());
        assertEquals(ReceiveStatus.DROPPED, ours.status());
        assertEquals(DropReason.INVALID_RETRY, ours.conn().lastDropReason());
        assertEquals(CloseOutcome.WRITTEN, ours.outcome());
        assertCloseRepeatsTheToken(f, ours.datagram(), "a1a2a3a4a5a6a7a8", "7474747474747474747474747474747474747474",
                "1c000000");
    }

    /**
     * Close-spec E11-E13: a confirmed server or client that wrote its own close ({@code close1}, identical) reads the
     * peer's authentic 1-RTT packet, the peer's CONNECTION_CLOSE or 50 bytes of garbage: libngtcp2's
     * {@code ngtcp2_conn_read_pkt} returns {@code NGTCP2_ERR_CLOSING}, ours {@link ReceiveStatus#CLOSING}, and even the
     * peer's CONNECTION_CLOSE leaves both closing, not draining (packets are not decrypted once closing); one that
     * read the peer's CONNECTION_CLOSE ({@code read1}: draining) reads the peer's next 1-RTT packet: libngtcp2's
     * returns {@code NGTCP2_ERR_DRAINING}, ours {@link ReceiveStatus#DRAINING}. Neither writes a close afterwards
     * (libngtcp2's returns 0, ours {@link CloseOutcome#NOTHING_TO_WRITE}).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cl-s-ping", "cl-s-close", "cl-s-garbage", "cl-c-ping", "cl-c-close", "cl-c-garbage",
        "dr-s-ping", "dr-c-ping"})
    void closingOrDrainingReadsNothingAndWritesNoClose(String name) throws Exception {
        Map<String, String> f = vector(name);
        boolean draining = name.startsWith("dr-");
        assertEquals(draining ? "-231(ERR_DRAINING)" : "-230(ERR_CLOSING)", f.get("rv"));
        assertEquals("", f.get("out"));
        Hostile ours = hostile(name, e -> CloseError.fromLibraryError(
                draining ? LibraryError.DRAINING : LibraryError.CLOSING, null));
        assertNull(ours.error());
        assertEquals(draining ? ReceiveStatus.DRAINING : ReceiveStatus.CLOSING, ours.status());
        assertEquals(draining, ours.conn().isInDrainingPeriod());
        assertEquals(!draining, ours.conn().isInClosingPeriod());
        assertEquals(CloseOutcome.NOTHING_TO_WRITE, ours.outcome());
        assertEquals("", ours.datagram());
    }

    /**
     * An empty datagram to a closing or draining endpoint: close-spec §5.2 and E11 (the current ngtcp2) return 0
     * before the state check, and so does ours ({@link ReceiveStatus#DROPPED}, {@link DropReason#EMPTY_DATAGRAM}),
     * where libngtcp2 0.12.1 returns {@code NGTCP2_ERR_INVALID_ARGUMENT} (-201), also before the state check; the
     * state stays as it was in all three, and no close is written afterwards.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cl-s-empty", "cl-c-empty", "dr-s-empty", "dr-c-empty"})
    void emptyDatagramWhenClosedIsDropped(String name) throws Exception {
        Map<String, String> f = vector(name);
        boolean draining = name.startsWith("dr-");
        assertEquals("-201(ERR_INVALID_ARGUMENT)", f.get("rv"));
        assertEquals("", f.get("out"));
        Hostile ours = hostile(name, e -> CloseError.fromLibraryError(LibraryError.INVALID_ARGUMENT, null));
        assertEquals(ReceiveStatus.DROPPED, ours.status());
        assertEquals(DropReason.EMPTY_DATAGRAM, ours.conn().lastDropReason());
        assertEquals(draining, ours.conn().isInDrainingPeriod());
        assertEquals(!draining, ours.conn().isInClosingPeriod());
        assertEquals(CloseOutcome.NOTHING_TO_WRITE, ours.outcome());
    }

    // ---- coalesced packets ----

    /**
     * A datagram of coalesced packets (RFC 9000 §12.2) to a server that read the client's first Initial, all sealed
     * with the client's keys: an Initial carrying PING followed by an Initial to another DCID carrying a
     * CONNECTION_CLOSE ({@code co-dcid}: "SHOULD ignore any subsequent packets with a different Destination
     * Connection ID"; processed, it would make the server drain); an Initial, a Handshake and a 1-RTT packet
     * carrying PING, whose Handshake and 1-RTT keys the server does not have yet ({@code co-levels}). libngtcp2's
     * {@code ngtcp2_conn_read_pkt} returns 0, ours {@link ReceiveStatus#PROCESSED} (the first packet), neither
     * drains, and the server's Initial close both write then (NO_ERROR) is byte-identical.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"co-dcid", "co-levels"})
    void coalescedPacketsAfterTheFirstAreSkippedAsByLibngtcp2(String name) throws Exception {
        Map<String, String> f = vector(name);
        assertEquals("0(ok)", f.get("rv"));
        Hostile ours = hostile(name, e -> CloseError.noError());
        assertNull(ours.error());
        assertEquals(ReceiveStatus.PROCESSED, ours.status(), () -> String.valueOf(ours.conn().lastDropReason()));
        assertEquals(CloseOutcome.WRITTEN, ours.outcome());
        assertEquals(f.get("out"), ours.datagram());
    }

    /**
     * The peer's authentic 1-RTT packet carrying PING, followed by 10 more bytes in the datagram, to a confirmed server
     * or client: a short header packet runs to the end of the datagram (RFC 9000 §12.2), so the bytes are part of its
     * ciphertext and its authentication fails. libngtcp2 discards it ({@code ngtcp2_conn_read_pkt} returns 0), ours
     * drops it ({@link DropReason#DECRYPTION_FAILED}); the 1-RTT close both write then (NO_ERROR) is byte-identical.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tr-s-1rtt", "tr-c-1rtt"})
    void bytesAfterAOneRttPacketFailItsAuthentication(String name) throws Exception {
        Map<String, String> f = vector(name);
        assertEquals("0(ok)", f.get("rv"));
        Hostile ours = hostile(name, e -> CloseError.noError());
        assertNull(ours.error());
        assertEquals(ReceiveStatus.DROPPED, ours.status());
        assertEquals(DropReason.DECRYPTION_FAILED, ours.conn().lastDropReason());
        assertEquals(CloseOutcome.WRITTEN, ours.outcome());
        assertEquals(f.get("out"), ours.datagram());
    }

    // ---- a server's first contact ----

    /**
     * A client's first Initial to a server that has no connection yet (RFC 9000 §14.1, §7.2, §17.2.2), sealed by hand
     * and judged before any connection exists: libngtcp2 by {@code ngtcp2_accept}, ours by {@link InitialCheck#of}.
     * Both refuse a datagram of 1199 bytes ("MUST discard an Initial packet that is carried in a UDP datagram with a
     * payload that is smaller than" 1200), a 7-byte DCID (§7.2: at least 8) and a 21-byte one (§17.2: at most 20 in
     * v1; libngtcp2 INVALID_ARGUMENT, ours MALFORMED: the header does not parse), and accept 1200 bytes, DCIDs of 8
     * and 20, the Initial coalesced with a 0-RTT or a Handshake packet, and one followed by 100 zero bytes. Where
     * both accept, a server built for it (ours: {@code serverBuilder}, which learns the DCID from the packet) reads
     * the datagram as libngtcp2's did ({@code ngtcp2_conn_read_pkt} 0, ours {@link ReceiveStatus#PROCESSED}: the
     * Initial; the 0-RTT and Handshake packets have no keys yet, the zeros are padding) and the server's Initial
     * close both write then (NO_ERROR) is byte-identical. Behind the refusals libngtcp2's server would still read the
     * 7-byte DCID's Initial (0) and drop the connection of the 1199-byte one ({@code NGTCP2_ERR_DROP_CONN}); an
     * application that asks {@code ngtcp2_accept} first, as ours asks {@link InitialCheck}, builds neither.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"fc-1199, DATAGRAM_TOO_SMALL", "fc-1200, ACCEPTABLE", "fc-d7, DCID_TOO_SHORT", "fc-d20, ACCEPTABLE",
        "fc-d21, MALFORMED", "fc-0rtt, ACCEPTABLE", "fc-hs, ACCEPTABLE", "fc-junk, ACCEPTABLE"})
    void firstContactIsJudgedAsByNgtcp2Accept(String name, InitialCheck expected) throws Exception {
        Map<String, String> f = vector(name);
        boolean accepted = expected == InitialCheck.ACCEPTABLE;
        assertEquals(accepted ? "0(ok)" : "-201(ERR_INVALID_ARGUMENT)", f.get("accept"));
        ByteBuffer datagram = ByteBuffer.wrap(Hex.decode(f.get("bad")));
        assertEquals(Integer.parseInt(f.get("len")), datagram.remaining());
        assertEquals(expected, InitialCheck.of(datagram, new PacketHeader()));
        if (!accepted) {
            return;
        }
        assertEquals("0(ok)", f.get("rv"));
        QuicConnection s = QuicConnection.serverBuilder().version(QuicVersion.V1)
                .sourceConnectionId(ConnectionId.fromHex(f.get("sscid"))).path(SERVER_PATH).build(T0);
        assertEquals(ReceiveStatus.PROCESSED, s.receive(datagram, SERVER_PATH, T0), () -> "" + s.lastDropReason());
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN, s.writeConnectionClose(null, null, dest, CloseError.noError(), T0));
        assertEquals(f.get("out"), hex(dest));
    }
}
