package dev.quicj.netty;

import static dev.quicj.netty.TestSupport.CLIENT;
import static dev.quicj.netty.TestSupport.OTHER_CLIENT;
import static dev.quicj.netty.TestSupport.SERVER;
import static dev.quicj.netty.TestSupport.advance;
import static dev.quicj.netty.TestSupport.channel;
import static dev.quicj.netty.TestSupport.datagram;
import static dev.quicj.netty.TestSupport.drainOutbound;
import static dev.quicj.netty.TestSupport.now;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.ConnectionState;
import dev.quicj.core.conn.DropReason;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.netty.TestSupport.Client;
import dev.quicj.netty.TestSupport.Recorder;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 9000 §10.3.1 in the handler: a Stateless Reset's Destination Connection ID is random ("Unpredictable Bits",
 * §10.3), so it names no connection, yet "the comparison MUST be performed when the first packet in an incoming
 * datagram either cannot be associated with a connection or cannot be decrypted", against the tokens "associated with
 * the remote address on which the datagram was received".
 */
class QuicCloseHandlerStatelessResetTest {
    private static final ConnectionId ODCID = ConnectionId.fromHex("8394c8f03e515708");
    private static final ConnectionId SCID = ConnectionId.fromHex("0102030405060708");
    private static final ConnectionId OTHER_ODCID = ConnectionId.fromHex("1111111111111111");
    private static final ConnectionId OTHER_SCID = ConnectionId.fromHex("2222222222222222");

    private final Recorder recorder = new Recorder();
    private EmbeddedChannel ch;
    private QuicCloseHandler handler;

    @BeforeEach
    void setUp() {
        handler = new QuicCloseHandler();
        ch = channel(handler, recorder);
    }

    @AfterEach
    void tearDown() {
        ch.finishAndReleaseAll();
    }

    private static byte[] token(int fill) {
        byte[] token = new byte[16];
        Arrays.fill(token, (byte) fill);
        return token;
    }

    /** A reset as a peer that lost its state writes it: 0b01 fixed bits, random bytes, the token. */
    private static byte[] reset(byte[] token, int length) {
        byte[] reset = new byte[length];
        Arrays.fill(reset, (byte) 0x3c);
        reset[0] = 0x41;
        System.arraycopy(token, 0, reset, length - token.length, token.length);
        return reset;
    }

    private Client client(ConnectionId odcid, ConnectionId scid, InetSocketAddress local, byte[] token)
            throws Exception {
        Client c = new Client(odcid, scid, new NetworkPath(local, SERVER), now(ch));
        c.connection.addStatelessResetToken(token);
        handler.addConnection(c.connection);
        return c;
    }

    private void assertPassedOn() {
        Object passedOn = ch.readInbound();
        try {
            assertTrue(passedOn instanceof DatagramPacket, "passed on: " + passedOn);
        } finally {
            ReferenceCountUtil.release(passedOn);
        }
    }

    @Test
    void aResetWhoseDcidNamesNoConnectionDrainsTheConnectionOfItsPathSilently() throws Exception {
        Client c = client(ODCID, SCID, CLIENT, token(0x7e));

        ch.writeInbound(datagram(reset(token(0x7e), 40), SERVER, CLIENT));

        Object passedOn = ch.readInbound();
        ReferenceCountUtil.release(passedOn);
        assertNull(passedOn, "the reset was passed on as a datagram for no connection");
        assertEquals(List.of(), drainOutbound(ch), "§10.3.1: not send any further packets");
        QuicConnectionEndedEvent ended = recorder.onlyEnded();
        assertEquals(QuicCloseInitiator.STATELESS_RESET, ended.initiator());
        assertEquals(QuicCloseResult.NOTHING_TO_SEND, ended.result());
        assertEquals(ConnectionState.DRAINING, c.connection.state());
        advance(ch, c.connection.closingPeriod().toNanos());
        assertTrue(recorder.freed(SCID));
    }

    @Test
    void theSmallestResetCounts() throws Exception {
        Client c = client(ODCID, SCID, CLIENT, token(0x7e));
        ch.writeInbound(datagram(reset(token(0x7e), 21), SERVER, CLIENT));
        assertNull(ch.readInbound());
        assertEquals(ConnectionState.DRAINING, c.connection.state());
    }

