package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.QuicException;
import dev.quicj.core.Role;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.tls.TransportParameters;
import dev.quicj.core.wire.VarInt;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * Stream data flow control on the receive path (RFC 9000 §4.1: "A receiver MUST close the connection with an error of
 * type FLOW_CONTROL_ERROR if the sender violates the advertised connection or stream data limits") and final sizes
 * (§4.5, FINAL_SIZE_ERROR). This core sends no MAX_DATA or MAX_STREAM_DATA, so the limits are the initial ones of the
 * transport parameters given to {@link QuicConnection#setLocalTransportParameters}. Stream IDs at the server (§2.1):
 * 0, 4, 8, 12 client-initiated bidirectional, 2, 6 client-initiated unidirectional, 1 server-initiated bidirectional.
 */
class StreamFlowControlTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();
    private static final long MAX_DATA = 150;
    private static final long BIDI_REMOTE = 100;
    private static final long BIDI_LOCAL = 30;
    private static final long UNI = 60;
    private static final TransportParameters LIMITS = TransportParameters.builder().initialMaxStreamsBidi(4)
            .initialMaxStreamsUni(2).initialMaxData(MAX_DATA).initialMaxStreamDataBidiRemote(BIDI_REMOTE)
            .initialMaxStreamDataBidiLocal(BIDI_LOCAL).initialMaxStreamDataUni(UNI).build();

    /** A connection of {@code role} whose handshake completed, and the peer's next packet number. */
    private static final class Peer {
        final QuicConnection c;
        long pn;

        Peer(Role role, TransportParameters local) throws Exception {
            c = role == Role.CLIENT ? ConnectionFixtures.clientPostHandshake(NULL)
                    : ConnectionFixtures.serverConfirmed(NULL);
            if (local != null) {
                c.setLocalTransportParameters(local);
            }
        }

        ReceiveStatus send(byte[]... frames) throws Exception {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (byte[] f : frames) {
                out.write(f);
            }
            byte[] secret = c.role() == Role.CLIENT ? SERVER_1RTT_SECRET : CLIENT_1RTT_SECRET;
            byte[] packet = ConnectionFixtures.peerShortPacket(NULL, secret, c.sourceConnectionId(), pn++,
                    out.toByteArray());
            return c.receive(ByteBuffer.wrap(packet), c.role() == Role.CLIENT ? CLIENT_PATH : SERVER_PATH, T0 + 1);
        }

        void accepted(byte[]... frames) throws Exception {
            assertEquals(ReceiveStatus.PROCESSED, send(frames));
        }

        /** The packet is refused with {@code errorCode} for the frame of {@code frameType}, and has no effect. */
        void refused(long errorCode, long frameType, byte[]... frames) {
            long largest = c.largestReceived(EncryptionLevel.ONE_RTT);
            QuicException e = assertThrows(QuicException.class, () -> send(frames));
            assertEquals(errorCode, e.errorCode(), e.toString());
            assertEquals(frameType, e.frameType(), e.toString());
            assertEquals(largest, c.largestReceived(EncryptionLevel.ONE_RTT));
        }
    }

    private static Peer server() throws Exception {
        return new Peer(Role.SERVER, LIMITS);
    }

    /** A STREAM frame with the OFF and LEN bits (type 0x0e, 0x0f with FIN) and {@code length} bytes of data. */
    private static byte[] stream(long streamId, long offset, int length, boolean fin) {
        ByteBuffer b = ByteBuffer.allocate(1 + 3 * 8 + length);
        b.put((byte) (fin ? 0x0f : 0x0e));
        VarInt.encode(b, streamId);
        VarInt.encode(b, offset);
        VarInt.encode(b, length);
        for (int i = 0; i < length; i++) {
            b.put((byte) 0xaa);
        }
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    private static byte[] stream(long streamId, long offset, int length) {
        return stream(streamId, offset, length, false);
    }

    /** A RESET_STREAM frame (type 0x04) with error code 0. */
    private static byte[] reset(long streamId, long finalSize) {
        ByteBuffer b = ByteBuffer.allocate(1 + 3 * 8);
        b.put((byte) 0x04);
        VarInt.encode(b, streamId);
        VarInt.encode(b, 0);
        VarInt.encode(b, finalSize);
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    private static final long FLOW = TransportErrorCode.FLOW_CONTROL_ERROR;
    private static final long FINAL = TransportErrorCode.FINAL_SIZE_ERROR;

    // ---------------------------------------------------------------------------------------------------------
    // stream limits

    @Test
    void streamDataBeyondTheBidiRemoteLimitByItsOffset() throws Exception {
        server().refused(FLOW, 0x0e, stream(0, BIDI_REMOTE, 1));
    }

    @Test
    void streamDataBeyondTheBidiRemoteLimitByItsLength() throws Exception {
        server().refused(FLOW, 0x0f, stream(0, 0, (int) BIDI_REMOTE + 1, true));
    }

    @Test
    void streamDataBeyondTheLimitInALaterPacket() throws Exception {
        Peer p = server();
        p.accepted(stream(0, 0, 50));
        p.refused(FLOW, 0x0e, stream(0, 50, (int) BIDI_REMOTE - 49));
    }

    @Test
    void unidirectionalStreamDataBeyondItsLimit() throws Exception {
        server().refused(FLOW, 0x0e, stream(2, 0, (int) UNI + 1));
        server().refused(FLOW, 0x0e, stream(6, UNI, 1));
    }

    @Test
    void aClientAppliesTheUniLimitToTheServersUnidirectionalStreams() throws Exception {
        Peer p = new Peer(Role.CLIENT, TransportParameters.builder().initialMaxStreamsBidi(1).initialMaxStreamsUni(1)
                .initialMaxData(MAX_DATA).initialMaxStreamDataBidiRemote(BIDI_REMOTE).initialMaxStreamDataUni(UNI)
                .build());
        p.refused(FLOW, 0x0e, stream(3, 0, (int) UNI + 1));
        p.refused(FLOW, 0x0e, stream(1, 0, (int) BIDI_REMOTE + 1));
        p.accepted(stream(3, 0, (int) UNI), stream(1, 0, (int) (MAX_DATA - UNI)));
    }

    @Test
    void dataUpToExactlyTheLimitsIsTaken() throws Exception {
        server().accepted(stream(0, 0, (int) BIDI_REMOTE, true));
        server().accepted(stream(0, BIDI_REMOTE - 1, 1));
        server().accepted(stream(2, 0, (int) UNI));
        server().accepted(reset(0, BIDI_REMOTE));
        server().accepted(reset(2, UNI));
        // and the connection's: 100 + 50
        server().accepted(stream(0, 0, (int) BIDI_REMOTE), stream(4, 0, (int) (MAX_DATA - BIDI_REMOTE)));
        // an empty frame at the limit ends there
        server().accepted(stream(0, BIDI_REMOTE, 0));
    }

    // ---------------------------------------------------------------------------------------------------------
    // the connection limit

    @Test
    void theConnectionLimitAcrossTwoStreamsOfOnePacket() throws Exception {
        server().refused(FLOW, 0x0e, stream(0, 0, (int) BIDI_REMOTE), stream(4, 0, (int) (MAX_DATA - BIDI_REMOTE) + 1));
        server().refused(FLOW, 0x0e, stream(2, 0, (int) UNI), stream(0, 0, (int) BIDI_REMOTE));
    }

    @Test
    void theConnectionLimitAcrossTwoPackets() throws Exception {
        Peer p = server();
        p.accepted(stream(0, 0, (int) BIDI_REMOTE));
        p.refused(FLOW, 0x0e, stream(4, 0, (int) (MAX_DATA - BIDI_REMOTE) + 1));
        p.refused(FLOW, 0x04, reset(8, MAX_DATA - BIDI_REMOTE + 1));
        p.accepted(stream(4, 0, (int) (MAX_DATA - BIDI_REMOTE)));
        // the connection is full: even one byte on another stream is too many, an empty frame is not
        p.accepted(stream(8, 0, 0));
        p.refused(FLOW, 0x0e, stream(8, 0, 1));
    }

    @Test
    void retransmittedDataIsNotCountedTwice() throws Exception {
        Peer p = server();
        p.accepted(stream(0, 0, (int) BIDI_REMOTE));
        // again, and overlapping, next to the rest of the connection's credit: 100 + 50 if not counted twice
        p.accepted(stream(0, 0, (int) BIDI_REMOTE), stream(0, 40, 20), stream(4, 0, (int) (MAX_DATA - BIDI_REMOTE)));
        p.accepted(stream(4, 10, 40), stream(0, 99, 1));
        p.refused(FLOW, 0x0e, stream(8, 0, 1));
    }

    @Test
    void retransmittedDataInOnePacketIsNotCountedTwice() throws Exception {
        server().accepted(stream(0, 0, (int) BIDI_REMOTE), stream(0, 0, (int) BIDI_REMOTE),
                stream(4, 0, (int) (MAX_DATA - BIDI_REMOTE)), stream(4, 10, 20));
        server().refused(FLOW, 0x0e, stream(0, 0, (int) BIDI_REMOTE), stream(0, 0, (int) BIDI_REMOTE),
                stream(4, 0, (int) (MAX_DATA - BIDI_REMOTE)), stream(4, 10, 20), stream(8, 0, 1));
    }

    // ---------------------------------------------------------------------------------------------------------
    // RESET_STREAM

    @Test
    void aResetFinalSizeBeyondTheStreamLimit() throws Exception {
        server().refused(FLOW, 0x04, reset(0, BIDI_REMOTE + 1));
        server().refused(FLOW, 0x04, reset(2, UNI + 1));
    }

    @Test
    void aResetFinalSizeCountsAgainstTheConnection() throws Exception {
        Peer p = server();
        // §4.5: "the receiver MUST use the final size of the stream to account for all bytes sent on the stream in
        // its connection-level flow controller", though only 10 of them arrived
        p.accepted(stream(0, 0, 10), reset(0, BIDI_REMOTE));
        p.refused(FLOW, 0x0e, stream(4, 0, (int) (MAX_DATA - BIDI_REMOTE) + 1));
        p.accepted(stream(4, 0, (int) (MAX_DATA - BIDI_REMOTE)));
    }

    @Test
    void aResetOfALocallyInitiatedBidirectionalStreamIsCheckedAgainstBidiLocal() throws Exception {
        // stream 1: server-initiated bidirectional; this core opens no stream, and RFC 9000 has no rule for a reset
        // of one not yet created, but its final size cannot exceed the limit the stream would have had
        server().refused(FLOW, 0x04, reset(1, BIDI_LOCAL + 1));
        server().accepted(reset(1, BIDI_LOCAL));
    }

    // ---------------------------------------------------------------------------------------------------------
    // final sizes

    @Test
    void aChangedFinalSizeIsAFinalSizeError() throws Exception {
        Peer p = server();
        p.accepted(stream(0, 0, 10, true));
        // the same final size again, by STREAM or RESET_STREAM, is fine
        p.accepted(stream(0, 5, 5, true), reset(0, 10));
        p.refused(FINAL, 0x0f, stream(0, 0, 20, true));
        p.refused(FINAL, 0x0f, stream(0, 0, 5, true));
        p.refused(FINAL, 0x04, reset(0, 11));
        p.refused(FINAL, 0x04, reset(0, 9));
    }

    @Test
    void aChangedFinalSizeByResetStream() throws Exception {
        Peer p = server();
        p.accepted(reset(4, 10));
        p.refused(FINAL, 0x04, reset(4, 12));
        p.refused(FINAL, 0x0f, stream(4, 0, 12, true));
        // within one packet
        server().refused(FINAL, 0x04, reset(4, 10), reset(4, 12));
    }

    @Test
    void dataBeyondAKnownFinalSizeIsAFinalSizeError() throws Exception {
        Peer p = server();
        p.accepted(stream(0, 0, 10, true));
        p.refused(FINAL, 0x0e, stream(0, 10, 1));
        p.refused(FINAL, 0x0e, stream(0, 5, 6));
        p.accepted(stream(0, 5, 5));
        Peer q = server();
        q.accepted(reset(4, 5));
        q.refused(FINAL, 0x0e, stream(4, 0, 6));
        // within one packet
        server().refused(FINAL, 0x0e, reset(8, 5), stream(8, 5, 1));
    }

    @Test
    void aFinalSizeBelowTheDataReceivedIsAFinalSizeError() throws Exception {
        Peer p = server();
        p.accepted(stream(0, 0, 20));
        p.refused(FINAL, 0x0f, stream(0, 0, 10, true));
        p.refused(FINAL, 0x04, reset(0, 19));
        p.accepted(reset(0, 20));
        // within one packet
        server().refused(FINAL, 0x04, stream(4, 0, 20), reset(4, 10));
    }

    // ---------------------------------------------------------------------------------------------------------
    // a refused packet changes nothing

    @Test
    void aPacketRefusedLaterLeavesTheCountsUnchanged() throws Exception {
        Peer p = server();
        // valid STREAM frames, then an unknown frame type (0x21): FRAME_ENCODING_ERROR
        p.refused(TransportErrorCode.FRAME_ENCODING_ERROR, 0x21, stream(4, 0, (int) BIDI_REMOTE),
                stream(0, 0, 10, true), new byte[] {0x21});
        // had they counted, 100 on stream 4 would leave no room for these 150, and stream 0 would have final size 10
        p.accepted(stream(0, 0, (int) BIDI_REMOTE), stream(8, 0, (int) (MAX_DATA - BIDI_REMOTE)));
        // and these did count
        p.refused(FLOW, 0x0e, stream(12, 0, 1));
    }

    @Test
    void aPacketRefusedByFlowControlLeavesTheCountsUnchanged() throws Exception {
        Peer p = server();
        p.refused(FLOW, 0x0e, stream(4, 0, (int) BIDI_REMOTE), reset(12, 10), stream(8, 0, 41));
        p.accepted(stream(0, 0, (int) BIDI_REMOTE), stream(8, 0, (int) (MAX_DATA - BIDI_REMOTE)));
        p.accepted(reset(12, 0));
    }

    @Test
    void aSameDataPacketIsTakenAfterARefusedOne() throws Exception {
        Peer p = server();
        // a malformed frame (a truncated RESET_STREAM) after a valid STREAM frame
        p.refused(TransportErrorCode.FRAME_ENCODING_ERROR, 0x04, stream(0, 0, (int) BIDI_REMOTE),
                new byte[] {0x04, 0x00});
        p.accepted(stream(0, 0, (int) BIDI_REMOTE), stream(4, 0, (int) (MAX_DATA - BIDI_REMOTE)));
        p.refused(FLOW, 0x0e, stream(8, 0, 1));
    }

    // ---------------------------------------------------------------------------------------------------------

    @Test
    void withoutLocalTransportParametersNothingIsEnforced() throws Exception {
        Peer p = new Peer(Role.SERVER, null);
        p.accepted(stream(0, 1000, 10, true));
        p.accepted(stream(0, 5000, 10, true), reset(0, 5), stream(4, 1L << 40, 10));
    }

    @Test
    void theLimitsDefaultToZero() throws Exception {
        // §18.2: initial_max_data and initial_max_stream_data_* are 0 when absent
        Peer p = new Peer(Role.SERVER, TransportParameters.builder().initialMaxStreamsBidi(1).build());
        p.accepted(stream(0, 0, 0), stream(0, 0, 0, true), reset(0, 0));
        Peer q = new Peer(Role.SERVER, TransportParameters.builder().initialMaxStreamsBidi(1).build());
        q.refused(FLOW, 0x0e, stream(0, 0, 1));
    }

    /**
     * The CRYPTO data listener sets the local transport parameters while a packet is applied, after the packet was
     * checked without them: its later STREAM frame is neither checked nor counted (receive threw a
     * NullPointerException, found by a documentation audit), and the next packet is.
     */
    @Test
    void parametersSetWhileAPacketIsAppliedTakeEffectWithTheNextPacket() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
        c.cryptoListener = (level, offset, data) -> c.setLocalTransportParameters(TransportParameters.builder()
                .initialMaxStreamsUni(10).initialMaxStreamDataUni(2).initialMaxData(1000).build());
        // CRYPTO offset 0 length 1, then STREAM (0x0a: LEN) for server-initiated uni stream 3, 3 bytes
        byte[] first = ConnectionFixtures.peerShortPacket(NULL, SERVER_1RTT_SECRET, c.sourceConnectionId(), 10,
                Hex.decode("06 00 01 04 0a 03 03 aabbcc"));
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(first), CLIENT_PATH, T0 + 1));
        // now checked: 3 bytes on a stream limited to 2
        byte[] second = ConnectionFixtures.peerShortPacket(NULL, SERVER_1RTT_SECRET, c.sourceConnectionId(), 11,
                Hex.decode("0a 07 03 aabbcc"));
        QuicException e = assertThrows(QuicException.class,
                () -> c.receive(ByteBuffer.wrap(second), CLIENT_PATH, T0 + 2));
        assertEquals(FLOW, e.errorCode());
    }
}
