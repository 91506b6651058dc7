package dev.quicj.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.QuicException;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.conn.ConnectionFixtures;
import dev.quicj.core.conn.Ecn;
import dev.quicj.core.conn.EcnState;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.core.conn.QuicConnection;
import dev.quicj.core.conn.Settings;
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.inspect.DatagramInspector;
import dev.quicj.core.inspect.InspectedFrame;
import dev.quicj.core.inspect.InspectedPacket;
import dev.quicj.core.wire.CloseType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Helpers shared by the handler tests: channels on a controlled clock, datagrams, decoding what was written. */
final class TestSupport {
    /** The channel clock starts this far after the fixtures' T0, so fixture connections' timestamps are in the past. */
    static final long CLOCK_START_NANOS = ConnectionFixtures.T0 + TimeUnit.SECONDS.toNanos(10);

    static final InetSocketAddress SERVER = ConnectionFixtures.SERVER_ADDRESS;
    static final InetSocketAddress CLIENT = ConnectionFixtures.CLIENT_ADDRESS;
    static final InetSocketAddress OTHER_CLIENT = new InetSocketAddress("127.0.0.1", 50001);

    /** The fixture connections' connection IDs are 18 bytes long. */
    static final int FIXTURE_CID_LENGTH = 18;

    private TestSupport() {
    }

    /** An EmbeddedChannel with the handlers, its clock frozen at {@link #CLOCK_START_NANOS} or later. */
    static EmbeddedChannel channel(ChannelHandler... handlers) {
        EmbeddedChannel ch = new EmbeddedChannel(handlers);
        ch.freezeTime();
        ch.advanceTimeBy(CLOCK_START_NANOS, TimeUnit.NANOSECONDS);
        return ch;
    }

    /** The channel clock, as the handler reads it. */
    /**
     * A handler entry of a server connection whose 8-byte SCID ends with {@code i} (two bytes), on the fixtures'
     * server path, for the tests of the handler's tables.
     */
    static ConnectionEntry serverEntry(int i) {
        return serverEntry(i, CLIENT);
    }

    /** The same with the client at {@code peer}. */
    static ConnectionEntry serverEntry(int i, InetSocketAddress peer) {
        byte[] id = new byte[8];
        id[6] = (byte) (i >>> 8);
        id[7] = (byte) i;
        QuicConnection c = QuicConnection.serverBuilder().sourceConnectionId(ConnectionId.of(id))
                .path(new NetworkPath(SERVER, peer)).build(ConnectionFixtures.T0);
        return new ConnectionEntry(new QuicCloseHandler(), c);
    }

    static long now(EmbeddedChannel ch) {
        return ch.eventLoop().ticker().nanoTime();
    }

    /** The fixtures' client after its first Initial, on a path whose ECN validation succeeded. */
    static QuicConnection ecnCapableClient() throws CryptoException {
        QuicConnection c = ConnectionFixtures.client(Settings.defaults());
        c.setEcnState(EcnState.CAPABLE);
        return c;
    }

    /** Advances the frozen clock and runs the timers that are due. */
    static void advance(EmbeddedChannel ch, long nanos) {
        ch.advanceTimeBy(nanos, TimeUnit.NANOSECONDS);
        ch.runScheduledPendingTasks();
    }

    /** An inbound datagram in a pooled (hence leak-tracked) buffer. */
    static DatagramPacket datagram(byte[] bytes, InetSocketAddress from, InetSocketAddress to) {
        ByteBuf b = ByteBufAllocator.DEFAULT.buffer(bytes.length);
        b.writeBytes(bytes);
        return new DatagramPacket(b, to, from);
    }

