package dev.quicj.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.QuicException;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.Ecn;
import dev.quicj.core.conn.Settings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The configuration builder's defaults and validation, and the small public value types. */
class QuicCloseHandlerConfigTest {

    @Test
    void toStringNamesEveryValueDefaultOrNot() {
        Settings settings = Settings.builder().maxTxUdpPayloadSize(1300).maxIdleTimeout(Duration.ofSeconds(7)).build();
        String s = QuicCloseHandlerConfig.builder().maxConnections(77).versionNegotiation(false).settings(settings)
                .build().toString();
        for (String part : List.of("closeTimeout=PT3S", "maxUdpPayloadSize=1452", "localConnectionIdLength=8",
                "ecnMode=METADATA_ONLY", "maxConnections=77", "versionNegotiation=false",
                "settings=Settings[maxTxUdpPayloadSize=1300", "maxIdleTimeout=PT7S")) {
            assertTrue(s.contains(part), part + " in " + s);
        }
        String defaults = QuicCloseHandlerConfig.defaults().toString();
        for (String part : List.of("maxConnections=" + Integer.MAX_VALUE, "versionNegotiation=true",
                "settings=Settings[maxTxUdpPayloadSize=1452", "initialRtt=PT0.333S")) {
            assertTrue(defaults.contains(part), part + " in " + defaults);
        }
    }

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        QuicCloseHandlerConfig c = QuicCloseHandlerConfig.defaults();
        assertEquals(Duration.ofSeconds(3), c.closeTimeout());
        assertEquals(CloseError.noError(), c.defaultCloseError());
        assertEquals(1452, c.maxUdpPayloadSize());
        assertSame(AcceptPolicy.ignore(), c.acceptPolicy());
        assertEquals(8, c.localConnectionIdLength());
        assertSame(Settings.defaults(), c.settings());
        assertEquals(EcnMode.METADATA_ONLY, c.ecnMode());
        assertEquals(Integer.MAX_VALUE, c.maxConnections(), "no limit");
        assertTrue(c.versionNegotiation());
        assertSame(c, new QuicCloseHandler().config());
    }

    @Test
    void everySetterIsKeptAndACopiedBuilderDoesNotChangeTheOriginal() {
        Settings settings = Settings.builder().maxTxUdpPayloadSize(1300).build();
        CloseError error = CloseError.application(7, "bye");
        AcceptPolicy policy = AcceptPolicy.reject(CloseError.transport(TransportErrorCode.CONNECTION_REFUSED));
        QuicCloseHandlerConfig c = QuicCloseHandlerConfig.builder().closeTimeout(Duration.ofMillis(250))
                .defaultCloseError(error).maxUdpPayloadSize(1350).acceptPolicy(policy).localConnectionIdLength(16)
                .settings(settings).ecnMode(EcnMode.SOCKET_TOS).maxConnections(5000)
                .versionNegotiation(false).build();
        assertEquals(Duration.ofMillis(250), c.closeTimeout());
        assertSame(error, c.defaultCloseError());
        assertEquals(1350, c.maxUdpPayloadSize());
        assertSame(policy, c.acceptPolicy());
        assertEquals(16, c.localConnectionIdLength());
        assertSame(settings, c.settings());
        assertEquals(EcnMode.SOCKET_TOS, c.ecnMode());
        assertEquals(5000, c.maxConnections());
        assertEquals(5000, c.toBuilder().build().maxConnections());
        assertFalse(c.versionNegotiation());
        assertFalse(c.toBuilder().build().versionNegotiation());
        assertTrue(c.toString().contains("versionNegotiation=false"), c::toString);

        QuicCloseHandlerConfig.Builder b = c.toBuilder();
        QuicCloseHandlerConfig changed = b.maxUdpPayloadSize(1200).build();
        assertEquals(1200, changed.maxUdpPayloadSize());
        assertEquals(1350, c.maxUdpPayloadSize(), "built configurations are immutable");
        assertEquals(16, changed.localConnectionIdLength());
        b.localConnectionIdLength(4);
        assertEquals(16, changed.localConnectionIdLength());
    }

    @Test
    void settersRejectBadValuesAtOnce() {
        QuicCloseHandlerConfig.Builder b = QuicCloseHandlerConfig.builder();
        assertThrows(IllegalArgumentException.class, () -> b.closeTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> b.closeTimeout(Duration.ofMillis(-1)));
        assertThrows(NullPointerException.class, () -> b.closeTimeout(null));
        assertThrows(IllegalArgumentException.class, () -> b.defaultCloseError(CloseError.idleClose()));
        assertThrows(IllegalArgumentException.class, () -> b.defaultCloseError(CloseError.dropConnection()));
        assertThrows(IllegalArgumentException.class, () -> b.maxUdpPayloadSize(1199));
        assertThrows(IllegalArgumentException.class, () -> b.maxUdpPayloadSize(65528));
        assertThrows(IllegalArgumentException.class, () -> b.localConnectionIdLength(0));
        assertThrows(IllegalArgumentException.class, () -> b.localConnectionIdLength(21));
        assertThrows(NullPointerException.class, () -> b.acceptPolicy(null));
        assertThrows(NullPointerException.class, () -> b.settings(null));
        assertThrows(NullPointerException.class, () -> b.ecnMode(null));
        assertThrows(IllegalArgumentException.class, () -> b.maxConnections(0));
        assertThrows(IllegalArgumentException.class, () -> b.maxConnections(-1));
        assertEquals(1, b.maxConnections(1).build().maxConnections());
        assertEquals(1200, b.maxUdpPayloadSize(1200).build().maxUdpPayloadSize());
        assertEquals(65527, b.maxUdpPayloadSize(65527).build().maxUdpPayloadSize());
        assertEquals(20, b.localConnectionIdLength(20).build().localConnectionIdLength());
        assertEquals(QuicCloseHandlerConfig.defaults().closeTimeout(), b.build().closeTimeout(),
                "a rejected value leaves the builder unchanged");
    }

    @Test
    void acceptPoliciesSayWhatTheyDo() {
        assertEquals(AcceptPolicy.Action.IGNORE, AcceptPolicy.ignore().action());
        assertEquals(AcceptPolicy.Action.ACCEPT, AcceptPolicy.accept().action());
        assertNull(AcceptPolicy.accept().rejectError());
        CloseError refused = CloseError.transport(TransportErrorCode.CONNECTION_REFUSED);
        AcceptPolicy reject = AcceptPolicy.reject(refused);
        assertEquals(AcceptPolicy.Action.REJECT, reject.action());
        assertSame(refused, reject.rejectError());
        assertThrows(IllegalArgumentException.class, () -> AcceptPolicy.reject(CloseError.retry()));
        assertThrows(NullPointerException.class, () -> AcceptPolicy.accept(null));
        assertNull(AcceptPolicy.accept().listenerFor(ConnectionId.fromHex("01")));
    }

    @Test
    void aDatagramPacketWithoutCodepointIsRefusedAndLeavesItsContentToTheCaller() {
        ByteBuf content = ByteBufAllocator.DEFAULT.buffer(1).writeByte(1);
        try {
            assertThrows(NullPointerException.class,
                    () -> new QuicDatagramPacket(content, new InetSocketAddress("127.0.0.1", 1), null, null));
            assertEquals(1, content.refCnt());
        } finally {
            content.release();
        }
    }

    @Test
    void derivedDatagramPacketsKeepTheEcnCodepointAndAddresses() {
        InetSocketAddress to = new InetSocketAddress("127.0.0.1", 1);
        InetSocketAddress from = new InetSocketAddress("127.0.0.1", 2);
        ByteBuf content = ByteBufAllocator.DEFAULT.directBuffer(4).writeInt(0x01020304);
        QuicDatagramPacket p = new QuicDatagramPacket(content, to, from, Ecn.ECT_0);
        try {
            QuicDatagramPacket copy = p.copy();
            try {
                assertEquals(Ecn.ECT_0, copy.ecn());
                assertEquals(to, copy.recipient());
                assertEquals(from, copy.sender());
                assertEquals(content, copy.content());
            } finally {
                copy.release();
            }
            QuicDatagramPacket dup = p.retainedDuplicate();
            assertEquals(2, p.refCnt(), "a retained duplicate shares the reference count");
            assertEquals(Ecn.ECT_0, dup.ecn());
            dup.release();
            assertEquals(Ecn.ECT_0, p.duplicate().ecn());
            assertSame(p, p.retain().touch("hint").touch());
            p.release();
            ByteBuf other = ByteBufAllocator.DEFAULT.buffer(1).writeByte(9);
            QuicDatagramPacket replaced = p.replace(other);
            assertEquals(Ecn.ECT_0, replaced.ecn());
            replaced.release();
            assertTrue(p.toString().contains("ECT_0"), p::toString);
        } finally {
            p.release();
        }
        assertEquals(0, content.refCnt());
    }

    /**
     * QuicDatagramPacket.toString: Netty's {@code DefaultAddressedEnvelope} form with the codepoint inside the one pair
     * of parentheses. It wrapped {@code super.toString()}, which already starts with the simple class name, and so
     * printed {@code QuicDatagramPacket(QuicDatagramPacket(/127.0.0.1:2 => /127.0.0.1:1, ...), ecn=ECT_0)}.
     */
    @Test
    void aDatagramPacketPrintsItsAddressesContentAndCodepointOnce() {
        InetSocketAddress to = new InetSocketAddress("127.0.0.1", 1);
        InetSocketAddress from = new InetSocketAddress("127.0.0.1", 2);
        QuicDatagramPacket p = new QuicDatagramPacket(ByteBufAllocator.DEFAULT.buffer(4).writeInt(1), to, from,
                Ecn.ECT_0);
        QuicDatagramPacket noSender = new QuicDatagramPacket(ByteBufAllocator.DEFAULT.buffer(1).writeByte(1), to,
                null, Ecn.CE);
        try {
            assertEquals("QuicDatagramPacket(" + from + " => " + to + ", " + p.content() + ", ecn=ECT_0)",
                    p.toString());
            assertEquals("QuicDatagramPacket(=> " + to + ", " + noSender.content() + ", ecn=CE)",
                    noSender.toString());
        } finally {
            p.release();
            noSender.release();
        }
    }

    @Test
    void closeCommandsNameOneConnectionOrAll() {
        ConnectionId id = ConnectionId.fromHex("0102");
        CloseError e = CloseError.application(1);
        QuicCloseCommand one = QuicCloseCommand.closeConnection(id, e);
        assertEquals(id, one.connectionId());
        assertFalse(one.isCloseAll());
        assertSame(e, one.error());
        QuicCloseCommand all = QuicCloseCommand.closeAll(e);
        assertTrue(all.isCloseAll());
        assertNull(all.connectionId());
        assertThrows(NullPointerException.class, () -> QuicCloseCommand.closeConnection(null, e));
        assertThrows(NullPointerException.class, () -> QuicCloseCommand.closeAll(null));
    }

    @Test
    void aConnectionExceptionCarriesItsConnectionAndProtocolError() {
        ConnectionId id = ConnectionId.fromHex("0a0b");
        QuicException q = new QuicException(TransportErrorCode.FLOW_CONTROL_ERROR, 0x10, "too much");
        QuicConnectionException e = new QuicConnectionException(id, q);
        assertEquals(id, e.connectionId());
        assertSame(q, e.quicException());
        assertSame(q, e.getCause());
        assertTrue(e.getMessage().contains(id.toString()), e::getMessage);
        assertThrows(NullPointerException.class, () -> new QuicConnectionException(null, q));
        assertThrows(NullPointerException.class, () -> new QuicConnectionException(id, null));
    }

    /**
     * QuicConnectionException is Serializable (as every Throwable) though ConnectionId is not: the ID travels as its
     * bytes and comes back equal, with the message and a serializable cause. The field was only {@code transient}, so
     * a deserialized exception had a null connectionId(), against its contract.
     */
    @Test
    void aConnectionExceptionSurvivesSerializationWithItsConnectionId() throws Exception {
        for (ConnectionId id : List.of(ConnectionId.fromHex("0a0b0c0d0e0f1011"), ConnectionId.empty(),
                ConnectionId.fromHex("00112233445566778899aabbccddeeff00112233"))) {
            QuicException q = new QuicException(TransportErrorCode.PROTOCOL_VIOLATION, 0x06, "bad frame");
            QuicConnectionException e = new QuicConnectionException(id, "receiving failed", q);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(e);
            }
            QuicConnectionException back;
            try (ObjectInputStream in = new ObjectInputStream(
                    new ByteArrayInputStream(bytes.toByteArray()))) {
                back = (QuicConnectionException) in.readObject();
            }
            assertEquals(id, back.connectionId());
            assertEquals("receiving failed", back.getMessage());
            assertEquals(TransportErrorCode.PROTOCOL_VIOLATION, back.quicException().errorCode());
        }
    }
}
