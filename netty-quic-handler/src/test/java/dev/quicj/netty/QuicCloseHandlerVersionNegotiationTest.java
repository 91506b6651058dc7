package dev.quicj.netty;

import static dev.quicj.netty.TestSupport.OTHER_CLIENT;
import static dev.quicj.netty.TestSupport.SERVER;
import static dev.quicj.netty.TestSupport.channel;
import static dev.quicj.netty.TestSupport.datagram;
import static dev.quicj.netty.TestSupport.drainOutbound;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.Ecn;
import dev.quicj.netty.TestSupport.FailingWrites;
import dev.quicj.netty.TestSupport.HeldWrites;
import dev.quicj.netty.TestSupport.Recorder;
import dev.quicj.netty.TestSupport.Sent;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** RFC 9000 §6.1: a server answers a client datagram of a version it does not speak with Version Negotiation. */
class QuicCloseHandlerVersionNegotiationTest {
    private static final CloseError REFUSED = CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, 0, "no");
    private static final String DCID = "0001020304050607";
    private static final String SCID = "a1a2a3a4a5";

    private final Recorder recorder = new Recorder();
    private EmbeddedChannel ch;
    private QuicCloseHandler handler;

    private void start(QuicCloseHandlerConfig config, io.netty.channel.ChannelHandler... before) {
        handler = new QuicCloseHandler(config);
        List<io.netty.channel.ChannelHandler> handlers = new ArrayList<>(Arrays.asList(before));
        handlers.add(handler);
        handlers.add(recorder);
        ch = channel(handlers.toArray(new io.netty.channel.ChannelHandler[0]));
    }

    private static QuicCloseHandlerConfig config(AcceptPolicy policy) {
        return QuicCloseHandlerConfig.builder().acceptPolicy(policy).build();
    }

    @AfterEach
    void tearDown() {
        if (ch != null) {
            ch.finishAndReleaseAll();
        }
    }

    /** A client datagram of {@code length} bytes whose first packet is a long header of {@code versionHex}. */
    private static byte[] clientDatagram(String versionHex, int length) {
        byte[] d = new byte[length];
        byte[] h = ByteBufUtil.decodeHexDump("c3" + versionHex + "08" + DCID + "05" + SCID);
        System.arraycopy(h, 0, d, 0, h.length);
        Arrays.fill(d, h.length, length, (byte) 0x5a);
        return d;
    }

    static Stream<AcceptPolicy> serverPolicies() {
        return Stream.of(AcceptPolicy.accept(), AcceptPolicy.reject(REFUSED), AcceptPolicy.rejectStateless(REFUSED),
                AcceptPolicy.rejectStatelessUnauthenticated(REFUSED));
    }

    @ParameterizedTest
    @MethodSource("serverPolicies")
    void aServerAnswersAnUnsupportedVersionWithVersionNegotiationToItsSender(AcceptPolicy policy) {
        start(config(policy));
        ch.writeInbound(datagram(clientDatagram("1a2a3a4a", 1200), OTHER_CLIENT, SERVER));
        assertNull(ch.readInbound(), "consumed");
        List<Sent> sent = drainOutbound(ch);
        assertEquals(1, sent.size());
        Sent vn = sent.get(0);
        assertEquals(OTHER_CLIENT, vn.recipient());
        assertEquals(SERVER, vn.sender());
        assertEquals(Ecn.NOT_ECT, vn.ecn());
        // RFC 9000 §17.2.1, read by hand: long header with 0x40 set, version 0, the client's SCID as DCID and its DCID
        // as SCID, then 4-byte versions: 1, 2 (0x6b3343cf) and a reserved 0x?a?a?a?a
        ByteBuffer b = ByteBuffer.wrap(vn.bytes());
        assertEquals(0xc0, b.get() & 0xc0);
        assertEquals(0, b.getInt());
        assertEquals(5, b.get());
        byte[] dcid = new byte[5];
        b.get(dcid);
        assertEquals(SCID, ByteBufUtil.hexDump(dcid));
        assertEquals(8, b.get());
        byte[] scid = new byte[8];
        b.get(scid);
        assertEquals(DCID, ByteBufUtil.hexDump(scid));
        assertEquals(12, b.remaining());
        assertEquals(1, b.getInt());
        assertEquals(0x6b3343cf, b.getInt());
        assertEquals(0x0a0a0a0a, b.getInt() & 0x0f0f0f0f);
        assertEquals(List.of(), recorder.events, "nothing is kept and no event fired");
        assertEquals(0, handler.connectionCount());
        recorder.assertNoExceptions();
    }

    @Test
    void onlyTheInvariantHeaderCountsForAnUnknownVersion() {
        // RFC 8999 §5.1: of the first byte only the header form is invariant; a version this library does not know
        // may clear what QUIC v1 calls the fixed bit and use a DCID longer than 20 bytes (RFC 9000 §17.2)
        start(config(AcceptPolicy.accept()));
        byte[] d = new byte[1200];
        byte[] h = ByteBufUtil.decodeHexDump("80" + "ff00abcd" + "15" + "000102030405060708090a0b0c0d0e0f1011121314"
                + "00");
        System.arraycopy(h, 0, d, 0, h.length);
        ch.writeInbound(datagram(d, OTHER_CLIENT, SERVER));
        assertNull(ch.readInbound(), "consumed");
        byte[] vn = drainOutbound(ch).get(0).bytes();
        assertEquals("00000000" + "00" + "15" + "000102030405060708090a0b0c0d0e0f1011121314",
                ByteBufUtil.hexDump(vn, 1, 4 + 1 + 1 + 21));
    }

    @Test
    void eachAnswerHasItsOwnRandomBitsAndReservedVersion() {
        start(config(AcceptPolicy.reject(REFUSED)));
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 8; i++) {
            ch.writeInbound(datagram(clientDatagram("ff00abcd", 1200), OTHER_CLIENT, SERVER));
            byte[] vn = drainOutbound(ch).get(0).bytes();
            seen.add(ByteBufUtil.hexDump(vn, 0, 1) + ByteBufUtil.hexDump(vn, vn.length - 4, 4));
        }
        assertTrue(seen.size() > 1, () -> "always " + seen);
    }

    @Test
    void aClientHandlerPassesUnsupportedVersionsOn() {
        start(config(AcceptPolicy.ignore()));
        assertPassedOn(clientDatagram("1a2a3a4a", 1200));
    }

    @Test
    void versionNegotiationCanBeLeftToTheApplication() {
        start(QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.accept()).versionNegotiation(false).build());
        assertFalse(handler.config().versionNegotiation());
        assertPassedOn(clientDatagram("1a2a3a4a", 1200));
    }

    @Test
    void smallDatagramsAndVersionNegotiationPacketsAreNotAnswered() {
        start(config(AcceptPolicy.accept()));
        // RFC 9000 §5.2.2: "servers MUST drop smaller packets that specify unsupported versions"
        assertPassedOn(clientDatagram("1a2a3a4a", 1199));
        // §6.1: an endpoint never answers a Version Negotiation packet with one
        assertPassedOn(clientDatagram("00000000", 1200));
    }

    private void assertPassedOn(byte[] bytes) {
        ch.writeInbound(datagram(bytes, OTHER_CLIENT, SERVER));
        DatagramPacket passed = ch.readInbound();
        try {
            assertEquals(ByteBufUtil.hexDump(bytes), ByteBufUtil.hexDump(passed.content()));
        } finally {
            ReferenceCountUtil.release(passed);
        }
        assertEquals(List.of(), drainOutbound(ch));
        assertEquals(List.of(), recorder.events);
    }

    @Test
    void aFailedWriteIsNotReportedAndLeavesTheHandlerWorking() throws Exception {
        FailingWrites failing = new FailingWrites();
        start(config(AcceptPolicy.rejectStateless(REFUSED)), failing);
        ch.writeInbound(datagram(clientDatagram("1a2a3a4a", 1200), OTHER_CLIENT, SERVER));
        assertNull(ch.readInbound(), "consumed");
        assertEquals(1, failing.failed);
        recorder.assertNoExceptions();
        // nothing waits for that write: the channel closes at once
        ChannelFuture closed = ch.close();
        ch.runPendingTasks();
        assertTrue(closed.isSuccess(), () -> "close: " + closed);
    }

    @Test
    void aChannelCloseWaitsForTheVersionNegotiationWrite() {
        HeldWrites writes = new HeldWrites();
        start(config(AcceptPolicy.reject(REFUSED)), writes);
        ch.writeInbound(datagram(clientDatagram("1a2a3a4a", 1200), OTHER_CLIENT, SERVER));
        assertEquals(1, writes.held.size());
        ChannelFuture closed = ch.pipeline().close();
        assertFalse(closed.isDone(), "the close waits for the datagram already written");
        writes.held.get(0).setSuccess();
        ch.runPendingTasks();
        assertTrue(closed.isSuccess(), () -> "close: " + closed);
        assertFalse(ch.isOpen());
    }

    @Test
    void nothingIsAnsweredOnceTheChannelIsClosing() {
        HeldWrites writes = new HeldWrites();
        start(config(AcceptPolicy.accept()), writes);
        handler.addConnection(uncheckedClient());
        ch.pipeline().close();
        int before = writes.held.size();
        ch.writeInbound(datagram(clientDatagram("1a2a3a4a", 1200), OTHER_CLIENT, SERVER));
        assertEquals(before, writes.held.size(), "no Version Negotiation from a closing channel");
        DatagramPacket passed = ch.readInbound();
        try {
            assertEquals(1200, passed.content().readableBytes(), "passed on");
        } finally {
            ReferenceCountUtil.release(passed);
        }
    }

    private static dev.quicj.core.conn.QuicConnection uncheckedClient() {
        try {
            return dev.quicj.core.conn.ConnectionFixtures.client(dev.quicj.core.conn.Settings.defaults());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
