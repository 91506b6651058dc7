package dev.quicj.netty;

import dev.quicj.core.conn.Ecn;
import io.netty.buffer.ByteBuf;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A {@link DatagramPacket} that carries the ECN codepoint its IP packet should be marked with
 * (<a href="https://www.rfc-editor.org/rfc/rfc3168#section-5">RFC 3168 §5</a>). {@link QuicCloseHandler} writes every
 * datagram as one of these; downstream handlers and transports that can mark single datagrams read {@link #ecn()}.
 *
 * <p>Ownership is that of {@link DatagramPacket}: the packet owns its content and releasing the packet releases
 * it. The derived packets ({@link #copy()}, {@link #duplicate()}, {@link #retainedDuplicate()},
 * {@link #replace(ByteBuf)}) keep the codepoint.
 */
public final class QuicDatagramPacket extends DatagramPacket {
    // the codepoint to mark the IP packet with
    private final Ecn ecn;

    /**
     * A packet; ownership of {@code content} passes to it.
     *
     * @param recipient where the datagram goes
     * @param sender the local address it is sent from, or {@code null}
     * @param ecn the ECN codepoint
     * @throws NullPointerException if {@code content} or {@code ecn} is null, or both addresses are; {@code content}
     *     is then still the caller's to release
     */
    public QuicDatagramPacket(ByteBuf content, InetSocketAddress recipient, InetSocketAddress sender, Ecn ecn) {
        super(content, recipient, sender);
        this.ecn = Objects.requireNonNull(ecn, "ecn");
    }

    /** The ECN codepoint to mark the IP packet with. */
    public Ecn ecn() {
        return ecn;
    }

    @Override
    public QuicDatagramPacket copy() {
        return replace(content().copy());
    }

    @Override
    public QuicDatagramPacket duplicate() {
        return replace(content().duplicate());
    }

    @Override
    public QuicDatagramPacket retainedDuplicate() {
        return replace(content().retainedDuplicate());
    }

    @Override
    public QuicDatagramPacket replace(ByteBuf content) {
        return new QuicDatagramPacket(content, recipient(), sender(), ecn);
    }

    @Override
    public QuicDatagramPacket retain() {
        super.retain();
        return this;
    }

    @Override
    public QuicDatagramPacket retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public QuicDatagramPacket touch() {
        super.touch();
        return this;
    }

    @Override
    public QuicDatagramPacket touch(Object hint) {
        super.touch(hint);
        return this;
    }

    /**
     * {@code QuicDatagramPacket(sender => recipient, content, ecn=CODEPOINT)}, or {@code QuicDatagramPacket(=>
     * recipient, content, ecn=CODEPOINT)} without a sender: the form of Netty's {@code
     * DefaultAddressedEnvelope.toString()} with the codepoint added inside the parentheses.
     */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("QuicDatagramPacket(");
        InetSocketAddress sender = sender();
        if (sender != null) {
            b.append(sender).append(' ');
        }
        return b.append("=> ").append(recipient()).append(", ").append(content()).append(", ecn=").append(ecn)
                .append(')').toString();
    }
}
