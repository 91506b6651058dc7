package dev.quicj.core.conn;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.quicj.core.ConnectionId;
import dev.quicj.core.Hex;
import dev.quicj.core.TransportErrorCode;
import java.util.SplittableRandom;

/**
 * Jazzer fuzz targets for a connection's receive path and amplification limit (tag {@code jazzer}). Under plain
 * {@code mvn test} each runs on the empty input and on the files in
 * {@code src/test/resources/dev/quicj/core/conn/ConnectionFuzzTestInputs/<method>/}. To fuzz one target:
 * <pre>
 * JAZZER_FUZZ=1 mvn -B -pl quic-core test -Dtest='ConnectionFuzzTest#arbitraryDatagrams' -Djazzer.max_duration=60s
 * </pre>
 */
class ConnectionFuzzTest {

    /** Arbitrary bytes to connections in several states: only QuicException escapes; drops change nothing. */
    @FuzzTest
    void arbitraryDatagrams(byte[] data) throws Exception {
        for (QuicConnection c : ConnectionProperties.targets()) {
            ConnectionProperties.receiveArbitrary(c, data);
        }
        // a 1-RTT packet before the handshake completed is held, and processed by the first receive after it
        QuicConnection s = ConnectionFixtures.serverAllKeys(ConnectionFixtures.nullCrypto());
        ConnectionProperties.receiveArbitrary(s, data);
        s.handshakeCompleted();
        ConnectionProperties.receiveArbitrary(s, data);
    }

    /**
     * Authentic 1-RTT packets (null crypto) with fuzzed frames, several in a row, to a client after the handshake:
     * state that lives across packets (the peer's connection IDs, key phases, ACK ranges) meets arbitrary frame
     * sequences. Only QuicException escapes, a rejected packet changes nothing, and the connection always has a
     * destination connection ID.
     */
    @FuzzTest
    void fuzzedOneRttFrames(FuzzedDataProvider data) throws Exception {
        Settings nullCrypto = ConnectionFixtures.nullCrypto();
        QuicConnection c = ConnectionFixtures.clientPostHandshake(nullCrypto);
        if (data.consumeBoolean()) {
            c.setLocalTransportParameters(dev.quicj.core.tls.TransportParameters.builder()
                    .initialSourceConnectionId(ConnectionFixtures.CLIENT_SCID.toByteArray())
                    .activeConnectionIdLimit(data.consumeInt(2, 8)).build());
        }
        int packets = data.consumeInt(1, 8);
        for (int pn = 0; pn < packets && !c.state().isClosed(); pn++) {
            byte[] frames = data.consumeBytes(data.consumeInt(1, 400));
            if (frames.length == 0) {
                break;
            }
            byte[] dg = ConnectionFixtures.peerShortPacket(nullCrypto, ConnectionFixtures.SERVER_1RTT_SECRET,
                    ConnectionFixtures.CLIENT_SCID, pn, frames);
            ConnectionProperties.receiveArbitrary(c, dg);
            if (c.destinationConnectionId() == null) {
                throw new AssertionError("no destination connection ID after packet " + pn);
            }
        }
    }

