package dev.quicj.core.conn;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.QuicException;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.Role;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.crypto.CipherSuite;
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.crypto.InitialSecrets;
import dev.quicj.core.crypto.PacketProtection;
import dev.quicj.core.packet.PacketWriter;
import dev.quicj.core.tls.PreferredAddress;
import dev.quicj.core.tls.TransportParameters;
import dev.quicj.core.tls.VersionInformation;
import dev.quicj.core.wire.FrameDecoder;
import dev.quicj.core.wire.FrameType;
import dev.quicj.core.wire.PacketNumber;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One QUIC connection, client or server: the state of close-spec §5 and everything the CONNECTION_CLOSE writer
 * needs — per-space packet numbers and keys, the handshake signals, the current path with its amplification
 * accounting and ECN state, the peer's transport parameters, RTT and PTO.
 *
 * <p>The heart is {@link #writeConnectionClose}, the counterpart of ngtcp2's
 * {@code ngtcp2_conn_write_connection_close}. Around it: {@link #receive} reads datagrams (header protection,
 * decryption, the frames this core needs), {@link #writePacket} sends queued CRYPTO data, ACKs and a server's
 * HANDSHAKE_DONE, and the TLS layer drives the handshake with {@link #installTxKey}, {@link #installRxKey},
 * {@link #submitCryptoData} and {@link #handshakeCompleted()}.
 *
 * <p>Timestamps are monotonic nanoseconds (for example {@link System#nanoTime()}) and must never decrease from one
 * call to the next. A connection is not thread-safe: drive it from one thread (a Netty event loop).
 *
 * <p>Buffers: no method keeps a reference to a buffer it is given. {@link #receive} decrypts in place, so the
 * datagram's bytes are overwritten.
 */
public final class QuicConnection {
    /** The amplification factor of RFC 9000 §8.1. */
    public static final int AMPLIFICATION_FACTOR = 3;
    /** The datagram size a client pads its Initials to (RFC 9000 §14.1), ngtcp2's NGTCP2_MAX_UDP_PAYLOAD_SIZE. */
    public static final int MIN_INITIAL_DATAGRAM_SIZE = 1200;
    /** The shortest Destination Connection ID a client may choose for its first Initial (RFC 9000 §7.2). */
    public static final int MIN_INITIAL_DCID_LENGTH = 8;
    /**
     * The most 1-RTT packets a connection keeps from before its handshake completed (RFC 9001 §5.7); later ones are
     * dropped ({@link DropReason#TOO_MANY_HELD_PACKETS}). The peer sends 1-RTT packets that early only when its
     * handshake messages were lost or reordered, so a few suffice; the bound caps what a peer can make it hold.
     */
    public static final int MAX_HELD_PACKETS = 8;
    /**
     * The most bytes the held 1-RTT packets ({@link #MAX_HELD_PACKETS}) may take together: eight 1500-byte
     * datagrams' worth. A packet that would take them beyond it is dropped as {@link DropReason#TOO_MANY_HELD_PACKETS}:
     * nothing held is authenticated yet, so whoever knows the connection's ID picks their sizes.
     */
    public static final int MAX_HELD_BYTES = MAX_HELD_PACKETS * 1500;
    // how many of the peer's stateless reset tokens are kept
    static final int MAX_RESET_TOKENS = 8;
    /** How many PATH_CHALLENGE frames wait for their PATH_RESPONSE at most (see {@link #queuePathResponse}). */
    static final int MAX_PATH_RESPONSES = 4;
    // idle timeouts are capped at 2^61 ns (about 73 years), so deadlines never overflow the ticker's arithmetic
    private static final long MAX_IDLE_TIMEOUT_MILLIS = (1L << 61) / 1_000_000L;

    // which end this is
    final Role role;
    // the negotiated (or, for a client before any answer, chosen) version
    final QuicVersion version;
    // settings fixed at creation (their crypto provider makes packet protection)
    final Settings settings;
    // the local connection ID, sent as SCID in long headers and expected as DCID in received packets
    final ConnectionId scid;
    // the current Destination Connection ID
    ConnectionId dcid;
    // the DCID of the client's first Initial (the server learns it from that packet)
    ConnectionId originalDcid;
    // the peer's Source Connection ID, once known
    ConnectionId peerScid;
    // client: the SCID of the Retry it processed, or null
    ConnectionId retryScid;
    // the current network path
    NetworkPath path;
    // client: the Retry or NEW_TOKEN token repeated in every Initial; server: the validated token it was created with
    byte[] token;
    // client: the token the server gave in a NEW_TOKEN frame, for a future connection
    byte[] newToken;
    // receives in-order CRYPTO data; dropped when the connection closes
    CryptoDataListener cryptoListener;

    ConnectionState state;
    // the TLS handshake completed (client: POST_HANDSHAKE; server: confirmed as well)
    boolean handshakeCompleted;
    // the handshake is confirmed (server: completed; client: HANDSHAKE_DONE received)
    boolean handshakeConfirmed;
    // server: HANDSHAKE_DONE is still to be sent (RFC 9001 §4.1.2); set when the handshake completes, cleared once a
    // 1-RTT packet carrying it was sealed (there is no loss recovery to send it again)
    boolean handshakeDonePending;
    // the Data of PATH_CHALLENGE frames still to be answered with PATH_RESPONSE (RFC 9000 §8.2.2), oldest first,
    // PATH_DATA_LENGTH bytes each; allocated with the first challenge
    byte[] pathResponses;
    int pathResponseCount;
    // 1-RTT packets received before the handshake completed (RFC 9001 §5.7), still protected, oldest first; processed
    // once it completed; null when none
    ArrayDeque<byte[]> heldPackets;
    // when each held packet arrived, in the same order (RFC 9000 §13.2.5: its ACK delay counts from then); allocated
    // with the first held packet
    long[] heldArrivals;
    // a protocol error in a held packet processed by handshakeCompleted(), which cannot throw it: the next receive does
    private QuicException heldFailure;
    // client: a server packet was processed (no more Retry or Version Negotiation accepted)
    boolean receivedFromServer;
    // client built after a Retry or the server's first Initial processed elsewhere: packet numbers below
    // Settings.initialPacketNumber may have been sent (and be acknowledged) by whatever sent its earlier Initials
    boolean continuesEarlierPackets;
    // client: a Version Negotiation packet was reported (RFC 9000 §6.2: later ones are discarded)
    boolean receivedVersionNegotiation;

    // the packet number spaces: null once the connection closed (unless retainSendStateForBenchmark), when
    // closedNumbers answers for them; only the public accessors and writeConnectionClose meet a closed connection
    PacketNumberSpace initial;
    PacketNumberSpace handshake;
    PacketNumberSpace application;

    // a server: whether the client's transport parameters are in effect for what this connection writes (QUIC bit
    // greasing, RFC 9287; the datagram cap of close-spec §3.1 step 1): as ngtcp2, which keeps a server's pending
    // (remote.pending_transport_params) until it installs its 1-RTT transmit key; so a server's Initial and Handshake
    // packets written before it has 1-RTT keys keep the QUIC bit, as libngtcp2's do (Libngtcp2CloseVectorsTest,
    // s-ih-*). A client's take effect when set, a deliberate difference: ngtcp2 applies a client's handshake
    // parameters with its 1-RTT receive key (remembered 0-RTT ones at once), but this core has one setter and no 0-RTT,
    // and close-spec §3.1 step 1 caps a client's close by the peer's max_udp_payload_size once they are known
    boolean clientParametersApplied;

    // amplification accounting of the current path (RFC 9000 §8.1)
    long pathBytesReceived;
    long pathBytesSent;
    boolean pathValidated;
    // the path's confirmed maximum UDP payload, 1200 until PMTUD raises it
    int pathMaxUdpPayloadSize = Settings.MIN_UDP_PAYLOAD_SIZE;
    EcnState ecnState = EcnState.TESTING;

    // the peer's transport parameters, null until the TLS layer provides them
    TransportParameters peerParameters;
    // the transport parameters this endpoint sent, when the TLS layer gave them: the stream limits and whether a
    // server issued connection ID sequence number 1 in preferred_address
    TransportParameters localParameters;
    // stateless reset tokens the peer issued (transport parameter, NEW_CONNECTION_ID), the newest
    // MAX_RESET_TOKENS; allocated by the first, dropped when the connection closes
    byte[][] resetTokens;
    int resetTokenCount;
    // the connection IDs the peer issued (RFC 9000 §5.1), made by its first NEW_CONNECTION_ID frame; dropped when the
    // connection closes
    private PeerConnectionIds peerIds;
    // the token of the peer's connection ID this endpoint moved to when the peer retired the one it sent to, or null
    private byte[] managedResetToken;

    // the last timestamp seen, Long.MIN_VALUE before any
    long lastTimestamp = Long.MIN_VALUE;
    // when the idle timer last restarted (RFC 9000 §10.1): creation, a packet processed, or the first ack-eliciting
    // packet sent after one
    long idleTimerStart;
    // whether the next ack-eliciting packet sent restarts the idle timer (none sent since a packet was processed)
    boolean restartIdleTimerOnSend = true;
    // null once the connection closed (unless retained), like the spaces
    RttEstimator rtt;
    // what a closed connection still reports of its spaces and RTT; filled by enterClosed
    private final ClosedNumbers closedNumbers = new ClosedNumbers();

    // the close this endpoint sent, the peer's close, and whether a stateless reset ended the connection
    CloseError localClose;
    CloseError peerClose;
    boolean statelessReset;
    // when the closing or draining period began
    long closeTimestamp;

    // why the last datagram (or its last dropped packet) was dropped
    DropReason lastDropReason;

    // RFC 9001 §6.6: the received packets that failed authentication with Handshake or 1-RTT keys, over the
    // connection's life and across all keys (Initial keys are public: a failure there forges nothing), and the
    // integrity limit of the AEAD TLS selected (the smallest of the receive keys installed; none before)
    long aeadFailures;
    long integrityLimit = Long.MAX_VALUE;

    // statistics, like ngtcp2's conn_stat
    long statPacketsSent;
    long statBytesSent;
    long statPacketsReceived;
    long statBytesReceived;
    long statPacketsDropped;

    // benchmark seam: keep the transmit keys and all send state after closing (see reopenAfterCloseForBenchmark)
    private boolean retainSendStateForBenchmark;
    // a datagram is being processed: a close during it (by a CRYPTO data listener, or a CONNECTION_CLOSE frame)
    // leaves the spaces to the end of receive(), which is still using them
    private boolean receiving;

    // made with the connection (so the close allocates nothing), dropped when it closes
    CloseWriter closeWriter;
    // whether this connection clears the QUIC bit once the peer allows it (RFC 9287), drawn at creation
    private final boolean greaseQuicBit;
    // made by the first datagram received or written, dropped when the connection closes
    PacketReceiver receiver;
    HandshakeWriter handshakeWriter;

    private QuicConnection(Role role, QuicVersion version, Settings settings, ConnectionId scid, ConnectionId dcid,
            ConnectionId originalDcid, NetworkPath path, byte[] token, CryptoDataListener listener) {
        this.role = role;
        this.version = version;
        this.settings = settings;
        this.scid = scid;
        this.dcid = dcid;
        this.originalDcid = originalDcid;
        this.path = path;
        this.token = token;
        this.cryptoListener = listener;
        long pn0 = settings.initialPacketNumber();
        this.initial = new PacketNumberSpace(EncryptionLevel.INITIAL, pn0, settings.maxCryptoBuffer());
        this.handshake = new PacketNumberSpace(EncryptionLevel.HANDSHAKE, pn0, settings.maxCryptoBuffer());
        this.application = new PacketNumberSpace(EncryptionLevel.ONE_RTT, pn0, settings.maxCryptoBuffer());
        this.rtt = new RttEstimator(settings.initialRtt().toNanos());
        this.state = role == Role.CLIENT ? ConnectionState.CLIENT_INITIAL : ConnectionState.SERVER_INITIAL;
        this.closeWriter = new CloseWriter(this);
        switch (settings.quicBitGreasing()) {
            case RANDOM:
                // ngtcp2 draws this bit once per connection too
                this.greaseQuicBit = ThreadLocalRandom.current().nextBoolean();
                break;
            case ALWAYS:
                this.greaseQuicBit = true;
                break;
            default:
                this.greaseQuicBit = false;
                break;
        }
        if (settings.packetNumberSkipRandom() != null) {
            // the first skip is at least 4 packets in, so packet number 0 is never skipped (ngtcp2)
            application.skipPacketNumber = pn0 + 4 + settings.packetNumberSkipRandom().nextInt(60);
        }
    }

    /** A builder for a client connection. */
    public static ClientBuilder clientBuilder() {
        return new ClientBuilder();
    }

    /** A builder for a server connection. */
    public static ServerBuilder serverBuilder() {
        return new ServerBuilder();
    }

    // ---------------------------------------------------------------------------------------------------------
    // CONNECTION_CLOSE

    /**
     * Writes one UDP datagram carrying CONNECTION_CLOSE, the counterpart of ngtcp2's
     * {@code ngtcp2_conn_write_connection_close} (close-spec §1–§6). The close goes in every packet type RFC 9000
     * §10.2.3 asks for in the current handshake state, coalesced Initial → Handshake → 1-RTT; an application close
     * becomes {@code 1c 0c 00 00} (APPLICATION_ERROR, no reason) in Initial and Handshake packets; a client Initial
     * is padded to 1200 bytes ({@link Settings#maxTxUdpPayloadSize()} without shaping), or to the room there is when
     * that is less (close-spec §3.3: a 1000-byte {@code dest} gets a 1000-byte datagram); the size is capped by
     * {@code dest}, the peer's max_udp_payload_size, the settings, the path and (on a server) the amplification
     * budget.
     *
     * <p>Checks run in ngtcp2's order: the timestamp; the close type ({@link CloseOutcome#NOTHING_TO_WRITE} for
     * the types that send nothing); packet number exhaustion; the state (CLIENT_INITIAL is
     * {@link CloseOutcome#INVALID_STATE}, CLOSING and DRAINING give {@link CloseOutcome#NOTHING_TO_WRITE}); then,
     * not an ngtcp2 check, a transmit key set that sealed its AEAD's confidentiality limit
     * ({@link CloseOutcome#AEAD_LIMIT_REACHED}, RFC 9001 §6.6); then {@code pathInfo} and {@code packetInfo} are
     * filled and the packets written. Only {@link CloseOutcome#WRITTEN}
     * changes the state, to {@link ConnectionState#CLOSING}; packet numbers used by packets that were fully written
     * stay used even when a later packet fails.
     *
     * <p>Nothing is allocated.
     *
     * @param pathInfo receives the path to send on, or {@code null}
     * @param packetInfo receives the ECN codepoint to send with (ECT(0) only on an ECN-capable path), or
     *     {@code null}
     * @param dest the datagram is written from its position up to its limit; on {@link CloseOutcome#WRITTEN} the
     *     position advances by the datagram's length, otherwise it is unchanged. Not retained.
     * @param error why the connection closes
     * @param now the current time in nanoseconds; not earlier than any timestamp given before
     * @throws IllegalArgumentException if {@code dest} is read-only, or {@code now} is earlier than a previous
     *     timestamp (checked before anything changes)
     */
    public CloseOutcome writeConnectionClose(PathInfo pathInfo, PacketInfo packetInfo, ByteBuffer dest,
            CloseError error, long now) {
        checkWritable(dest);
        Objects.requireNonNull(error, "error");
        updateTimestamp(now);
        CloseWriter writer = closeWriter;
        if (writer == null) {
            // closed, and the writer went with the send state: the checks before the state are all that is left
            return CloseWriter.checkBeforeWriting(this, error);
        }
        return writer.write(pathInfo, packetInfo, dest, error, now);
    }

    // ---------------------------------------------------------------------------------------------------------
    // receive path

    /**
     * Checks a datagram that no connection ID of this endpoint names for a Stateless Reset of this connection (RFC 9000
     * §10.3.1: "the comparison MUST be performed when the first packet in an incoming datagram either cannot be
     * associated with a connection or cannot be decrypted"). A Stateless Reset is unpredictable bytes ending in a
     * token (§10.3), so its Destination Connection ID names nothing and a demultiplexer routing by connection ID finds
     * no connection for it: it hands such a datagram to the connections of the path it arrived on, here. {@link
     * #receive} makes the same comparison for the datagrams routed to this connection.
     *
     * <p>If the datagram arrived on this connection's path, is at least 21 bytes and its last 16 bytes are one of the
     * tokens {@linkplain #addStatelessResetToken added} (compared in constant time), the connection enters the
     * draining state ({@link #isStatelessReset()}, RFC 9000 §10.3.1: it "MUST enter the draining period and not send
     * any further packets on this connection") and this returns {@link ReceiveStatus#DRAINING}. Otherwise nothing
     * changes but {@link #lastTimestamp()}, nothing is counted, and it returns {@link ReceiveStatus#DROPPED}; a
     * closing or draining connection never looks for a reset again and always answers so.
     *
     * @param datagram the datagram from its position to its limit; neither they nor its contents are changed
     * @param from the path it arrived on
     * @param now the current time, in nanoseconds of the same clock as every other call
     * @throws IllegalStateException if called from within {@link #receive} (a CRYPTO data listener)
     * @throws IllegalArgumentException if {@code now} is before the time of an earlier call
     */
    public ReceiveStatus receiveStatelessReset(ByteBuffer datagram, NetworkPath from, long now) {
        Objects.requireNonNull(datagram, "datagram");
        Objects.requireNonNull(from, "from");
        if (receiving) {
            throw new IllegalStateException("receiveStatelessReset called from within receive (a CRYPTO data "
                    + "listener of this connection)");
        }
        updateTimestamp(now);
        if (state.isClosed()) {
            return ReceiveStatus.DROPPED;
        }
        if (receiver == null) {
            receiver = new PacketReceiver(this);
        }
        ReceiveStatus status = receiver.statelessReset(datagram, from, now);
        if (status == ReceiveStatus.DRAINING) {
            // a failure held for the next receive concerns a connection that is over
            heldFailure = null;
        }
        return status;
    }

    /**
     * Reads one UDP datagram: splits coalesced packets, removes header protection, decrypts with the installed keys
     * and processes the frames this core understands (ACK, CRYPTO, HANDSHAKE_DONE, NEW_TOKEN, CONNECTION_CLOSE,
     * PATH_CHALLENGE, answered by the next {@link #writePacket}, NEW_CONNECTION_ID and RETIRE_CONNECTION_ID (RFC 9000
     * §5.1), PING, PADDING; STREAM and RESET_STREAM are flow controlled once {@link #setLocalTransportParameters} was
     * called; every other frame is validated and skipped).
     * The datagram is decrypted in place.
     *
     * <p>Malformed, undecryptable, duplicate or unexpected packets are dropped and change nothing; the reason is
     * {@link #lastDropReason()}. A packet that authenticates but breaks the protocol (a bad frame, a frame that is
     * not allowed in its packet type, reserved bits set) throws {@link QuicException} before any of its frames takes
     * effect: close the connection with {@link CloseError#fromException}. Nothing else is thrown, whatever the
     * datagram holds, except what this connection's {@link CryptoDataListener} throws: that leaves {@code receive}
     * as it is, and the connection should then be closed.
     *
     * <p>RFC 9001 §6.6: the packets that fail authentication (the AEAD refuses them) with Handshake or 1-RTT keys are
     * counted over the connection's life, across all keys; once there are more than the integrity limit of the AEAD
     * TLS selected ({@link CipherSuite#integrityLimit()}), this throws a {@link QuicException} of type
     * AEAD_LIMIT_REACHED, and so does every later call until the connection is closed, processing nothing: close the
     * connection with it. A packet dropped before the AEAD (malformed, too short for the header protection sample or
     * the tag, no keys) is not counted, and neither is an Initial packet, whose keys anyone can derive (RFC 9001
     * §5.2).
     *
     * <p>Hand this connection only the datagrams routed to it (by their Destination Connection ID): every datagram
     * from its path counts toward a server's amplification budget (RFC 9000 §8.1, "datagrams that are uniquely
     * attributed to a single connection", those whose packets are all discarded included), whatever its header says,
     * as in ngtcp2. A server built without the original Destination Connection ID (as the Netty handler builds the
     * connections it accepts), which takes the first client Initial that authenticates, counts a datagram only once
     * its Initial opens the connection.
     *
     * @param datagram the datagram from its position to its limit; its contents are overwritten, its position and
     *     limit are not changed. Not retained.
     * @param now the current time in nanoseconds; not earlier than any timestamp given before
     * @throws QuicException the peer broke the protocol, or AEAD_LIMIT_REACHED past the integrity limit (RFC 9001
     *     §6.6)
     * @throws IllegalArgumentException if {@code now} is earlier than a previous timestamp, or {@code datagram} is
     *     read-only (it is decrypted in place); nothing is changed then
     * @throws IllegalStateException if called from within this connection's {@link CryptoDataListener} (while
     *     {@code receive} is applying a packet); nothing is changed then
     */
    public ReceiveStatus receive(ByteBuffer datagram, NetworkPath from, long now) throws QuicException {
        Objects.requireNonNull(datagram, "datagram");
        Objects.requireNonNull(from, "from");
        if (datagram.isReadOnly()) {
            // checked before anything is counted: the bytes would otherwise raise the amplification budget and then
            // fail to decrypt in place
            throw new IllegalArgumentException("the datagram buffer is read-only: receive decrypts it in place");
        }
        if (receiving) {
            // a CRYPTO data listener handing this connection another datagram while a packet's frames are being
            // applied: the nested datagram could discard the very keys and space the outer packet is using
            throw new IllegalStateException("receive called from within receive (a CRYPTO data listener of this "
                    + "connection): hand the datagram over after receive returns");
        }
        updateTimestamp(now);
        if (heldFailure != null) {
            QuicException e = heldFailure;
            heldFailure = null;
            throw e;
        }
        if (state.isClosed()) {
            return PacketReceiver.screen(this, datagram, from);
        }
        if (integrityLimitExceeded()) {
            // RFC 9001 §6.6: "not process any more packets"; the caller was told to close, and is told again
            throw integrityLimitError();
        }
        if (receiver == null) {
            receiver = new PacketReceiver(this);
        }
        receiving = true;
        try {
            ReceiveStatus status = receiver.receive(datagram, from, now);
            if (heldFailure != null && !state.isClosed()) {
                // the listener moved TLS on past unconsumed CRYPTO data (failIfUnconsumed)
                QuicException e = heldFailure;
                heldFailure = null;
                throw e;
            }
            if (heldPackets != null && handshakeCompleted && !state.isClosed()) {
                // the listener reported the handshake complete while this datagram was read
                ReceiveStatus held = receiver.receiveHeld(now);
                if (held == ReceiveStatus.DRAINING
                        || held == ReceiveStatus.PROCESSED && status == ReceiveStatus.DROPPED) {
                    return held;
                }
            }
            return status;
        } finally {
            receiving = false;
            if (state.isClosed()) {
                dropClosedState();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // handshake-phase writes

    /**
     * Queues CRYPTO data (TLS handshake bytes) to send at {@code level}; {@link #writePacket} sends it.
     *
     * @throws IllegalArgumentException for a level without a CRYPTO stream (0-RTT)
     * @throws IllegalStateException if the level's keys were discarded or the connection is closing or draining
     */
    public void submitCryptoData(EncryptionLevel level, byte[] data) {
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(data, "data");
        if (level == EncryptionLevel.ZERO_RTT) {
            // RFC 9000 §17.2.3: 0-RTT packets carry no CRYPTO frames (0-RTT shares the application space, whose
            // CRYPTO stream is the 1-RTT one)
            throw new IllegalArgumentException("0-RTT has no CRYPTO stream: TLS sends no handshake data at 0-RTT");
        }
        checkNotClosed();
        PacketNumberSpace space = space(level);
        if (space.discarded) {
            throw new IllegalStateException("the " + level + " keys were discarded");
        }
        space.crypto.submit(data, 0, data.length);
    }

    /**
     * Writes one datagram with pending ACKs and CRYPTO data, coalescing the levels that have something to send, and on
     * a server whose handshake completed, HANDSHAKE_DONE in a 1-RTT packet (RFC 9001 §4.1.2, RFC 9000 §19.20), and
     * RETIRE_CONNECTION_ID frames in a 1-RTT packet for the connection IDs the peer retired (§5.1.2). Those frames
     * are sent once: this core has no loss recovery, so they are not sent again if their packet is lost, although
     * RFC 9000 §13.3 asks for them to be retransmitted until acknowledged (as CRYPTO data is not sent again either).
     * PATH_RESPONSE frames answering the peer's PATH_CHALLENGE frames go in a 1-RTT packet too, once each (§13.3), in
     * a datagram expanded to 1200 bytes; a buffer that cannot hold 1200 bytes keeps them for a later call, unless the
     * amplification limit is what keeps the datagram smaller (§8.2.2).
     * A client pads every datagram carrying an Initial to 1200 bytes, a server those carrying an ack-eliciting
     * Initial (RFC 9000 §14.1: an ACK-only server Initial goes unpadded). A server never exceeds its amplification
     * budget.
     * The first Initial a client writes moves it from {@link ConnectionState#CLIENT_INITIAL} to
     * {@link ConnectionState#CLIENT_WAIT_HANDSHAKE}.
     *
     * <p>RFC 9001 §6.6: the packets sealed with each set of transmit keys are counted (a key update the peer
     * initiates starts the count again for the new keys; Initial keys, which anyone can derive, have no limit). This
     * endpoint never initiates a key update, so once a key set it can send with has sealed all but a small reserve of
     * the packets its AEAD's confidentiality limit allows ({@link CipherSuite#confidentialityLimit()}: 2^23 for
     * AES-GCM, none for ChaCha20-Poly1305), this refuses to seal more and throws AEAD_LIMIT_REACHED; the reserve is
     * kept for {@link #writeConnectionClose}, which can still seal the close with those keys. The same is thrown once
     * {@link #receive} reported the integrity limit. Either way the caller closes with
     * {@link CloseError#fromException}.
     *
     * @param pathInfo receives the path to send on (filled also when this returns 0), or {@code null}
     * @param packetInfo receives the ECN codepoint to send with (ECT(0) only on an ECN-capable path; filled also when
     *     this returns 0), or {@code null}
     * @param dest written from its position; the position advances by the returned length
     * @param now the current time in nanoseconds, not earlier than any timestamp given before: the send time of the
     *     packets written, from which an acknowledgment of them takes its RTT sample (RFC 9002 §5.1), so take it just
     *     before the datagram is sent, on the clock of every other call
     * @return the datagram's length, or 0 when there is nothing to send or no room
     * @throws CryptoException if sealing fails (nothing is sent; packet numbers of packets already written in this
     *     datagram stay used)
     * @throws QuicException AEAD_LIMIT_REACHED (RFC 9001 §6.6), before anything is written: close the connection
     *     with it
     * @throws IllegalStateException if the connection is closing or draining, or a packet number space that still
     *     exists has used packet number 2^62-1 (ngtcp2's PKT_NUM_EXHAUSTED; close-spec §6), or a server holding a
     *     transmit key has no {@linkplain #destinationConnectionId() Destination Connection ID} (it read no client
     *     Initial and was given none: keys installed out of order)
     * @throws IllegalArgumentException if {@code dest} is read-only, or {@code now} is earlier than a previous
     *     timestamp (checked before anything changes)
     */
    public int writePacket(PathInfo pathInfo, PacketInfo packetInfo, ByteBuffer dest, long now)
            throws CryptoException, QuicException {
        checkWritable(dest);
        updateTimestamp(now);
        checkNotClosed();
        // close-spec §6: ordinary writes check packet number exhaustion too, after their state checks
        if (packetNumbersExhausted()) {
            throw new IllegalStateException("packet numbers exhausted: a space used 2^62-1");
        }
        if (integrityLimitExceeded()) {
            throw integrityLimitError();
        }
        PacketNumberSpace spent = sendMarginReached();
        if (spent != null) {
            throw QuicException.aeadLimitReached("the " + spent.level + " keys sealed " + spent.txSealed
                    + " packets, their AEAD's confidentiality limit less the " + PacketNumberSpace.CLOSE_RESERVE
                    + " kept for the close, and this endpoint does not initiate key updates (RFC 9001 §6.6)");
        }
        if (dcid == null && (initial.canSend() || handshake.canSend() || application.canSend())) {
            // keys installed on a server before it read the client's first Initial: no one to address packets to
            throw new IllegalStateException("a server that has not read the client's first Initial has no "
                    + "Destination Connection ID to send to");
        }
        if (handshakeWriter == null) {
            handshakeWriter = new HandshakeWriter(this);
        }
        return handshakeWriter.write(pathInfo, packetInfo, dest, now);
    }

    private static void checkWritable(ByteBuffer dest) {
        Objects.requireNonNull(dest, "dest");
        if (dest.isReadOnly()) {
            throw new IllegalArgumentException("the destination buffer is read-only");
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // signals from the TLS layer

    /**
     * Installs the key this endpoint sends with at {@code level}, derived from a TLS traffic secret (ngtcp2's
     * {@code ngtcp2_conn_install_tx_handshake_key} / {@code _tx_key}). Initial keys are derived automatically.
     *
     * <p>Once the connection is closing or draining the call succeeds, as ngtcp2's does, but the key is not kept: a
     * closed connection never sends or decrypts again (a TLS layer may still deliver secrets after a peer's close).
     *
     * <p>A copy of a 1-RTT secret is kept to derive the next key generation when the peer updates its keys (RFC 9001
     * §6.2: this endpoint's packets then use the next generation and Key Phase); it is wiped when that generation
     * replaces it and when the connection closes. This endpoint never initiates a key update itself.
     *
     * @throws CryptoException if the cipher cannot be set up
     * @throws IllegalArgumentException for INITIAL or ZERO_RTT, or a secret of the wrong length
     * @throws IllegalStateException if the level was discarded or the key is already installed
     */
    public void installTxKey(EncryptionLevel level, CipherSuite suite, byte[] secret) throws CryptoException {
        PacketNumberSpace space = installableSpace(level, suite, secret);
        if (space == null) {
            return;
        }
        if (space.tx != null) {
            throw new IllegalStateException(level + " transmit key already installed");
        }
        space.installTx(newProtection(suite, secret), suite.confidentialityLimit());
        if (level == EncryptionLevel.ONE_RTT) {
            // a server applies the client's transport parameters now (clientParametersApplied)
            clientParametersApplied = role == Role.SERVER;
            // the next generation, if the peer updates its keys, comes from this one (RFC 9001 §6)
            KeyGenerations keys = space.keyGenerations();
            keys.installedTx(suite, secret);
            keys.prepareNext(space, settings.cryptoProvider(), version);
        }
    }

    /**
     * Installs the key this endpoint receives with at {@code level} (ngtcp2's {@code _rx_handshake_key} /
     * {@code _rx_key}).
     *
     * <p>Once the connection is closing or draining the call succeeds but the key is not kept, as for
     * {@link #installTxKey}. A copy of a 1-RTT secret is kept for key updates, as for {@link #installTxKey}: a 1-RTT
     * packet with the other Key Phase is opened with the next generation's keys (or, if older than the current
     * generation, the previous one's), and once the next generation authenticates a packet both directions use it
     * (RFC 9001 §6.2, §6.5).
     *
     * @throws CryptoException if the cipher cannot be set up
     * @throws IllegalArgumentException for INITIAL or ZERO_RTT, or a secret of the wrong length
     * @throws IllegalStateException if the level was discarded or the key is already installed
     */
    public void installRxKey(EncryptionLevel level, CipherSuite suite, byte[] secret) throws CryptoException {
        PacketNumberSpace space = installableSpace(level, suite, secret);
        if (space == null) {
            return;
        }
        if (space.rx != null) {
            throw new IllegalStateException(level + " receive key already installed");
        }
        space.rx = newProtection(suite, secret);
        // RFC 9001 §6.6: the integrity limit of the AEAD TLS selected (Handshake and 1-RTT keys share the suite)
        integrityLimit = Math.min(integrityLimit, suite.integrityLimit());
        if (level == EncryptionLevel.HANDSHAKE) {
            // TLS reads Handshake messages next: nothing more at Initial level (isPreviousReceiveLevel)
            failIfUnconsumed(initial, level);
        }
        if (level == EncryptionLevel.ONE_RTT) {
            KeyGenerations keys = space.keyGenerations();
            keys.installedRx(suite, secret);
            keys.prepareNext(space, settings.cryptoProvider(), version);
        }
    }

    /**
     * RFC 9001 §4.1.3: "When TLS provides keys for a higher encryption level, if there is data from a previous
     * encryption level that TLS has not consumed, this MUST be treated as a connection error of type
     * PROTOCOL_VIOLATION." Out-of-order CRYPTO data still buffered at {@code previous}'s level (bytes beyond a gap,
     * never delivered) is such data. The key installation or handshake completion that moved TLS on cannot throw it:
     * the current {@code receive} throws it when its datagram is done, or the next one if this was called outside
     * {@code receive}.
     */
    private void failIfUnconsumed(PacketNumberSpace previous, EncryptionLevel next) {
        if (previous == null || previous.discarded || previous.crypto.bufferedBytes() == 0 || heldFailure != null) {
            return;
        }
        heldFailure = QuicException.protocolViolation(FrameType.CRYPTO, previous.crypto.bufferedBytes()
                + " bytes of CRYPTO data at " + previous.level + " that TLS did not consume when it moved on to "
                + next);
    }

    // the provider's unchecked failure or null answer becomes a CryptoException before anything is stored
    private PacketProtection newProtection(CipherSuite suite, byte[] secret) throws CryptoException {
        PacketProtection p;
        try {
            p = settings.cryptoProvider().newPacketProtection(version, suite, secret);
        } catch (RuntimeException e) {
            throw CryptoException.contractViolation("newPacketProtection", e);
        }
        return CryptoException.requireProtection(p, "newPacketProtection");
    }

    /** The space a key for {@code level} goes to after the argument checks, or null when closed (not kept). */
    private PacketNumberSpace installableSpace(EncryptionLevel level, CipherSuite suite, byte[] secret) {
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(suite, "suite");
        if (level != EncryptionLevel.HANDSHAKE && level != EncryptionLevel.ONE_RTT) {
            throw new IllegalArgumentException("keys can be installed for HANDSHAKE and ONE_RTT only: " + level);
        }
        suite.checkSecret(secret);
        if (state.isClosed()) {
            return null;
        }
        PacketNumberSpace space = space(level);
        if (space.discarded) {
            throw new IllegalStateException("the " + level + " keys were discarded");
        }
        return space;
    }

    /**
     * The TLS handshake completed. A client moves to {@link ConnectionState#POST_HANDSHAKE} and waits for
     * HANDSHAKE_DONE to confirm; a server is confirmed at once (RFC 9001 §4.1.2), discards its Handshake keys
     * (§4.9.2) and queues a HANDSHAKE_DONE frame, which its next {@link #writePacket} sends in a 1-RTT packet.
     * Ignored when already completed or closed. The 1-RTT packets received before this call
     * ({@link DropReason#HELD_UNTIL_HANDSHAKE_COMPLETE}) are processed now, or, when this is called from the
     * {@link CryptoDataListener} (as a TLS layer does), at the end of that {@code receive}; their effects show in
     * {@link #state()} and the accessors (a held CONNECTION_CLOSE makes the connection draining). A protocol error
     * in one of them is thrown by the next {@code receive}, as if it came in that datagram.
     *
     * @throws IllegalStateException if the 1-RTT transmit key is not installed
     */
    public void handshakeCompleted() {
        if (handshakeCompleted || state.isClosed()) {
            return;
        }
        if (application.tx == null) {
            throw new IllegalStateException("the handshake cannot complete without the 1-RTT transmit key");
        }
        // TLS reads nothing more at Handshake level (isPreviousReceiveLevel)
        failIfUnconsumed(handshake, EncryptionLevel.ONE_RTT);
        handshakeCompleted = true;
        state = ConnectionState.POST_HANDSHAKE;
        if (role == Role.SERVER) {
            confirmHandshake();
            // RFC 9001 §4.1.2: "The server MUST send a HANDSHAKE_DONE frame as soon as the handshake is complete";
            // RFC 9000 §19.20: never before
            handshakeDonePending = true;
        }
        if (heldPackets != null && !receiving) {
            // called outside receive: the held packets are processed now; inside, receive does it when the current
            // datagram is done
            receiving = true;
            try {
                receiver.receiveHeld(lastTimestamp);
            } catch (QuicException e) {
                heldFailure = e;
            } finally {
                receiving = false;
                if (state.isClosed()) {
                    dropClosedState();
                }
            }
        }
    }

    void confirmHandshake() {
        handshakeConfirmed = true;
        if (!initial.discarded) {
            initial.discard();
        }
        if (!handshake.discarded) {
            handshake.discard();
        }
    }

    /**
     * Checks the peer's connection-ID transport parameters against the packets (RFC 9000 §7.3), without storing
     * anything: initial_source_connection_id must be present and equal the Source Connection ID of the peer's first
     * packet; from a server, original_destination_connection_id must be present and equal the DCID of the client's
     * first Initial, and retry_source_connection_id must be present, and equal the Retry's SCID, exactly when a
     * Retry was processed; a client must not send the server-only parameters (§18.2); a server with a zero-length
     * connection ID must not send preferred_address (§18.2). {@link #checkPeerTransportParameters} makes these checks
     * and the version checks of RFC 9368; a TLS integration calls it before {@link #setPeerTransportParameters}.
     *
     * @throws QuicException TRANSPORT_PARAMETER_ERROR (frame type CRYPTO) naming the first failed check
     * @throws IllegalStateException if no packet from the peer was processed yet (its connection ID is unknown)
     */
    public void checkPeerConnectionIds(TransportParameters params) throws QuicException {
        Objects.requireNonNull(params, "params");
        if (peerScid == null) {
            throw new IllegalStateException("no packet from the peer was processed: its connection ID is unknown");
        }
        checkIdParameter("initial_source_connection_id", params.initialSourceConnectionId().orElse(null), peerScid);
        if (role == Role.CLIENT) {
            checkIdParameter("original_destination_connection_id",
                    params.originalDestinationConnectionId().orElse(null), originalDcid);
            byte[] retrySource = params.retrySourceConnectionId().orElse(null);
            if (retryScid != null) {
                checkIdParameter("retry_source_connection_id", retrySource, retryScid);
            } else if (retrySource != null) {
                throw transportParameterError("retry_source_connection_id without a Retry");
            }
            if (params.preferredAddress().isPresent() && peerScid.length() == 0) {
                throw transportParameterError("preferred_address from a server with a zero-length connection ID");
            }
        } else if (hasServerOnlyParameter(params)) {
            throw transportParameterError("a server-only transport parameter from a client");
        }
    }

    /**
     * Checks the peer's transport parameters against what the connection knows, without storing anything: the
     * connection-ID checks of {@link #checkPeerConnectionIds} (RFC 9000 §7.3, §18.2), then the peer's
     * version_information (RFC 9368 §4): its Chosen Version must be the version of this connection. A server "MUST
     * validate that the client's Chosen Version matches the version in use for the connection"; a client "MUST
     * validate that the server's Chosen Version is equal to the Negotiated Version", which is this connection's
     * version, since this core does not switch versions. Absent version_information is accepted. A TLS integration
     * calls this before {@link #setPeerTransportParameters}.
     *
     * @throws QuicException TRANSPORT_PARAMETER_ERROR (a connection-ID check) or VERSION_NEGOTIATION_ERROR (0x11),
     *         frame type CRYPTO, naming the first failed check
     * @throws IllegalStateException if no packet from the peer was processed yet (its connection ID is unknown)
     */
    public void checkPeerTransportParameters(TransportParameters params) throws QuicException {
        checkPeerConnectionIds(params);
        VersionInformation info = params.versionInformation().orElse(null);
        if (info != null && info.chosenVersion() != version.wireValue()) {
            throw new QuicException(TransportErrorCode.VERSION_NEGOTIATION_ERROR, FrameType.CRYPTO, String.format(
                    "version_information Chosen Version 0x%08x is not the version in use (0x%08x)",
                    info.chosenVersion(), version.wireValue()));
        }
    }

    /** Whether {@code params} carry a parameter only a server may send (RFC 9000 §18.2). */
    private static boolean hasServerOnlyParameter(TransportParameters params) {
        return params.originalDestinationConnectionId().isPresent() || params.retrySourceConnectionId().isPresent()
                || params.statelessResetToken().isPresent() || params.preferredAddress().isPresent();
    }

    private static void checkIdParameter(String name, byte[] value, ConnectionId expected) throws QuicException {
        if (value == null) {
            throw transportParameterError(name + " is missing");
        }
        if (!Arrays.equals(value, expected.toByteArray())) {
            throw transportParameterError(name + " does not match the packets: " + Hex.encode(value) + " != "
                    + expected.toHex());
        }
    }

    private static QuicException transportParameterError(String message) {
        return new QuicException(TransportErrorCode.TRANSPORT_PARAMETER_ERROR, FrameType.CRYPTO, message);
    }

    /**
     * Sets the peer's transport parameters, as decoded by the TLS layer: its max_udp_payload_size caps datagrams,
     * its max_ack_delay enters the PTO and its max_idle_timeout the {@linkplain #idleTimeout() idle timeout} (both once
     * the handshake completed), a server's stateless_reset_token lets a client detect stateless resets. The
     * connection-ID checks of RFC 9000 §7.3 and the version checks of RFC 9368 are not made here: call
     * {@link #checkPeerTransportParameters} first.
     */
    public void setPeerTransportParameters(TransportParameters params) {
        this.peerParameters = Objects.requireNonNull(params, "params");
        if (role == Role.CLIENT) {
            params.statelessResetToken().ifPresent(this::addStatelessResetToken);
        }
    }

    /**
     * Sets the transport parameters this endpoint sends, as the TLS layer encodes them. The receive path then enforces
     * what they promise the peer:
     * <ul>
     *   <li>initial_max_streams_bidi and initial_max_streams_uni bound the streams the peer may open: a frame naming a
     *       peer-initiated stream beyond them is a STREAM_LIMIT_ERROR (RFC 9000 §4.6). This core sends no
     *       MAX_STREAMS, so they stay the limits for the connection's life;</li>
     *   <li>initial_max_data, initial_max_stream_data_bidi_remote and initial_max_stream_data_uni bound the data of
     *       the connection and of each stream the peer opened (initial_max_stream_data_bidi_local the Final Size of a
     *       RESET_STREAM for a bidirectional stream this endpoint would open): STREAM data or a final size beyond them
     *       is a FLOW_CONTROL_ERROR (§4.1), a changed final size, data beyond it or a final size below the data
     *       received a FINAL_SIZE_ERROR (§4.5). This core sends no MAX_DATA or MAX_STREAM_DATA, so they too stay the
     *       limits for the connection's life;</li>
     *   <li>a server issued connection ID sequence number 1 only with a preferred_address (§5.1.1): without one, a
     *       RETIRE_CONNECTION_ID of sequence number 1 is a PROTOCOL_VIOLATION (§19.16);</li>
     *   <li>grease_quic_bit: packets with the QUIC bit (0x40) cleared are read (RFC 9287 §3: "MUST accept");</li>
     *   <li>ack_delay_exponent encodes the ACK Delay of this endpoint's 1-RTT ACK frames (RFC 9000 §19.3).</li>
     * </ul>
     * Until they are set, none of this applies: any stream ID and any amount of stream data is taken, a server takes
     * RETIRE_CONNECTION_ID of sequence number 0 or 1, a packet with the QUIC bit cleared is dropped as a malformed
     * header, and the ACK Delay uses the default exponent 3.
     *
     * @throws IllegalArgumentException if a client's parameters carry a server-only parameter, or a server with a
     *         zero-length connection ID's carry a preferred_address (§18.2)
     */
    public void setLocalTransportParameters(TransportParameters params) {
        Objects.requireNonNull(params, "params");
        if (role == Role.CLIENT && hasServerOnlyParameter(params)) {
            throw new IllegalArgumentException("a client does not send server-only transport parameters (RFC 9000 "
                    + "§18.2)");
        }
        if (role == Role.SERVER && scid.length() == 0 && params.preferredAddress().isPresent()) {
            throw new IllegalArgumentException("a server using a zero-length connection ID MUST NOT provide a "
                    + "preferred address (RFC 9000 §18.2)");
        }
        this.localParameters = params;
    }

    /** The transport parameters this endpoint sends, or {@code null} before the TLS layer set them. */
    public TransportParameters localTransportParameters() {
        return localParameters;
    }

    /**
     * Adds a stateless reset token the peer issued for a connection ID this endpoint uses as its destination: every
     * datagram that cannot be read is compared with every token added (RFC 9000 §10.3.1). A server's
     * stateless_reset_token transport parameter, for the connection ID of the handshake, is added by
     * {@link #setPeerTransportParameters} already. This core keeps sending to that connection ID until the peer
     * retires it (a NEW_CONNECTION_ID frame's Retire Prior To, RFC 9000 §5.1.2); it then moves to the lowest active
     * ID the peer issued and swaps that token for the new ID's itself. So the token of a NEW_CONNECTION_ID frame
     * does not belong here: adding it would break §10.3.1, "An endpoint MUST NOT check for any stateless reset tokens
     * associated with connection IDs it has not used or for connection IDs that have been retired." A closing or
     * draining connection accepts a token but does not keep it: it never looks for a stateless reset again.
     *
     * @throws IllegalArgumentException if the token is not 16 bytes
     */
    public void addStatelessResetToken(byte[] resetToken) {
        Objects.requireNonNull(resetToken, "resetToken");
        if (resetToken.length != 16) {
            throw new IllegalArgumentException("stateless reset tokens are 16 bytes: " + resetToken.length);
        }
        if (state.isClosed()) {
            return;
        }
        if (resetTokens == null) {
            resetTokens = new byte[MAX_RESET_TOKENS][];
        }
        if (resetTokenCount == resetTokens.length) {
            System.arraycopy(resetTokens, 1, resetTokens, 0, resetTokens.length - 1);
            resetTokenCount--;
        }
        resetTokens[resetTokenCount++] = resetToken.clone();
    }

    /**
     * Whether a stateless reset token is held, so a datagram could reset this connection (RFC 9000 §10.3.1): one the
     * server's transport parameters gave, one this core moved to with the peer's connection ID, or one
     * {@linkplain #addStatelessResetToken added}. False once closing or draining.
     */
    public boolean hasStatelessResetTokens() {
        return resetTokenCount > 0 && !state.isClosed();
    }

    /** Sets the ECN validation state of the current path (from the component that validates ECN). */
    public void setEcnState(EcnState ecnState) {
        this.ecnState = Objects.requireNonNull(ecnState, "ecnState");
    }

    /**
     * Sets the confirmed maximum UDP payload of the current path, as a path MTU discovery probe would (a smaller
     * value than the current one is taken too).
     *
     * @throws IllegalArgumentException if below 1200 or above 65527
     */
    public void setPathMaxUdpPayloadSize(int size) {
        if (size < Settings.MIN_UDP_PAYLOAD_SIZE || size > 65527) {
            throw new IllegalArgumentException("path max UDP payload must be in 1200..65527: " + size);
        }
        this.pathMaxUdpPayloadSize = size;
    }

    // ---------------------------------------------------------------------------------------------------------
    // accessors

    /** Client or server. */
    public Role role() {
        return role;
    }

    /** The QUIC version in use. */
    public QuicVersion version() {
        return version;
    }

    /** The current state. */
    public ConnectionState state() {
        return state;
    }

    /** Whether the connection is in the closing period (this endpoint sent CONNECTION_CLOSE). */
    public boolean isInClosingPeriod() {
        return state == ConnectionState.CLOSING;
    }

    /** Whether the connection is in the draining period (the peer closed, or reset statelessly). */
    public boolean isInDrainingPeriod() {
        return state == ConnectionState.DRAINING;
    }

    /** Whether the TLS handshake completed. */
    public boolean isHandshakeCompleted() {
        return handshakeCompleted;
    }

    /** Whether the handshake is confirmed (RFC 9001 §4.1.2). */
    public boolean isHandshakeConfirmed() {
        return handshakeConfirmed;
    }

    /** This endpoint's connection ID. */
    public ConnectionId sourceConnectionId() {
        return scid;
    }

    /**
     * The Destination Connection ID packets are sent with; {@code null} on a server that has not read the client's
     * first Initial and was given none ({@link ServerBuilder#destinationConnectionId}).
     */
    public ConnectionId destinationConnectionId() {
        return dcid;
    }

    /**
     * The DCID of the client's first Initial, from which the Initial keys were derived unless the client processed a
     * Retry ({@link #retrySourceConnectionId()}); null on a fresh server.
     */
    public ConnectionId originalDestinationConnectionId() {
        return originalDcid;
    }

    /**
     * On a client, the Source Connection ID of the Retry it processed (RFC 9000 §17.2.5.2), from which its Initial
     * keys were derived (RFC 9001 §5.2) and which the server's retry_source_connection_id must equal (RFC 9000 §7.3);
     * null when it processed none. On a server, the one given to {@link ServerBuilder#retrySourceConnectionId}, or
     * null.
     */
    public ConnectionId retrySourceConnectionId() {
        return retryScid;
    }

    /** The current path. */
    public NetworkPath path() {
        return path;
    }

    /**
     * Whether a transmit key exists for {@code level} (and was not discarded); always {@code false} for
     * {@link EncryptionLevel#ZERO_RTT}, whose keys this core never holds.
     */
    public boolean hasTxKey(EncryptionLevel level) {
        if (Objects.requireNonNull(level, "level") == EncryptionLevel.ZERO_RTT) {
            // the application space's key is the 1-RTT one: 0-RTT keys cannot be installed
            return false;
        }
        PacketNumberSpace s = space(level);
        return s != null && s.canSend();
    }

    /**
     * The next packet number that would be sent at {@code level} (0-RTT shares the application space with 1-RTT,
     * RFC 9000 §12.3, so its numbers are the 1-RTT ones; so are those of the next two accessors).
     */
    public long nextPacketNumber(EncryptionLevel level) {
        PacketNumberSpace s = space(Objects.requireNonNull(level, "level"));
        return s != null ? s.nextPacketNumber : closedNumbers.nextPacketNumber(level);
    }

    /** The largest packet number the peer acknowledged at {@code level}, or -1. */
    public long largestAcknowledged(EncryptionLevel level) {
        PacketNumberSpace s = space(Objects.requireNonNull(level, "level"));
        return s != null ? s.largestAcked : closedNumbers.largestAcked(level);
    }

    /** The largest packet number received at {@code level}, or -1. */
    public long largestReceived(EncryptionLevel level) {
        PacketNumberSpace s = space(Objects.requireNonNull(level, "level"));
        return s != null ? s.received.largest() : closedNumbers.largestReceived(level);
    }

    /**
     * The number of bytes of the peer's CRYPTO stream at {@code level} delivered so far; always 0 for
     * {@link EncryptionLevel#ZERO_RTT}, which has no CRYPTO stream (RFC 9000 §17.2.3).
     */
    public long cryptoBytesReceived(EncryptionLevel level) {
        if (Objects.requireNonNull(level, "level") == EncryptionLevel.ZERO_RTT) {
            return 0;
        }
        PacketNumberSpace s = space(level);
        return s != null ? s.crypto.delivered() : closedNumbers.cryptoDelivered(level);
    }

    /** Whether the current path is validated (no amplification limit). */
    public boolean isPathValidated() {
        return role == Role.CLIENT || pathValidated;
    }

    /** Bytes received on the current path, for the amplification limit. */
    public long pathBytesReceived() {
        return pathBytesReceived;
    }

    /** Bytes sent on the current path and counted against the amplification limit (close packets are not). */
    public long pathBytesSent() {
        return pathBytesSent;
    }

    /**
     * How many bytes a server may still send on the current path: {@code 3 * received - sent}, or
     * {@link Long#MAX_VALUE} once the path is validated (and always for a client).
     */
    public long amplificationBudget() {
        if (isPathValidated()) {
            return Long.MAX_VALUE;
        }
        return Math.max(0, AMPLIFICATION_FACTOR * pathBytesReceived - pathBytesSent);
    }

    /** The ECN validation state of the current path. */
    public EcnState ecnState() {
        return ecnState;
    }

    /** The peer's transport parameters, or {@code null} before the TLS layer set them. */
    public TransportParameters peerTransportParameters() {
        return peerParameters;
    }

    /**
     * On a client, the token it repeats in its Initials (from a Retry or given at creation); on a server, the one given
     * to {@link ServerBuilder#validatedToken}. {@code null} if none.
     */
    public byte[] token() {
        return token == null ? null : token.clone();
    }

    /** The token from the server's NEW_TOKEN frame, for a future connection, or {@code null}. */
    public byte[] newToken() {
        return newToken == null ? null : newToken.clone();
    }

    /** The close this endpoint sent, or {@code null}. */
    public CloseError localCloseError() {
        return localClose;
    }

    /**
     * The CONNECTION_CLOSE the peer sent (ngtcp2's {@code ngtcp2_conn_get_ccerr}): type, code, frame type and
     * reason (truncated to 1024 bytes). If one packet carried several, the last one. {@code null} if none arrived.
     */
    public CloseError peerCloseError() {
        return peerClose;
    }

    /** Whether the connection drains because of a stateless reset from the peer. */
    public boolean isStatelessReset() {
        return statelessReset;
    }

    /** Why the last dropped datagram or packet was dropped, or {@code null}. */
    public DropReason lastDropReason() {
        return lastDropReason;
    }

    /**
     * The probe timeout (RFC 9002 §6.2.1): on the application space with the peer's max_ack_delay once the
     * handshake completed, otherwise with max_ack_delay 0.
     */
    public Duration pto() {
        return Duration.ofNanos(ptoNanos());
    }

    long ptoNanos() {
        long maxAckDelay = 0;
        if (handshakeCompleted && peerParameters != null) {
            maxAckDelay = peerParameters.maxAckDelayMillis() * 1_000_000L;
        }
        return rtt != null ? rtt.pto(maxAckDelay) : closedNumbers.pto(maxAckDelay);
    }

    /** How long the closing or draining period lasts: three times the {@link #pto() PTO} (RFC 9000 §10.2). */
    public Duration closingPeriod() {
        return Duration.ofNanos(AMPLIFICATION_FACTOR * ptoNanos());
    }

    /**
     * The idle timeout in force (RFC 9000 §10.1): the smaller of this endpoint's max_idle_timeout (that of the
     * parameters given to {@link #setLocalTransportParameters}, else {@link Settings#maxIdleTimeout()}) and the
     * peer's, counting only those that are not zero, and at least three times the current {@link #pto() PTO}. The
     * peer's counts once the handshake completed ({@link #handshakeCompleted()}), as in ngtcp2: before, this
     * endpoint's alone is in force, even when it is zero (no timeout) and the peer's transport parameters are already
     * set (RFC 9001 §8.2: they are not authenticated until the handshake completes). Values beyond about 73 years are
     * capped there. {@link Duration#ZERO} when there is none: the connection never times out.
     */
    public Duration idleTimeout() {
        return Duration.ofNanos(idleTimeoutNanos());
    }

    /** {@link #idleTimeout()} in nanoseconds, 0 for none; allocates nothing, for timer loops. */
    public long idleTimeoutNanos() {
        // RFC 9000 §10.1: the minimum of the two advertised values; what this endpoint advertised is its own transport
        // parameters once the TLS layer set them, else the Settings. The peer's counts once the handshake completed,
        // as libngtcp2 0.12.1's idle expiry has it (measured: IdleTimeoutTest)
        long local = localParameters != null ? localParameters.maxIdleTimeoutMillis()
                : settings.maxIdleTimeout().toMillis();
        long peer = handshakeCompleted && peerParameters != null ? peerParameters.maxIdleTimeoutMillis() : 0;
        long millis;
        if (local == 0) {
            millis = peer;
        } else if (peer == 0) {
            millis = local;
        } else {
            millis = Math.min(local, peer);
        }
        if (millis == 0) {
            return 0;
        }
        return Math.max(Math.min(millis, MAX_IDLE_TIMEOUT_MILLIS) * 1_000_000L, AMPLIFICATION_FACTOR * ptoNanos());
    }

    /**
     * When the idle timer last restarted: the connection's creation, the last datagram that had a packet processed
     * (RFC 9000 §10.1), or the first ack-eliciting packet {@link #writePacket} sent after that. The connection is idle
     * once {@link #idleTimeout()} has passed since then; see {@link #isIdleTimeoutExpired}.
     */
    public long idleTimerStart() {
        return idleTimerStart;
    }

    /**
     * Whether the idle timeout expired at {@code now}: the connection is neither closing nor draining, it has an
     * {@linkplain #idleTimeout() idle timeout}, and at least that long has passed since {@link #idleTimerStart()}.
     * The connection should then be closed silently, with {@link CloseError#idleClose()}, and its state discarded
     * (RFC 9000 §10.1). Changes nothing.
     */
    public boolean isIdleTimeoutExpired(long now) {
        if (state.isClosed()) {
            return false;
        }
        long timeout = idleTimeoutNanos();
        return timeout != 0 && now - idleTimerStart >= timeout;
    }

    /** A packet of the datagram being received was processed: RFC 9000 §10.1 restarts the idle timer. */
    void restartIdleTimerOnReceive(long now) {
        idleTimerStart = now;
        restartIdleTimerOnSend = true;
    }

    /** An ack-eliciting packet was sent: the first since a packet was processed restarts the idle timer. */
    void restartIdleTimerOnSend(long now) {
        if (restartIdleTimerOnSend) {
            idleTimerStart = now;
            restartIdleTimerOnSend = false;
        }
    }

    /** The smoothed RTT, or the initial RTT before the first sample. */
    public Duration smoothedRtt() {
        return Duration.ofNanos(rtt != null ? rtt.smoothedRtt() : closedNumbers.smoothedRtt());
    }

    /** The latest timestamp this connection was given (creation time at first); later calls must not be earlier. */
    public long lastTimestamp() {
        return lastTimestamp;
    }

    /** When the closing or draining period began (the timestamp of that call), or 0. */
    public long closeTimestamp() {
        return closeTimestamp;
    }

    /** Packets written, close packets included. */
    public long packetsSent() {
        return statPacketsSent;
    }

    /** Bytes written in datagrams, close datagrams included. */
    public long bytesSent() {
        return statBytesSent;
    }

    /** Packets received and processed. */
    public long packetsReceived() {
        return statPacketsReceived;
    }

    /**
     * Bytes received in the datagrams handed to {@link #receive} from the connection's path (counted as the
     * amplification budget counts them, see there), and from any path once it is closing; not those handed to
     * {@link #receiveStatelessReset}.
     */
    public long bytesReceived() {
        return statBytesReceived;
    }

    @Override
    public String toString() {
        return "QuicConnection[" + role + " " + version + " " + state + ", scid=" + scid + ", dcid=" + dcid + "]";
    }

    // ---------------------------------------------------------------------------------------------------------
    // internals shared by the writers and the receiver

    /** The space of {@code level}; null once the connection closed (unless its send state is retained). */
    PacketNumberSpace space(EncryptionLevel level) {
        switch (level) {
            case INITIAL:
                return initial;
            case HANDSHAKE:
                return handshake;
            default:
                return application;
        }
    }

    /** Whether a space used packet number 2^62-1 and still exists (close-spec step 3). */
    boolean packetNumbersExhausted() {
        if (initial == null) {
            return closedNumbers.exhausted();
        }
        return initial.exhausted() || handshake.exhausted() || application.exhausted();
    }

    /**
     * The first space whose transmit keys reached the ordinary send path's margin below their confidentiality limit
     * (RFC 9001 §6.6), or null.
     */
    private PacketNumberSpace sendMarginReached() {
        return initial.reachedSendMargin() ? initial
                : handshake.reachedSendMargin() ? handshake
                : application.reachedSendMargin() ? application : null;
    }

    /**
     * Whether the transmit keys of a space that can still send sealed as many packets as their confidentiality limit
     * allows (RFC 9001 §6.6): the close must not seal one more. For an open connection (the spaces exist).
     */
    boolean confidentialityLimitReached() {
        return initial.reachedConfidentialityLimit() || handshake.reachedConfidentialityLimit()
                || application.reachedConfidentialityLimit();
    }

    /** Whether more received packets failed authentication than the integrity limit allows (RFC 9001 §6.6). */
    boolean integrityLimitExceeded() {
        return aeadFailures > integrityLimit;
    }

    /** The AEAD_LIMIT_REACHED connection error of the integrity limit. */
    QuicException integrityLimitError() {
        return QuicException.aeadLimitReached(aeadFailures + " received packets failed authentication, more than "
                + "the AEAD's integrity limit of " + integrityLimit + " (RFC 9001 §6.6)");
    }

    void updateTimestamp(long now) {
        if (now < lastTimestamp) {
            throw new IllegalArgumentException("timestamp went backwards: " + now + " < " + lastTimestamp);
        }
        lastTimestamp = now;
    }

    private void checkNotClosed() {
        if (state == ConnectionState.CLOSING) {
            throw new IllegalStateException("the connection is closing");
        }
        if (state == ConnectionState.DRAINING) {
            throw new IllegalStateException("the connection is draining");
        }
    }

    /**
     * Begins a packet of this connection at {@code level} with packet number {@code pn}: a short header for 1-RTT,
     * else a long header with the current DCID and this endpoint's SCID; a client's Initial repeats its token
     * (RFC 9000 §8.1.2, project decision 1).
     *
     * @return whether the header fits (else nothing was written)
     */
    boolean beginPacket(PacketWriter writer, PacketNumberSpace s, ByteBuffer dest, int start, int room, long pn) {
        int pnLength = PacketNumber.encodedLength(pn, s.largestAcked);
        boolean begun;
        if (s.level == EncryptionLevel.ONE_RTT) {
            // the current Key Phase: after the peer's key update, s.tx is the updated generation (RFC 9001 §6.2)
            begun = writer.beginShort(dest, start, room, dcid, s.keyPhase, pn, pnLength, s.tx);
        } else {
            byte[] t = s.level == EncryptionLevel.INITIAL && role == Role.CLIENT ? token : null;
            begun = writer.beginLong(dest, start, room, version, s.level.longPacketType(), dcid, scid, t, pn,
                    pnLength, s.tx);
        }
        if (begun && clearsQuicBit()) {
            writer.clearQuicBit();
        }
        return begun;
    }

    /**
     * Whether this connection's packets clear the QUIC bit: the peer's transport parameters advertised
     * grease_quic_bit (RFC 9287 §3; close-spec §4.2: never before they are known), they are in effect (a server's
     * once its 1-RTT transmit key is installed), and this connection's greasing bit, drawn at creation, says so.
     */
    boolean clearsQuicBit() {
        return greaseQuicBit && peerParametersInEffect() && peerParameters.greaseQuicBit();
    }

    /** Whether the peer's transport parameters are set and in effect (see {@code clientParametersApplied}). */
    private boolean peerParametersInEffect() {
        return peerParameters != null && (role == Role.CLIENT || clientParametersApplied);
    }

    /**
     * Whether packets with the QUIC bit cleared are read: this endpoint's own transport parameters
     * ({@link #setLocalTransportParameters}) advertised grease_quic_bit. RFC 9287 §3: "An endpoint that advertises
     * the grease_quic_bit transport parameter MUST accept packets with the QUIC Bit set to a value of 0."
     */
    boolean acceptsClearedQuicBit() {
        return localParameters != null && localParameters.greaseQuicBit();
    }

    /**
     * Whether {@code level} is a receive level the TLS handshake has moved past (RFC 9001 §4.1.3, "a previously
     * installed encryption level"): Initial once the Handshake receive key is installed (TLS reads Handshake
     * messages next), Handshake once the handshake completed. Not Handshake merely because the 1-RTT receive key
     * is installed: a server installs it before the client's Finished arrives at Handshake level.
     */
    boolean isPreviousReceiveLevel(EncryptionLevel level) {
        switch (level) {
            case INITIAL:
                return handshake != null && (handshake.rx != null || handshake.discarded) || handshakeCompleted;
            case HANDSHAKE:
                return handshakeCompleted;
            default:
                return false;
        }
    }

    /**
     * The shaped destination length of close-spec §3.1 steps 1-3 ("if the peer's transport parameters are known":
     * in effect, as for {@link #clearsQuicBit}).
     */
    int shapeUdpPayload(int destlen) {
        if (peerParametersInEffect() && peerParameters.maxUdpPayloadSize() > 0) {
            destlen = (int) Math.min(destlen, peerParameters.maxUdpPayloadSize());
        }
        destlen = Math.min(destlen, settings.maxTxUdpPayloadSize());
        if (settings.udpPayloadShaping() == Settings.UdpPayloadShaping.SHAPE_TO_PATH) {
            destlen = Math.min(destlen, pathMaxUdpPayloadSize);
        }
        return destlen;
    }

    /** The datagram size a client pads its Initials to. */
    int clientInitialPadding() {
        return settings.udpPayloadShaping() == Settings.UdpPayloadShaping.NO_SHAPING
                ? settings.maxTxUdpPayloadSize() : MIN_INITIAL_DATAGRAM_SIZE;
    }

    /** Derives and installs the Initial keys from {@code keyDcid} (RFC 9001 §5.2). */
    void deriveInitialKeys(ConnectionId keyDcid) throws CryptoException {
        byte[] d = keyDcid.toByteArray();
        PacketProtection[] both = InitialSecrets.bothProtections(settings.cryptoProvider(), version, d);
        PacketProtection client = both[0];
        PacketProtection server = both[1];
        initial.tx = role == Role.CLIENT ? client : server;
        initial.rx = role == Role.CLIENT ? server : client;
    }

    /**
     * Enters CLOSING or DRAINING at {@code now}. A closed connection never sends or decrypts again (in CLOSING it
     * only counts what arrives, for the closing period and the amplification limit), so everything else goes:
     * RFC 9000 §10.2 lets a closing endpoint discard all but the state that identifies its packets, and a server
     * shedding load may hold tens of thousands of closing connections. The keys go at once; the spaces, the RTT
     * estimator, the close writer, the reset tokens and the CRYPTO data listener go with {@link #dropClosedState},
     * here or, when the close happens while a datagram is processed, at the end of {@link #receive}.
     */
    void enterClosed(ConnectionState closed, long now) {
        state = closed;
        closeTimestamp = now;
        // a held packet's protocol error not yet reported is moot once closed: the next receive returns CLOSING or
        // DRAINING (and counts the bytes), as for any other datagram
        heldFailure = null;
        // a closed connection only screens datagrams (PacketReceiver.screen) and writes nothing
        receiver = null;
        handshakeWriter = null;
        if (retainSendStateForBenchmark || initial == null) {
            return;
        }
        if (receiving) {
            // the receiver is inside a packet and still uses the spaces: the keys go now, the rest when it returns
            initial.releaseForClosed();
            handshake.releaseForClosed();
            application.releaseForClosed();
        } else {
            dropClosedState();
        }
    }

    /**
     * Drops what a closed connection no longer uses, keeping in {@link #closedNumbers} what its accessors still
     * report. Allocates nothing. Kept with {@link #retainSendStateForBenchmark}.
     */
    private void dropClosedState() {
        heldPackets = null;
        if (retainSendStateForBenchmark || initial == null) {
            return;
        }
        closedNumbers.capture(initial, handshake, application, rtt);
        initial = null;
        handshake = null;
        application = null;
        rtt = null;
        closeWriter = null;
        resetTokens = null;
        resetTokenCount = 0;
        peerIds = null;
        cryptoListener = null;
    }

    /**
     * The connection IDs the peer issued, made on first use (its first NEW_CONNECTION_ID frame, which comes in a
     * 1-RTT packet, so the ID of the handshake is settled): sequence number 0 is the ID this endpoint sends to, with
     * a server's stateless_reset_token; 1 is a server's preferred_address ID (RFC 9000 §5.1.1).
     */
    PeerConnectionIds peerConnectionIds() {
        if (peerIds == null) {
            TransportParameters peer = role == Role.CLIENT ? peerParameters : null;
            byte[] handshakeToken = peer != null ? peer.statelessResetToken().orElse(null) : null;
            PreferredAddress preferred = peer != null ? peer.preferredAddress().orElse(null) : null;
            peerIds = new PeerConnectionIds(dcid, handshakeToken,
                    preferred != null ? ConnectionId.of(preferred.connectionId()) : null,
                    preferred != null ? preferred.statelessResetToken() : null);
        }
        return peerIds;
    }

    /**
     * A PATH_CHALLENGE was received (RFC 9000 §8.2.2: "an endpoint MUST respond by echoing the data contained in the
     * PATH_CHALLENGE frame in a PATH_RESPONSE frame"): its Data is queued for the next 1-RTT packet. Challenges come
     * only on this connection's path, since a live connection drops datagrams from any other, so the response goes
     * where the challenge came from, as §8.2.2 requires. At most {@link #MAX_PATH_RESPONSES} wait; a newer challenge
     * pushes out the oldest unanswered one, which a peer validating a path has since replaced.
     */
    void queuePathResponse(ByteBuffer payload, int dataIndex) {
        int size = FrameDecoder.PATH_DATA_LENGTH;
        if (pathResponses == null) {
            pathResponses = new byte[MAX_PATH_RESPONSES * size];
        }
        if (pathResponseCount == MAX_PATH_RESPONSES) {
            pathResponsesSent(1);
        }
        payload.get(dataIndex, pathResponses, pathResponseCount * size, size);
        pathResponseCount++;
    }

    /** The {@code count} oldest queued PATH_RESPONSE frames were sealed in a packet: each challenge gets one. */
    void pathResponsesSent(int count) {
        int size = FrameDecoder.PATH_DATA_LENGTH;
        System.arraycopy(pathResponses, count * size, pathResponses, 0, (pathResponseCount - count) * size);
        pathResponseCount -= count;
    }

    /** The connection IDs the peer issued, or null before its first NEW_CONNECTION_ID frame. */
    PeerConnectionIds peerConnectionIdsIfAny() {
        return peerIds;
    }

    /**
     * RFC 9000 §5.1.2: the peer retired the connection ID this endpoint sent to (an increased Retire Prior To), which
     * "MUST stop using" it: packets go to {@code id} from now on. §10.3.1: the tokens of retired IDs are no longer
     * compared ("MUST NOT check for any stateless reset tokens associated with ... connection IDs that have been
     * retired"), so the tokens this core added for the IDs it sent to are replaced with {@code token}; tokens the
     * application added stay.
     */
    void movePeerConnectionId(ConnectionId id, byte[] token) {
        if (managedResetToken != null) {
            removeStatelessResetToken(managedResetToken);
        } else if (role == Role.CLIENT && peerParameters != null) {
            peerParameters.statelessResetToken().ifPresent(this::removeStatelessResetToken);
        }
        dcid = id;
        managedResetToken = token;
        if (token != null) {
            addStatelessResetToken(token);
        }
    }

    private void removeStatelessResetToken(byte[] token) {
        for (int i = 0; i < resetTokenCount; i++) {
            if (Arrays.equals(resetTokens[i], token)) {
                System.arraycopy(resetTokens, i + 1, resetTokens, i, resetTokenCount - i - 1);
                resetTokens[--resetTokenCount] = null;
                return;
            }
        }
    }

    /** Package-private test seam: whether the closed connection dropped its send and receive state. */
    boolean droppedClosedState() {
        return initial == null;
    }

    /**
     * Package-private benchmark seam: keep the keys and the rest of the send state (spaces, close writer) when the
     * connection closes, so that {@link #reopenAfterCloseForBenchmark} can write the same close again.
     */
    void retainSendStateForBenchmark() {
        retainSendStateForBenchmark = true;
    }

    /** Package-private test seam, for an open connection: pretend {@code pn} was the last packet number sent. */
    void setLastSentPacketNumberForTesting(EncryptionLevel level, long pn) {
        PacketNumberSpace s = space(level);
        s.lastSentPacketNumber = pn;
        s.nextPacketNumber = pn == PacketNumberSpace.MAX_PACKET_NUMBER ? pn : pn + 1;
    }

    /**
     * Package-private test seam, for an open connection: pretend the current transmit keys of {@code level} sealed
     * {@code count} packets (RFC 9001 §6.6 counts them), so that tests reach a confidentiality limit without sealing
     * millions of packets.
     */
    void setSealedPacketsForTesting(EncryptionLevel level, long count) {
        space(level).txSealed = count;
    }

    /** Package-private test seam: the packets the current transmit keys of {@code level} sealed. */
    long sealedPacketsForTesting(EncryptionLevel level) {
        return space(level).txSealed;
    }

    /**
     * Package-private test seam: pretend {@code count} received packets failed authentication (RFC 9001 §6.6), so
     * that tests reach an integrity limit without forging billions of packets.
     */
    void setAeadFailuresForTesting(long count) {
        aeadFailures = count;
    }

    /** Package-private test seam, for an open connection: skip application packet number {@code pn}. */
    void schedulePacketNumberSkip(long pn) {
        application.skipPacketNumber = pn;
    }

    /**
     * Package-private benchmark seam: undo a successful close so the same connection can write its close again,
     * as if it were a fresh connection in {@code state}. Packet numbers keep advancing (a packet number is never
     * sealed twice), and every space's largest acknowledged number is moved up to the last one sent, so each
     * repeated close has the same size as the first.
     *
     * @throws IllegalStateException if the connection is not closing, or {@code state} is a closed state
     */
    void reopenAfterCloseForBenchmark(ConnectionState state) {
        if (this.state != ConnectionState.CLOSING || state.isClosed() || !retainSendStateForBenchmark) {
            throw new IllegalStateException("reopen " + this.state + " as " + state
                    + (retainSendStateForBenchmark ? "" : " without retainSendStateForBenchmark"));
        }
        this.state = state;
        localClose = null;
        closeTimestamp = 0;
        // each repeated close seals with the same keys: the benchmark must not run into their confidentiality limit
        // (RFC 9001 §6.6), which a real connection never gets near this way
        initial.txSealed = 0;
        handshake.txSealed = 0;
        application.txSealed = 0;
        initial.largestAcked = initial.nextPacketNumber - 1;
        handshake.largestAcked = handshake.nextPacketNumber - 1;
        application.largestAcked = application.nextPacketNumber - 1;
    }

    /** Package-private test seam: set the amplification counters of the current path. */
    void setPathBytesForTesting(long received, long sent) {
        pathBytesReceived = received;
        pathBytesSent = sent;
    }

    /** Package-private test seam, for an open connection: set the largest packet number acknowledged. */
    void setLargestAckedForTesting(EncryptionLevel level, long pn) {
        space(level).largestAcked = pn;
    }

    // ---------------------------------------------------------------------------------------------------------
    // builders

    /**
     * Builds a client connection; its Initial keys are derived at once from the original DCID, or from the SCID of the
     * Retry it has processed ({@link #retrySourceConnectionId}).
     */
    public static final class ClientBuilder {
        private QuicVersion version = QuicVersion.V1;
        private ConnectionId originalDcid;
        private ConnectionId retryScid;
        private ConnectionId serverScid;
        private ConnectionId dcid;
        private ConnectionId scid;
        private NetworkPath path;
        private byte[] token;
        private Settings settings = Settings.defaults();
        private CryptoDataListener listener;

        private ClientBuilder() {
        }

        /** The version to use (default {@link QuicVersion#V1}). */
        public ClientBuilder version(QuicVersion version) {
            this.version = Objects.requireNonNull(version, "version");
            return this;
        }

        /**
         * The Destination Connection ID of the first Initial, from which the Initial keys derive (required; at least 8
         * bytes as RFC 9000 §7.2 asks).
         *
         * @throws IllegalArgumentException if shorter than 8 bytes
         */
        public ClientBuilder originalDestinationConnectionId(ConnectionId odcid) {
            Objects.requireNonNull(odcid, "odcid");
            if (odcid.length() < MIN_INITIAL_DCID_LENGTH) {
                throw new IllegalArgumentException("the first DCID must be at least 8 bytes: " + odcid.length());
            }
            this.originalDcid = odcid;
            return this;
        }

        /**
         * For a client that has processed a Retry (RFC 9000 §17.2.5.2): the Retry's Source Connection ID. The Initial
         * keys then derive from it, not from the original DCID (RFC 9001 §5.2: "the Destination Connection ID ...
         * chosen by the server" in its Retry), packets go to it unless {@link #destinationConnectionId} says otherwise,
         * the server's retry_source_connection_id must equal it (RFC 9000 §7.3), and the connection discards every
         * further Retry (§17.2.5.2) and every Version Negotiation packet (§6.2). The Retry's token, which every later
         * Initial repeats (§17.2.5.2), goes in {@link #token}, and is required with this. It must differ from the
         * original DCID: a client discards a Retry whose SCID equals the DCID of its Initial (§17.2.5.1).
         */
        public ClientBuilder retrySourceConnectionId(ConnectionId retryScid) {
            this.retryScid = Objects.requireNonNull(retryScid, "retryScid");
            return this;
        }

        /**
         * For a client that has processed the server's first Initial: that packet's Source Connection ID (RFC 9000
         * §7.2). Packets go to it unless {@link #destinationConnectionId} says otherwise; every long-header packet
         * from another SCID is discarded ("Once a client has received a valid Initial packet from the server, it MUST
         * discard any subsequent packet it receives on that connection with a different Source Connection ID"); no
         * Retry (§17.2.5.2) or Version Negotiation packet (§6.2) is taken; and the server's
         * initial_source_connection_id must equal it (§7.3). It may equal the original DCID: nothing forbids a server
         * to choose that as its own.
         */
        public ClientBuilder serverSourceConnectionId(ConnectionId serverScid) {
            this.serverScid = Objects.requireNonNull(serverScid, "serverScid");
            return this;
        }

        /**
         * The Destination Connection ID to put in packets, when it already differs from the one the Initial keys
         * derive from. Default: the server's SCID ({@link #serverSourceConnectionId}), else the Retry's SCID
         * ({@link #retrySourceConnectionId}), else the original DCID. During the handshake a client's DCID moves only
         * to the SCID of the server's first Initial (RFC 9000 §7.2), so without {@link #serverSourceConnectionId} a
         * DCID other than the one the keys derive from is taken as that SCID, with everything
         * {@link #serverSourceConnectionId} implies. A server SCID equal to the DCID the keys derive from (a server may
         * choose the client's original DCID, or keep its Retry's SCID) cannot be told apart from it here: a client
         * that processed such a server's Initial must say so with {@link #serverSourceConnectionId}, or it would still
         * take a Retry or a Version Negotiation packet.
         */
        public ClientBuilder destinationConnectionId(ConnectionId dcid) {
            this.dcid = Objects.requireNonNull(dcid, "dcid");
            return this;
        }

        /** This client's connection ID (required). */
        public ClientBuilder sourceConnectionId(ConnectionId scid) {
            this.scid = Objects.requireNonNull(scid, "scid");
            return this;
        }

        /** The path (required). */
        public ClientBuilder path(NetworkPath path) {
            this.path = Objects.requireNonNull(path, "path");
            return this;
        }

        /** A Retry or NEW_TOKEN token to repeat in every Initial (RFC 9000 §8.1.3); copied. */
        public ClientBuilder token(byte[] token) {
            this.token = token == null || token.length == 0 ? null : token.clone();
            return this;
        }

        /** The settings (default {@link Settings#defaults()}). */
        public ClientBuilder settings(Settings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** Where the server's CRYPTO data goes. */
        public ClientBuilder cryptoDataListener(CryptoDataListener listener) {
            this.listener = listener;
            return this;
        }

        /**
         * The connection, in {@link ConnectionState#CLIENT_INITIAL} with its Initial keys.
         *
         * @param now the creation time in nanoseconds
         * @throws CryptoException if the Initial keys cannot be set up
         * @throws IllegalStateException if a required field is missing, or a Retry's SCID is given without its token
         *         or equal to the original DCID
         */
        public QuicConnection build(long now) throws CryptoException {
            if (originalDcid == null || scid == null || path == null) {
                throw new IllegalStateException(
                        "originalDestinationConnectionId, sourceConnectionId and path are required");
            }
            if (retryScid != null) {
                if (token == null) {
                    throw new IllegalStateException("a client that processed a Retry repeats its token: token is "
                            + "required with retrySourceConnectionId (RFC 9000 §17.2.5.2)");
                }
                if (retryScid.equals(originalDcid)) {
                    throw new IllegalStateException("a Retry whose SCID is the original DCID is discarded "
                            + "(RFC 9000 §17.2.5.1): " + retryScid);
                }
            }
            // RFC 9001 §5.2: the Initial keys come from the DCID of the client's first Initial, and after a Retry from
            // the DCID the server chose in it
            ConnectionId keyDcid = retryScid != null ? retryScid : originalDcid;
            // RFC 9000 §7.2: the DCID moves off keyDcid only to the SCID of the server's first Initial
            ConnectionId peer = serverScid != null ? serverScid
                    : dcid != null && !dcid.equals(keyDcid) ? dcid : null;
            ConnectionId sendTo = dcid != null ? dcid : peer != null ? peer : keyDcid;
            QuicConnection c = new QuicConnection(Role.CLIENT, version, settings, scid, sendTo, originalDcid, path,
                    token, listener);
            c.retryScid = retryScid;
            c.peerScid = peer;
            c.receivedFromServer = peer != null;
            c.continuesEarlierPackets = retryScid != null || peer != null;
            c.lastTimestamp = now;
            c.idleTimerStart = now;
            c.deriveInitialKeys(keyDcid);
            return c;
        }
    }

    /**
     * Builds a server connection in {@link ConnectionState#SERVER_INITIAL}: it has no keys until it reads the client's
     * first Initial, from whose DCID the Initial keys derive.
     */
    public static final class ServerBuilder {
        private QuicVersion version = QuicVersion.V1;
        private ConnectionId scid;
        private ConnectionId dcid;
        private ConnectionId originalDcid;
        private NetworkPath path;
        private byte[] validatedToken;
        private ConnectionId retryScid;
        private Settings settings = Settings.defaults();
        private CryptoDataListener listener;

        private ServerBuilder() {
        }

        /** The version the client chose (default {@link QuicVersion#V1}). */
        public ServerBuilder version(QuicVersion version) {
            this.version = Objects.requireNonNull(version, "version");
            return this;
        }

        /** This server's connection ID (required). */
        public ServerBuilder sourceConnectionId(ConnectionId scid) {
            this.scid = Objects.requireNonNull(scid, "scid");
            return this;
        }

        /** The client's SCID, if known in advance; otherwise learned from its first Initial. */
        public ServerBuilder destinationConnectionId(ConnectionId dcid) {
            this.dcid = Objects.requireNonNull(dcid, "dcid");
            return this;
        }

        /**
         * The DCID of the client's first Initial, if known in advance; otherwise learned from it. The Initial keys
         * derive from the DCID of the first client Initial this connection receives: this one, or after a Retry the
         * Retry's SCID (RFC 9001 §5.2, {@link #retrySourceConnectionId}).
         *
         * @throws IllegalArgumentException if shorter than 8 bytes: RFC 9000 §7.2 makes a client's first DCID at least
         *     that long, and an Initial with a shorter one is dropped, so the connection could never start
         */
        public ServerBuilder originalDestinationConnectionId(ConnectionId odcid) {
            Objects.requireNonNull(odcid, "odcid");
            if (odcid.length() < MIN_INITIAL_DCID_LENGTH) {
                throw new IllegalArgumentException("the client's first DCID is at least 8 bytes: " + odcid.length());
            }
            this.originalDcid = odcid;
            return this;
        }

        /**
         * For a server that sent the client a Retry (validated by its token, {@link #validatedToken}): the Retry's
         * Source Connection ID, to which the client sends its Initials (RFC 9000 §17.2.5.2) and from which their keys
         * derive (RFC 9001 §5.2), whereas {@link #originalDestinationConnectionId} stays the DCID of the client's
         * first Initial, before the Retry (original_destination_connection_id, RFC 9000 §7.3). Reported by
         * {@link QuicConnection#retrySourceConnectionId()} (for retry_source_connection_id).
         */
        public ServerBuilder retrySourceConnectionId(ConnectionId retryScid) {
            this.retryScid = Objects.requireNonNull(retryScid, "retryScid");
            return this;
        }

        /** The path (required). */
        public ServerBuilder path(NetworkPath path) {
            this.path = Objects.requireNonNull(path, "path");
            return this;
        }

        /**
         * A token from the client's Initial that the application validated (a Retry or NEW_TOKEN token it issued):
         * the path counts as validated and has no amplification limit (ngtcp2's {@code settings.token}); copied.
         *
         * @throws IllegalArgumentException if {@code null} or empty
         */
        public ServerBuilder validatedToken(byte[] token) {
            if (token == null || token.length == 0) {
                throw new IllegalArgumentException("a validated token is not empty");
            }
            this.validatedToken = token.clone();
            return this;
        }

        /** The settings (default {@link Settings#defaults()}). */
        public ServerBuilder settings(Settings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** Where the client's CRYPTO data goes. */
        public ServerBuilder cryptoDataListener(CryptoDataListener listener) {
            this.listener = listener;
            return this;
        }

        /**
         * The connection.
         *
         * @param now the creation time in nanoseconds
         * @throws IllegalStateException if a required field is missing, or a Retry's SCID is given without the
         *     original DCID and validated token, or equal to the original DCID
         */
        public QuicConnection build(long now) {
            if (scid == null || path == null) {
                throw new IllegalStateException("sourceConnectionId and path are required");
            }
            if (retryScid != null) {
                if (originalDcid == null || validatedToken == null) {
                    throw new IllegalStateException("a server that sent a Retry knows the client's original DCID "
                            + "and validated its token: originalDestinationConnectionId and validatedToken are "
                            + "required with retrySourceConnectionId (RFC 9000 §7.3, §8.1.2)");
                }
                if (retryScid.equals(originalDcid)) {
                    throw new IllegalStateException("a Retry whose SCID is the original DCID is discarded by the "
                            + "client (RFC 9000 §17.2.5.1): " + retryScid);
                }
            }
            QuicConnection c = new QuicConnection(Role.SERVER, version, settings, scid, dcid, originalDcid, path,
                    validatedToken, listener);
            c.lastTimestamp = now;
            c.idleTimerStart = now;
            c.pathValidated = validatedToken != null;
            c.retryScid = retryScid;
            return c;
        }
    }
}