    /** A short-header datagram of {@code length} bytes addressed to {@code dcid}, the rest filled with 0x5a. */
    static byte[] shortHeader(ConnectionId dcid, int length) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) 0x5a);
        b[0] = 0x40;
        byte[] id = dcid.toByteArray();
        System.arraycopy(id, 0, b, 1, id.length);
        return b;
    }

    /** A datagram the handler wrote, copied out of its (released) buffer. */
    record Sent(InetSocketAddress recipient, InetSocketAddress sender, Ecn ecn, byte[] bytes) {
        /** The single CONNECTION_CLOSE frame, decrypted with the Initial keys of {@code odcid}. */
        InspectedFrame.ConnectionClose initialClose(ConnectionId odcid) {
            List<InspectedPacket> packets = DatagramInspector.inspect(bytes,
                    DatagramInspector.initialKeys(odcid, Settings.defaults().cryptoProvider()), -1);
            assertEquals(1, packets.size(), () -> "packets: " + packets);
            InspectedPacket p = packets.get(0);
            assertEquals(EncryptionLevel.INITIAL, p.level(), p::toString);
            assertTrue(p.decrypted(), p::toString);
            List<InspectedFrame.ConnectionClose> closes = p.frames(InspectedFrame.ConnectionClose.class);
            assertEquals(1, closes.size(), p::toString);
            return closes.get(0);
        }

        /** The decoded packets, decrypted with the Initial keys of {@code odcid}. */
        List<InspectedPacket> packets(ConnectionId odcid) {
            return DatagramInspector.inspect(bytes,
                    DatagramInspector.initialKeys(odcid, Settings.defaults().cryptoProvider()), -1);
        }
    }

    /** Reads every datagram the channel wrote, releasing each. Fails on anything that is not a QuicDatagramPacket. */
    static List<Sent> drainOutbound(EmbeddedChannel ch) {
        List<Sent> sent = new ArrayList<>();
        for (Object next = ch.readOutbound(); next != null; next = ch.readOutbound()) {
            Object o = next;
            try {
                assertTrue(o instanceof QuicDatagramPacket, () -> "not a QuicDatagramPacket: " + o);
                QuicDatagramPacket p = (QuicDatagramPacket) o;
                sent.add(new Sent(p.recipient(), p.sender(), p.ecn(), ByteBufUtil.getBytes(p.content())));
            } finally {
                ReferenceCountUtil.release(o);
            }
        }
        return sent;
    }

    /** Asserts a CONNECTION_CLOSE frame's fields. */
    static void assertClose(InspectedFrame.ConnectionClose close, CloseType type, long code, long frameType,
            String reason) {
        assertEquals(type, close.type(), close::toString);
        assertEquals(code, close.errorCode(), close::toString);
        assertEquals(frameType, close.frameType(), close::toString);
        assertEquals(reason, close.reasonString(), close::toString);
    }

    /** A client that wrote its first Initial on {@code path}, with its own IDs. */
    /**
     * Adds to {@code handler}, on {@code channel}'s event loop and on its clock, a client connection that wrote its
     * first Initial on {@code path}, holding {@code resetToken} if not null; waits at most 20 s.
     */
    static void addClientOnLoop(Channel channel, QuicCloseHandler handler, ConnectionId odcid, ConnectionId scid,
            NetworkPath path, byte[] resetToken) throws Exception {
        channel.eventLoop().submit(() -> {
            Client c = new Client(odcid, scid, path, channel.eventLoop().ticker().nanoTime());
            if (resetToken != null) {
                c.connection.addStatelessResetToken(resetToken);
            }
            handler.addConnection(c.connection);
            return null;
        }).get(20, TimeUnit.SECONDS);
    }

    static final class Client {
        final QuicConnection connection;
        final byte[] firstInitial;

        Client(ConnectionId odcid, ConnectionId scid, NetworkPath path, long now) throws CryptoException {
            this(odcid, scid, path, now, Settings.defaults());
        }

        Client(ConnectionId odcid, ConnectionId scid, NetworkPath path, long now, Settings settings)
                throws CryptoException {
            this(QuicVersion.V1, odcid, scid, path, now, settings);
        }

        Client(QuicVersion version, ConnectionId odcid, ConnectionId scid, NetworkPath path, long now,
                Settings settings) throws CryptoException {
            connection = QuicConnection.clientBuilder().version(version).originalDestinationConnectionId(odcid)
                    .sourceConnectionId(scid).path(path).settings(settings).build(now);
            connection.submitCryptoData(EncryptionLevel.INITIAL, ConnectionFixtures.CLIENT_HELLO);
            ByteBuffer b = ByteBuffer.allocate(1500);
            int n;
            try {
                n = connection.writePacket(null, null, b, now);
            } catch (QuicException e) {
                // AEAD_LIMIT_REACHED (RFC 9001 §6.6) cannot come from a first Initial
                throw new AssertionError(e);
            }
            assertEquals(QuicConnection.MIN_INITIAL_DATAGRAM_SIZE, n);
            firstInitial = Arrays.copyOf(b.array(), n);
        }
    }

    /** Fails every write at once, releasing what it was given, as a transport refusing the message does. */
    static final class FailingWrites extends ChannelOutboundHandlerAdapter {
        int failed;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            failed++;
            ReferenceCountUtil.release(msg);
            promise.setFailure(new IOException("network is unreachable"));
        }
    }

    /** Holds every write's promise without completing it, as a socket that has not sent the datagram yet. */
    static final class HeldWrites extends ChannelOutboundHandlerAdapter {
        final List<ChannelPromise> held = new ArrayList<>();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            ReferenceCountUtil.release(msg);
            held.add(promise);
        }
    }

    /** Records the user events and exceptions that reach the end of the pipeline; exceptions stop here. */
    static final class Recorder extends ChannelInboundHandlerAdapter {
        final List<Object> events = new ArrayList<>();
        final List<Throwable> exceptions = new ArrayList<>();

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            events.add(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            exceptions.add(cause);
        }

        <T> List<T> events(Class<T> type) {
            List<T> list = new ArrayList<>();
            for (Object e : events) {
                if (type.isInstance(e)) {
                    list.add(type.cast(e));
                }
            }
            return list;
        }

        /** The single ended event, removed from the record with everything before it. */
        QuicConnectionEndedEvent onlyEnded() {
            List<QuicConnectionEndedEvent> ended = events(QuicConnectionEndedEvent.class);
            assertEquals(1, ended.size(), () -> "events: " + events);
            return ended.get(0);
        }

        void assertEnded(ConnectionId id, QuicCloseInitiator initiator, QuicCloseResult result) {
            QuicConnectionEndedEvent e = events(QuicConnectionEndedEvent.class).stream()
                    .filter(x -> x.connectionId().equals(id)).findFirst().orElse(null);
            assertNotNull(e, () -> "no ended event for " + id + " in " + events);
            assertEquals(initiator, e.initiator(), e::toString);
            assertEquals(result, e.result(), e::toString);
        }

        boolean freed(ConnectionId id) {
            return events(QuicConnectionFreedEvent.class).stream().anyMatch(x -> x.connectionId().equals(id));
        }

        void clear() {
            events.clear();
            exceptions.clear();
        }

        void assertNoExceptions() {
            assertFalse(!exceptions.isEmpty(), () -> "exceptions: " + exceptions);
        }
    }
}