    /**
     * Authentic 1-RTT packets (null crypto) with fuzzed frames to a server whose local transport parameters allow a
     * few streams and a little data, with writePacket calls in between: stream flow control and PATH_CHALLENGE meet
     * arbitrary frames. Only QuicException escapes; a refused packet leaves the flow-control total, the streams
     * tracked and the queued PATH_RESPONSEs as they were; the total never passes initial_max_data; at most
     * MAX_PATH_RESPONSES wait.
     */
    @FuzzTest
    void fuzzedStreamFrames(FuzzedDataProvider data) throws Exception {
        Settings nullCrypto = ConnectionFixtures.nullCrypto();
        QuicConnection c = ConnectionFixtures.serverConfirmed(nullCrypto);
        long maxData = 200;
        c.setLocalTransportParameters(dev.quicj.core.tls.TransportParameters.builder().initialMaxStreamsBidi(8)
                .initialMaxStreamsUni(4).initialMaxData(maxData).initialMaxStreamDataBidiRemote(60)
                .initialMaxStreamDataBidiLocal(30).initialMaxStreamDataUni(40).build());
        int packets = data.consumeInt(1, 10);
        long now = ConnectionFixtures.T0 + 10;
        for (int pn = 1; pn <= packets && !c.state().isClosed(); pn++) {
            byte[] frames = data.consumeBytes(data.consumeInt(1, 300));
            if (frames.length == 0) {
                break;
            }
            byte[] dg = ConnectionFixtures.peerShortPacket(nullCrypto, ConnectionFixtures.CLIENT_1RTT_SECRET,
                    c.sourceConnectionId(), pn, frames);
            ReceiveFlowControl before = flowControl(c);
            long total = before == null ? 0 : before.total();
            int streams = before == null ? 0 : before.streamCount();
            int responses = c.pathResponseCount;
            try {
                c.receive(java.nio.ByteBuffer.wrap(dg), ConnectionFixtures.SERVER_PATH, now++);
            } catch (dev.quicj.core.QuicException e) {
                ReceiveFlowControl after = flowControl(c);
                if ((after == null ? 0 : after.total()) != total || (after == null ? 0 : after.streamCount()) != streams
                        || c.pathResponseCount != responses) {
                    throw new AssertionError("a refused packet left a trace: " + e);
                }
                return;
            }
            ReceiveFlowControl after = flowControl(c);
            if (after != null && after.total() > maxData) {
                throw new AssertionError("flow-control total " + after.total() + " above " + maxData);
            }
            if (c.pathResponseCount > QuicConnection.MAX_PATH_RESPONSES) {
                throw new AssertionError(c.pathResponseCount + " PATH_RESPONSEs waiting");
            }
            if (!c.state().isClosed() && data.consumeBoolean()) {
                c.writePacket(null, null, java.nio.ByteBuffer.allocate(data.consumeInt(0, 1500)), now++);
            }
        }
    }

    private static ReceiveFlowControl flowControl(QuicConnection c) {
        return c.receiver == null ? null : c.receiver.flowControl();
    }

    /** A valid client Initial (null crypto) with fuzzed bytes flipped, to a fresh server. */
    @FuzzTest
    void mutatedClientInitials(FuzzedDataProvider data) throws Exception {
        byte[] initial = ConnectionFixtures.clientFirstInitial(ConnectionFixtures.nullCrypto());
        int edits = data.consumeInt(0, 16);
        for (int i = 0; i < edits; i++) {
            initial[data.consumeInt(0, initial.length - 1)] = data.consumeByte();
        }
        int length = data.consumeInt(0, initial.length);
        byte[] dg = java.util.Arrays.copyOf(initial, length);
        ConnectionProperties.receiveArbitrary(ConnectionFixtures.serverBuilder(ConnectionFixtures.nullCrypto())
                .build(ConnectionFixtures.T0), dg);
    }

    /** A server driven by a fuzzed sequence of datagrams, writes and closes never exceeds 3x what it received. */
    @FuzzTest
    void serverAmplificationLimit(long seed) throws Exception {
        ConnectionProperties.amplification(new SplittableRandom(seed),
                ConnectionFixtures.clientFirstInitial(ConnectionFixtures.nullCrypto()));
    }

