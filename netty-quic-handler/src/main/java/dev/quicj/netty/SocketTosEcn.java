package dev.quicj.netty;

import dev.quicj.core.conn.Ecn;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;

/**
 * The socket's ECN marking in {@link EcnMode#SOCKET_TOS}: each close datagram is sent with the ECN bits of the
 * socket's IP_TOS set to the codepoint quic-core chose, and the socket gets its own TOS byte back at the handler's next
 * flush. Does nothing in the other modes. Confined to the event loop.
 */
final class SocketTosEcn {
    // the ECN field is the two low bits of the TOS byte (RFC 3168 §5)
    private static final int ECN_MASK = 0x03;

    // the handler, which flushes what it wrote before the marking changes
    private final QuicCloseHandler handler;
    // whether the handler is in EcnMode.SOCKET_TOS; in the other modes nothing is done
    private final boolean enabled;
    // the socket's own TOS byte while apply has changed its ECN bits, given back at the handler's next flush; -1 when
    // the socket has its own bits
    private int socketTos = -1;

    SocketTosEcn(QuicCloseHandler handler, boolean enabled) {
        this.handler = handler;
        this.enabled = enabled;
    }

    /**
     * In {@link EcnMode#SOCKET_TOS}, sets the socket's ECN bits to {@code ecn} if they differ, after flushing what was
     * written with the previous marking, by this handler or by another (a datagram the application wrote without
     * flushing just before a close must not leave ECT(0)-marked, RFC 3168 §5). The socket's own TOS byte is
     * remembered and given back by {@link #restore} when the handler flushes. A transport without IP_TOS is left
     * alone; a socket error is reported with {@code fireExceptionCaught} and the datagram still goes out.
     */
    void apply(ChannelHandlerContext ctx, Ecn ecn) {
        if (!enabled) {
            return;
        }
        ChannelConfig cc = ctx.channel().config();
        try {
            Integer tos = cc.getOption(ChannelOption.IP_TOS);
            if (tos != null && (tos & ECN_MASK) != ecn.codepoint()) {
                handler.flushBeforeEcnChange();
                // that flush may have re-entered the handler, whose own flush gave the socket its TOS back: read it
                // again, or the marking read before would be taken for the socket's own byte
                tos = cc.getOption(ChannelOption.IP_TOS);
                if (tos == null || (tos & ECN_MASK) == ecn.codepoint()) {
                    return;
                }
                if (socketTos < 0) {
                    socketTos = tos;
                }
                int marked = (tos & ~ECN_MASK) | ecn.codepoint();
                cc.setOption(ChannelOption.IP_TOS, marked);
                if (marked == socketTos) {
                    // back to the socket's own bits: nothing to give back
                    socketTos = -1;
                }
            }
        } catch (RuntimeException e) {
            ctx.fireExceptionCaught(e);
        }
    }

    /**
     * Gives the socket back the TOS byte {@link #apply} changed, once what was written with the changed marking has
     * been flushed: what other handlers send afterwards (the application's own datagrams) is not ECN-marked by the
     * handler's close. Nothing is set on a channel that closed meanwhile.
     */
    void restore(ChannelHandlerContext ctx) {
        int tos = socketTos;
        if (tos < 0) {
            return;
        }
        socketTos = -1;
        if (!ctx.channel().isOpen()) {
            return;
        }
        try {
            ctx.channel().config().setOption(ChannelOption.IP_TOS, tos);
        } catch (RuntimeException e) {
            ctx.fireExceptionCaught(e);
        }
    }
}
