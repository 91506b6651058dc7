package dev.quicj.examples;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Put first in a datagram pipeline (before the {@code QuicCloseHandler}), it records a copy of every datagram read
 * and written, as it crosses the socket, and passes the datagram on untouched. The copies are taken on the event loop
 * and handed to another thread through {@link #queue()}.
 */
final class DatagramTap extends ChannelDuplexHandler {
    /** Which way a datagram went. */
    enum Direction {
        /** Written to the socket. */
        SENT,
        /** Read from the socket. */
        RECEIVED
    }

    /**
     * One datagram.
     *
     * @param direction sent or received
     * @param peer the recipient of a sent datagram, the sender of a received one
     * @param bytes a copy of the UDP payload
     */
    record Captured(Direction direction, InetSocketAddress peer, byte[] bytes) {
    }

    private final BlockingQueue<Captured> queue = new LinkedBlockingQueue<>();

    /** The datagrams in the order they crossed the socket. */
    BlockingQueue<Captured> queue() {
        return queue;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof DatagramPacket) {
            DatagramPacket p = (DatagramPacket) msg;
            queue.add(new Captured(Direction.RECEIVED, p.sender(), copy(p.content())));
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof DatagramPacket) {
            DatagramPacket p = (DatagramPacket) msg;
            byte[] bytes = copy(p.content());
            InetSocketAddress recipient = p.recipient();
            // recorded once the socket took it, so a failed write does not show up as sent
            promise = promise.unvoid();
            promise.addListener(f -> {
                if (f.isSuccess()) {
                    queue.add(new Captured(Direction.SENT, recipient, bytes));
                }
            });
        }
        ctx.write(msg, promise);
    }

    private static byte[] copy(ByteBuf content) {
        return ByteBufUtil.getBytes(content, content.readerIndex(), content.readableBytes());
    }
}
