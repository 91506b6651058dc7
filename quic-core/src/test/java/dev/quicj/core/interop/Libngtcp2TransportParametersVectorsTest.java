package dev.quicj.core.interop;

import static dev.quicj.core.interop.Libngtcp2Vectors.PeerParameters;
import static dev.quicj.core.interop.Libngtcp2Vectors.assertLongHeaderCloseSent;
import static dev.quicj.core.interop.Libngtcp2Vectors.peerParameters;
import static dev.quicj.core.interop.Libngtcp2Vectors.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.QuicException;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.CloseOutcome;
import dev.quicj.core.conn.QuicConnection;
import dev.quicj.core.tls.TransportParameters;
import dev.quicj.core.wire.FrameType;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The peer's transport parameters ({@code peertp}: {@code ngtcp2_conn_decode_remote_transport_params} against
 * {@link TransportParameters#decode} and {@link QuicConnection#checkPeerTransportParameters}, one thing wrong each,
 * then the close; the harness and the differences are described on {@link Libngtcp2CloseVectorsTest}).
 */
class Libngtcp2TransportParametersVectorsTest {
    // ---- the peer's transport parameters ----

    /**
     * The peer's transport parameters with one thing wrong (RFC 9000 §7.3, §7.4, §18.2), given to a server that read
     * the client's first Initial (the client's parameters, {@code tp-s-*}) or to a client that read the server's first
     * datagram ({@code tp-c-*}): max_udp_payload_size 1199, ack_delay_exponent 21, max_ack_delay 2^14,
     * active_connection_id_limit 1, a server-only parameter from a client (original_destination_connection_id,
     * stateless_reset_token, preferred_address, retry_source_connection_id), initial_source_connection_id missing or
     * not the SCID of the peer's packets, a server's original_destination_connection_id missing or not the client's
     * first DCID, a server's retry_source_connection_id without a Retry, a parameter whose length runs past the end,
     * and max_idle_timeout with a 9-byte value (no single variable-length integer). libngtcp2's
     * {@code ngtcp2_conn_decode_remote_transport_params} returns {@code NGTCP2_ERR_TRANSPORT_PARAM},
     * {@code NGTCP2_ERR_MALFORMED_TRANSPORT_PARAM} or {@code NGTCP2_ERR_REQUIRED_TRANSPORT_PARAM}, all
     * TRANSPORT_PARAMETER_ERROR (0x8) in its ccerr; ours throws a {@link QuicException} with that code (frame type
     * CRYPTO, which carried the parameters). Closing with the code alone is byte-identical: the server's Initial
     * close, the client's Handshake close. Closing with {@link CloseError#fromException} writes the same packet
     * (version, DCID) whose CONNECTION_CLOSE also names CRYPTO and carries the exception's message (decision 2).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tp-s-udp1199", "tp-s-exp21", "tp-s-mad16384", "tp-s-cidlimit1", "tp-s-odcid",
        "tp-s-srt", "tp-s-pa", "tp-s-rscid", "tp-s-noiscid", "tp-s-iscid", "tp-s-trunc", "tp-s-idle9",
        "tp-c-odcid", "tp-c-noodcid", "tp-c-iscid", "tp-c-noiscid", "tp-c-rscid", "tp-c-udp1199", "tp-c-cidlimit1",
        "tp-c-trunc"})
    void invalidPeerTransportParametersCloseWithLibngtcp2sCode(String name) throws Exception {
        Map<String, String> f = vector(name);
        assertTrue(f.get("rv").matches("-(217|218|234)\\(ERR_(REQUIRED_|MALFORMED_)?TRANSPORT_PARAM\\)"),
                f.get("rv"));
        assertEquals("0x8", f.get("ccerr"));
        PeerParameters same = peerParameters(name, e -> CloseError.transport(e.errorCode()));
        assertNotNull(same.error(), name);
        assertEquals(TransportErrorCode.TRANSPORT_PARAMETER_ERROR, same.error().errorCode(), same.error()::toString);
        assertEquals(FrameType.CRYPTO, same.error().frameType(), same.error()::toString);
        assertEquals(CloseOutcome.WRITTEN, same.outcome());
        assertEquals(f.get("out"), same.datagram());
        PeerParameters ours = peerParameters(name, CloseError::fromException);
        assertEquals(CloseOutcome.WRITTEN, ours.outcome());
        assertLongHeaderCloseSent(same.datagram(), ours.datagram(), ours.conn(),
                TransportErrorCode.TRANSPORT_PARAMETER_ERROR, FrameType.CRYPTO);
        assertEquals(ours.error().getMessage(), new String(ours.conn().localCloseError().reason(),
                StandardCharsets.UTF_8));
    }

    /**
     * Valid parameters, taken by both and followed by the same NO_ERROR close (libngtcp2's decode returns 0): the
     * minimal ones (initial_source_connection_id, and a server's original_destination_connection_id), with a reserved
     * parameter of RFC 9000 §18.1 (which "MUST be ignored"), and with max_idle_timeout 2^62-1 (the largest
     * variable-length integer).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tp-s-ok", "tp-s-unknown", "tp-s-idlemax", "tp-c-ok", "tp-c-unknown"})
    void validPeerTransportParametersAreTakenAsByLibngtcp2(String name) throws Exception {
        Map<String, String> f = vector(name);
        assertEquals("0(ok)", f.get("rv"));
        PeerParameters ours = peerParameters(name, e -> CloseError.noError());
        assertNull(ours.error());
        assertEquals(CloseOutcome.WRITTEN, ours.outcome());
        assertEquals(f.get("out"), ours.datagram());
    }

    /**
     * A duplicated parameter (active_connection_id_limit twice): RFC 9000 §7.4, "An endpoint SHOULD treat receipt of
     * duplicate transport parameters as a connection error of type TRANSPORT_PARAMETER_ERROR". Ours does (pinned by
     * TransportParametersTest from the RFC), libngtcp2 0.12.1 does not look for duplicates: its decode returns 0 and
     * the connection goes on (it closes with NO_ERROR here). A documented difference; ours with the code alone is
     * byte-identical to libngtcp2's TRANSPORT_PARAMETER_ERROR close of the same connection ({@code tp-s-trunc},
     * {@code tp-c-trunc}).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"tp-s-dup, tp-s-trunc", "tp-c-dup, tp-c-trunc"})
    void duplicatedPeerTransportParameterIsAnErrorWhereLibngtcp2TakesIt(String name, String refused)
            throws Exception {
        Map<String, String> f = vector(name);
        assertEquals("0(ok)", f.get("rv"));
        assertEquals(vector(name.replace("dup", "ok")).get("out"), f.get("out"));
        PeerParameters ours = peerParameters(name, e -> CloseError.transport(e.errorCode()));
        assertEquals(TransportErrorCode.TRANSPORT_PARAMETER_ERROR, ours.error().errorCode());
        assertTrue(ours.error().getMessage().contains("twice"), ours.error()::getMessage);
        assertEquals(vector(refused).get("out"), ours.datagram());
    }
}