    /**
     * What a client meets from a server, mutated: a coalesced server flight (Initial with ACK and CRYPTO or PING,
     * Handshake with CRYPTO, 1-RTT with PING; null crypto, so edits past the header still authenticate), a Retry and
     * a Version Negotiation packet, each with up to 16 byte edits and truncated anywhere. Only {@link QuicException} escapes the
     * receive path, a dropped datagram changes nothing, and the close writer then gives an outcome of the spec in
     * whatever state the datagram left, never an exception (RFC 9000 §10.2, close-spec §1.3).
     */
    @FuzzTest
    void mutatedServerFlights(FuzzedDataProvider data) throws Exception {
        dev.quicj.core.conn.Settings nullCrypto = ConnectionFixtures.nullCrypto();
        // a client that sent its first Initial, or one that also holds Handshake and 1-RTT keys (for which the
        // flight's Initial CRYPTO is a level the handshake moved past)
        QuicConnection c = data.consumeBoolean() ? ConnectionFixtures.client(nullCrypto)
                : ConnectionFixtures.clientWithOneRttKeys(nullCrypto);
        byte[] dg = serverTemplates(nullCrypto)[data.consumeInt(0, 3)];
        int edits = data.consumeInt(0, 16);
        for (int i = 0; i < edits; i++) {
            dg[data.consumeInt(0, dg.length - 1)] = data.consumeByte();
        }
        dg = java.util.Arrays.copyOf(dg, data.consumeInt(0, dg.length));
        ConnectionProperties.receiveCoalesced(c, dg);
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(1500);
        CloseOutcome outcome = c.writeConnectionClose(null, null, out,
                CloseError.transport(TransportErrorCode.PROTOCOL_VIOLATION, 0x1c, "fuzz"),
                ConnectionFixtures.T0 + 20);
        if ((outcome == CloseOutcome.WRITTEN) != (out.position() > 0)) {
            throw new AssertionError(outcome + " with " + out.position() + " bytes written");
        }
        if (outcome == CloseOutcome.WRITTEN && (out.get(0) & 0x80) != 0 && out.position() < 1200
                && (out.get(0) & 0x30) == 0) {
            // a client's datagram that carries an Initial is padded to 1200 bytes (RFC 9000 §14.1)
            throw new AssertionError("client Initial close of " + out.position() + " bytes");
        }
    }

    /** A fresh copy of each server datagram {@link #mutatedServerFlights} starts from. */
    private static byte[][] serverTemplates(dev.quicj.core.conn.Settings nullCrypto) throws Exception {
        ConnectionId server = ConnectionFixtures.SERVER_SCID;
        ConnectionId client = ConnectionFixtures.CLIENT_SCID;
        byte[] handshake = ConnectionFixtures.peerLongPacket(ConnectionFixtures.peerProtection(nullCrypto,
                        ConnectionFixtures.SERVER_HANDSHAKE_SECRET),
                dev.quicj.core.LongPacketType.HANDSHAKE, client, server, 0, Hex.decode("060010" + "cd".repeat(16)), 0);
        byte[] oneRtt = ConnectionFixtures.peerShortPacket(nullCrypto, ConnectionFixtures.SERVER_1RTT_SECRET, client,
                0, Hex.decode("01"));
        byte[] retry = ConnectionFixtures.retryPacket(dev.quicj.core.QuicVersion.V1, client,
                ConnectionFixtures.cid(0x77, 8), Hex.decode("70".repeat(24)), ConnectionFixtures.CLIENT_ODCID);
        // Version Negotiation (RFC 9000 §17.2.1) echoing the client's IDs and offering only QUIC v2 and a reserved one
        ConnectionId odcid = ConnectionFixtures.CLIENT_ODCID;
        java.nio.ByteBuffer vn = java.nio.ByteBuffer.allocate(7 + client.length() + odcid.length() + 8);
        vn.put((byte) 0xc0).putInt(0).put((byte) client.length());
        client.writeTo(vn);
        vn.put((byte) odcid.length());
        odcid.writeTo(vn);
        vn.putInt(dev.quicj.core.QuicVersion.V2.wireValue()).putInt(0x1a2a3a4a);
        // the server's first flight, its Initial with the ServerHello's CRYPTO (a client that already holds
        // Handshake keys rejects that) or with an ACK and a PING only
        return new byte[][] {flight(serverInitial(nullCrypto, "0200000000" + "060020" + "ab".repeat(32)), handshake,
                oneRtt), flight(serverInitial(nullCrypto, "0200000000" + "01"), handshake, oneRtt), retry, vn.array()};
    }