    @Test
    void aDatagramShorterThanAResetIsNotOne() throws Exception {
        Client c = client(ODCID, SCID, CLIENT, token(0x7e));
        // 20 bytes: the token and 4 more cannot be a reset (§10.3: at least 21 bytes)
        ch.writeInbound(datagram(reset(token(0x7e), 20), SERVER, CLIENT));
        assertPassedOn();
        assertFalse(c.connection.state().isClosed());
    }

    @Test
    void theSameBytesFromAnotherAddressAreNotAResetOfThatConnection() throws Exception {
        Client c = client(ODCID, SCID, CLIENT, token(0x7e));
        ch.writeInbound(datagram(reset(token(0x7e), 40), OTHER_CLIENT, CLIENT));
        assertPassedOn();
        assertEquals(List.of(), recorder.events(QuicConnectionEndedEvent.class));
        assertFalse(c.connection.state().isClosed());
    }

    @Test
    void aDatagramEndingInAnotherTokenIsPassedOnAndChangesNothing() throws Exception {
        Client c = client(ODCID, SCID, CLIENT, token(0x7e));
        DropReason before = c.connection.lastDropReason();
        ch.writeInbound(datagram(reset(token(0x7f), 40), SERVER, CLIENT));
        assertPassedOn();
        assertFalse(c.connection.state().isClosed());
        assertEquals(before, c.connection.lastDropReason(), "not this connection's datagram: nothing counted");
    }

    @Test
    void ofTwoConnectionsToOneServerOnlyTheOneWhoseTokenItCarriesIsReset() throws Exception {
        // a client's two connections to one server, from two ports: the server address is the same, the paths differ
        Client first = client(ODCID, SCID, CLIENT, token(0x7e));
        Client second = client(OTHER_ODCID, OTHER_SCID, OTHER_CLIENT, token(0x5a));

        ch.writeInbound(datagram(reset(token(0x5a), 33), SERVER, OTHER_CLIENT));

        assertNull(ch.readInbound());
        assertFalse(first.connection.state().isClosed());
        assertEquals(ConnectionState.DRAINING, second.connection.state());
        assertSame(QuicCloseInitiator.STATELESS_RESET, recorder.onlyEnded().initiator());
        // the first connection's token on the second's path resets nothing (the path is part of the association)
        ch.writeInbound(datagram(reset(token(0x7e), 33), SERVER, OTHER_CLIENT));
        assertPassedOn();
        assertFalse(first.connection.state().isClosed());
    }

    @Test
    void aClosingConnectionIgnoresAReset() throws Exception {
        Client c = client(ODCID, SCID, CLIENT, token(0x7e));
        ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(SCID, CloseError.transport(0x0, "bye")));
        drainOutbound(ch);
        ch.writeInbound(datagram(reset(token(0x7e), 40), SERVER, CLIENT));
        assertPassedOn();
        assertEquals(ConnectionState.CLOSING, c.connection.state());
        assertEquals(List.of(), drainOutbound(ch));
    }

    @Test
    void aLookupKeepsNoEntryAliveOnceItsConnectionIsFreed() throws Exception {
        Client c = client(ODCID, SCID, CLIENT, token(0x7e));
        // a datagram for no connection from the connection's peer, not ending in its token: looked up, passed on
        ch.writeInbound(datagram(reset(token(0x11), 40), SERVER, CLIENT));
        assertPassedOn();
        assertEquals(0, handler.peerIndex().heldFound(), "the lookup's matches outlive it");
        ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(SCID, CloseError.transport(0x0, "bye")));
        drainOutbound(ch);
        advance(ch, c.connection.closingPeriod().toNanos());
        assertTrue(recorder.freed(SCID));
        assertEquals(0, handler.peerIndex().size());
        assertEquals(0, handler.peerIndex().heldFound());
    }

    @Test
    void aFreedConnectionIsNoLongerLookedUp() throws Exception {
        Client c = client(ODCID, SCID, CLIENT, token(0x7e));
        ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(SCID, CloseError.transport(0x0, "bye")));
        drainOutbound(ch);
        advance(ch, c.connection.closingPeriod().toNanos());
        assertTrue(recorder.freed(SCID));
        ch.writeInbound(datagram(reset(token(0x7e), 40), SERVER, CLIENT));
        assertPassedOn();
    }
}
