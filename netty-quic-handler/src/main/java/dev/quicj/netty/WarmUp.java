package dev.quicj.netty;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.QuicException;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.core.conn.QuicConnection;
import dev.quicj.core.crypto.CryptoException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;

/** {@link QuicCloseHandler#warmUp()}: one refusal of each kind, in memory. */
final class WarmUp {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 50000);
    private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 4433);
    private static final CloseError ERROR = CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, "warm-up");

    private WarmUp() {
    }

    static void run() {
        for (AcceptPolicy policy : List.of(AcceptPolicy.reject(ERROR), AcceptPolicy.rejectStateless(ERROR),
                AcceptPolicy.rejectStatelessUnauthenticated(ERROR))) {
            EmbeddedChannel ch = new EmbeddedChannel(
                    new QuicCloseHandler(QuicCloseHandlerConfig.builder().acceptPolicy(policy).build()));
            try {
                byte[] initial = clientInitial(ch.eventLoop().ticker().nanoTime());
                ByteBuf in = ch.alloc().directBuffer(initial.length).writeBytes(initial);
                ch.writeInbound(new DatagramPacket(in, SERVER, CLIENT));
                int answers = 0;
                for (Object o = ch.readOutbound(); o != null; o = ch.readOutbound()) {
                    answers++;
                    ReferenceCountUtil.release(o);
                }
                for (Object o = ch.readInbound(); o != null; o = ch.readInbound()) {
                    ReferenceCountUtil.release(o);
                }
                if (answers != 1) {
                    throw new IllegalStateException("warm-up: " + answers + " datagrams answered a client Initial "
                            + "under " + policy);
                }
            } finally {
                ch.finishAndReleaseAll();
            }
        }
    }

    /** A client's first Initial, 1200 bytes, with a dummy ClientHello (the refusals never read it). */
    private static byte[] clientInitial(long now) {
        try {
            QuicConnection client = QuicConnection.clientBuilder()
                    .originalDestinationConnectionId(ConnectionId.random(8)).sourceConnectionId(ConnectionId.random(8))
                    .path(new NetworkPath(CLIENT, SERVER)).build(now);
            client.submitCryptoData(EncryptionLevel.INITIAL, new byte[300]);
            ByteBuffer b = ByteBuffer.allocate(QuicCloseHandlerConfig.DEFAULT_MAX_UDP_PAYLOAD_SIZE);
            int n = client.writePacket(null, null, b, now);
            byte[] out = new byte[n];
            b.flip().get(out);
            return out;
        } catch (CryptoException | QuicException e) {
            throw new IllegalStateException("warm-up: the client Initial could not be sealed", e);
        }
    }
}