    private static byte[] serverInitial(dev.quicj.core.conn.Settings nullCrypto, String frames) throws Exception {
        return ConnectionFixtures.peerLongPacket(ConnectionFixtures.peerProtection(nullCrypto,
                        dev.quicj.core.crypto.InitialSecrets.serverSecret(dev.quicj.core.QuicVersion.V1,
                                ConnectionFixtures.CLIENT_ODCID.toByteArray())),
                dev.quicj.core.LongPacketType.INITIAL, ConnectionFixtures.CLIENT_SCID, ConnectionFixtures.SERVER_SCID,
                0, Hex.decode(frames), 0);
    }

    private static byte[] flight(byte[]... packets) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : packets) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /**
     * {@link VersionNegotiation#write} on arbitrary datagrams: either an IllegalArgumentException with nothing written,
     * or exactly the packet RFC 9000 §17.2.1 describes for what the datagram's header says, read here byte by byte.
     */
    @FuzzTest
    void versionNegotiationOfArbitraryDatagrams(FuzzedDataProvider data) {
        int random = data.consumeInt();
        int room = data.consumeInt(0, VersionNegotiation.MAX_LENGTH + 8);
        byte[] d = data.consumeRemainingAsBytes();
        if (d.length > 0 && d.length < 1200 && random % 2 == 0) {
            // most inputs are short: make half of them datagrams a server may answer, padded to 1200 bytes
            d = java.util.Arrays.copyOf(d, 1200);
        }
        java.nio.ByteBuffer dg = java.nio.ByteBuffer.wrap(d);
        java.nio.ByteBuffer dest = java.nio.ByteBuffer.allocate(room);
        boolean answerable = d.length >= 1200 && (d[0] & 0x80) != 0
                && java.nio.ByteBuffer.wrap(d, 1, 4).getInt() != 0
                && dev.quicj.core.QuicVersion.fromWire(java.nio.ByteBuffer.wrap(d, 1, 4).getInt()) == null;
        if (answerable != VersionNegotiation.answerable(dg)) {
            throw new AssertionError("answerable " + VersionNegotiation.answerable(dg) + ", expected " + answerable);
        }
        int dcidLength = answerable ? d[5] & 0xff : 0;
        int scidLength = answerable ? d[6 + dcidLength] & 0xff : 0;
        int expected = 7 + dcidLength + scidLength + 4 * (dev.quicj.core.QuicVersion.values().length + 1);
        int n;
        try {
            n = VersionNegotiation.write(dest, dg, random);
        } catch (IllegalArgumentException e) {
            if (answerable && room >= expected) {
                throw new AssertionError("refused an answerable datagram", e);
            }
            if (dest.position() != 0 || !java.util.Arrays.equals(dest.array(), new byte[room])) {
                throw new AssertionError("wrote before refusing");
            }
            return;
        }
        if (!answerable || n != expected || dest.position() != n || dg.position() != 0 || dg.limit() != d.length) {
            throw new AssertionError("wrote " + n + " bytes for an input that " + (answerable ? "" : "is not ")
                    + "answerable, expected " + expected);
        }
        byte[] out = dest.array();
        byte[] scid = java.util.Arrays.copyOfRange(d, 7 + dcidLength, 7 + dcidLength + scidLength);
        byte[] dcid = java.util.Arrays.copyOfRange(d, 6, 6 + dcidLength);
        if ((out[0] & 0xc0) != 0xc0 || java.nio.ByteBuffer.wrap(out, 1, 4).getInt() != 0
                || (out[5] & 0xff) != scidLength
                || !java.util.Arrays.equals(java.util.Arrays.copyOfRange(out, 6, 6 + scidLength), scid)
                || (out[6 + scidLength] & 0xff) != dcidLength
                || !java.util.Arrays.equals(java.util.Arrays.copyOfRange(out, 7 + scidLength, 7 + scidLength
                        + dcidLength), dcid)
                || !VersionNegotiation.isReservedVersion(java.nio.ByteBuffer.wrap(out, n - 4, 4).getInt())
                // RFC 9000 §6.2: a client discards a Version Negotiation packet that lists its own version
                || java.nio.ByteBuffer.wrap(out, n - 4, 4).getInt() == java.nio.ByteBuffer.wrap(d, 1, 4).getInt()) {
            throw new AssertionError("not the packet of RFC 9000 §17.2.1");
        }
    }
}
