package dev.quicj.netty;

/**
 * How the handler conveys the ECN codepoint quic-core chose for a close datagram
 * (<a href="https://www.rfc-editor.org/rfc/rfc9000#section-13.4">RFC 9000 §13.4</a>).
 */
public enum EcnMode {
    /**
     * Only as metadata: {@link QuicDatagramPacket#ecn()}. A downstream handler or transport that can mark single
     * datagrams reads it there. This is the default.
     */
    METADATA_ONLY,
    /**
     * As metadata, and also on the socket: before a datagram whose codepoint differs from the socket's, the handler
     * flushes what it wrote so far and sets the two low bits of {@link io.netty.channel.ChannelOption#IP_TOS}. This
     * works on NIO and epoll datagram channels; on a transport without {@code IP_TOS} (for example
     * {@code EmbeddedChannel}) only the metadata is set. The option is socket-wide: what other handlers wrote before
     * the change is flushed first, and the socket's own TOS byte is given back when the handler flushes at the end of
     * the event it is handling. A datagram another handler writes during that event (a listener of
     * {@link QuicConnectionEndedEvent} writing its own datagram, say) leaves with the close's marking.
     */
    SOCKET_TOS
}
