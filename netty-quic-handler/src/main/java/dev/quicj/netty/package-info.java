/**
 * A Netty front end for the pure-Java QUIC core: {@link dev.quicj.netty.QuicCloseHandler}, a
 * {@link io.netty.channel.ChannelDuplexHandler} for datagram pipelines that owns the channel's QUIC connections,
 * turns channel closes, errors and {@link dev.quicj.netty.QuicCloseCommand close commands} into CONNECTION_CLOSE
 * datagrams, and runs the closing and draining periods of
 * <a href="https://www.rfc-editor.org/rfc/rfc9000#section-10.2">RFC 9000 §10.2</a>.
 *
 * <p>Everything the handler sends is a {@link dev.quicj.netty.QuicDatagramPacket} carrying its ECN codepoint;
 * everything it reports is a user event ({@link dev.quicj.netty.QuicConnectionAcceptedEvent},
 * {@link dev.quicj.netty.QuicConnectionEndedEvent}, {@link dev.quicj.netty.QuicConnectionFreedEvent}) or a
 * {@link dev.quicj.netty.QuicConnectionException}.
 */
package dev.quicj.netty;
