/**
 * The real-peer test harness: drives independent QUIC implementations and decoders on 127.0.0.1 so tests can prove
 * the datagrams this project writes (CONNECTION_CLOSE in particular) with software that shares no code with it.
 *
 * <ul>
 *   <li>{@link dev.quicj.core.interop.Peers}: finds the programs; {@code requireTool(...)} skips a test when one is
 *       missing, or fails it when {@code CI=true}, naming the Debian package.</li>
 *   <li>{@link dev.quicj.core.interop.Tshark}: Wireshark's dissector on raw datagrams (with the original-DCID trick
 *       for lone server Initials) or on capture files, returning {@link dev.quicj.core.interop.TsharkResult}
 *       &rarr; {@link dev.quicj.core.interop.DecodedDatagram} &rarr; {@link dev.quicj.core.interop.DecodedPacket}
 *       &rarr; {@link dev.quicj.core.interop.DecodedFrame}.</li>
 *   <li>{@link dev.quicj.core.interop.Ngtcp2Server} and {@link dev.quicj.core.interop.Ngtcp2Client}: ngtcp2's
 *       example server and client (libngtcp2 0.12.1 + GnuTLS); their logs parse into
 *       {@link dev.quicj.core.interop.Ngtcp2Close} with {@link dev.quicj.core.interop.Ngtcp2Log}.</li>
 *   <li>{@link dev.quicj.core.interop.LoopbackCapture}: dumpcap on {@code lo} (root).</li>
 *   <li>{@link dev.quicj.core.interop.UdpSend}: raw datagrams from a fresh ephemeral port.</li>
 *   <li>{@link dev.quicj.core.interop.InteropVectors}: fixed datagrams (RFC 9001 Appendix A, close spec V2/V3).</li>
 * </ul>
 *
 * Debian 12 packages: {@code apt-get install -y tshark ngtcp2-client ngtcp2-server openssl}. Everything is
 * loopback-only; every process is killed and every temp dir removed when its object is closed
 * ({@code -Dquicj.interop.keep=true} keeps the temp dirs for diagnosis). The self-tests of this package are
 * {@code HarnessUnitTest} (no programs needed), {@code TsharkSelfTest} and {@code Ngtcp2InteropSelfTest}.
 */
package dev.quicj.core.interop;
