package dev.quicj.netty;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.CloseOutcome;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.core.conn.StatelessClose;
import dev.quicj.core.conn.VersionNegotiation;
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.crypto.InitialProtections;
import dev.quicj.core.crypto.PacketProtection;
import dev.quicj.core.packet.HeaderStatus;
import dev.quicj.core.packet.PacketCrypto;
import dev.quicj.core.packet.PacketForm;
import dev.quicj.core.packet.PacketHeader;
import dev.quicj.core.packet.PacketParser;
import dev.quicj.core.packet.PacketWriter;
import java.nio.ByteBuffer;

/**
 * The handler's answers to client Initials that create no connection: a stateless refusal
 * ({@link AcceptPolicy#rejectStateless}, and the refusals of a full handler) and Version Negotiation. Nothing is kept
 * between two answers but scratch; the datagrams are written into the handler's close scratch and sent through
 * {@link QuicCloseHandler#sendStateless}. Confined to the event loop.
 */
final class StatelessResponder {
    // the handler: its close scratch, its writes and its events
    private final QuicCloseHandler handler;
    // the crypto provider of the Initial keys, and the length of the refusals' SCIDs
    private final QuicCloseHandlerConfig config;
    // the header of the Initial being answered, as InitialCheck parsed it: the ConnectionAcceptor's
    private final PacketHeader header;
    // scratch of the stateless refusal: the Initial keys, re-keyed for each client DCID (no allocation with the JCA
    // provider once warm), the header-protection mask, random SCID bytes, and the packet writer
    private InitialProtections initialKeys;
    private final byte[] hpMask = new byte[PacketProtection.MASK_LENGTH];
    private final byte[] rejectScid = new byte[ConnectionId.MAX_LENGTH];
    private final PacketWriter rejectWriter = new PacketWriter();

    StatelessResponder(QuicCloseHandler handler, QuicCloseHandlerConfig config, PacketHeader header) {
        this.handler = handler;
        this.config = config;
        this.header = header;
    }

    /**
     * Refuses an acceptable client Initial without creating a connection ({@link AcceptPolicy#rejectStateless}): the
     * Initial is authenticated with the client Initial keys of its DCID (unless {@code authenticate} is false), then
     * answered with {@link StatelessClose} (server Initial keys from the same HKDF-Extract, packet number 0). A
     * retransmitted Initial is refused again; nothing is kept. Returns false, passing the datagram on, if the Initial
     * does not authenticate.
     */
    boolean reject(ByteBuffer dg, NetworkPath from, CloseError error, boolean authenticate) {
        return reject(dg, from, error, authenticate, null);
    }

    /**
     * {@link #reject(ByteBuffer, NetworkPath, CloseError, boolean)} with {@code givenScid}, if not null, as
     * the refusal's SCID.
     */
    boolean reject(ByteBuffer dg, NetworkPath from, CloseError error, boolean authenticate,
            ConnectionId givenScid) {
        QuicVersion version = header.version();
        ConnectionId odcid = header.dcid(dg);
        ConnectionId clientScid = header.scid(dg);
        if (initialKeys == null) {
            initialKeys = new InitialProtections(config.settings().cryptoProvider());
        }
        int dcidOffset = dg.arrayOffset() + header.dcidOffset();
        PacketProtection server;
        try {
            if (authenticate) {
                initialKeys.deriveBoth(version, dg.array(), dcidOffset, header.dcidLength());
                if (!anInitialAuthenticates(dg, odcid)) {
                    return false;
                }
                // the client is the sender of the Initial that authenticated (header is on it): an earlier coalesced
                // one that did not may carry a damaged SCID
                clientScid = header.scid(dg);
            } else {
                initialKeys.deriveServer(version, dg.array(), dcidOffset, header.dcidLength());
            }
            server = initialKeys.server();
        } catch (CryptoException e) {
            return false;
        }
        ConnectionId scid;
        if (givenScid != null) {
            scid = givenScid;
        } else {
            java.util.concurrent.ThreadLocalRandom.current().nextBytes(rejectScid);
            scid = ConnectionId.of(rejectScid, 0, config.localConnectionIdLength());
        }
        ByteBuffer dest = handler.statelessScratch();
        CloseOutcome outcome = StatelessClose.write(dest, version, clientScid, scid, 0, error, server, rejectWriter);
        if (outcome == CloseOutcome.NOBUF_BUFFER_TOO_SMALL && error.reasonLength() > 0) {
            // the reason phrase does not fit: the client still learns the code, as in writeClose
            error = QuicCloseHandler.withoutReason(error);
            outcome = StatelessClose.write(handler.statelessScratch(), version, clientScid, scid, 0, error, server,
                    rejectWriter);
        }
        if (outcome != CloseOutcome.WRITTEN) {
            handler.fireUserEvent(new QuicConnectionEndedEvent(scid, from.remote(), QuicCloseInitiator.LOCAL,
                    error, QuicCloseHandler.resultOf(outcome), version, odcid, clientScid));
            return true;
        }
        handler.sendStateless(dest, from, scid);
        handler.fireUserEvent(new QuicConnectionEndedEvent(scid, from.remote(), QuicCloseInitiator.LOCAL, error,
                QuicCloseResult.SENT, version, odcid, clientScid));
        return true;
    }

    /**
     * Answers a datagram of a version this library does not speak, at least 1200 bytes long, with Version Negotiation
     * (RFC 9000 §6.1), to its sender with ECN not-ECT, and consumes it. Nothing is kept and no event is fired: the
     * client, if it speaks one of the versions listed, starts a new connection attempt with a new Initial. A write that
     * fails is not reported (there is no connection to name, and the packet is one a server may always leave unsent).
     */
    boolean negotiateVersion(ByteBuffer dg, NetworkPath from) {
        ByteBuffer dest = handler.statelessScratch();
        VersionNegotiation.write(dest, dg, java.util.concurrent.ThreadLocalRandom.current().nextInt());
        handler.sendStateless(dest, from, null);
        return true;
    }

    /**
     * Whether one of the datagram's Initial packets authenticates with the client Initial keys just derived from the
     * first one's DCID, {@code odcid}. RFC 9000 §12.2: coalesced packets are processed one by one, and one that does
     * not decrypt does not stop the others; so, as a connection would, the Initials that follow with the same version
     * and DCID are tried too. Decrypts in place ({@code dg} is the handler's own copy of the datagram) and leaves
     * {@link #header} on the last packet tried.
     */
    private boolean anInitialAuthenticates(ByteBuffer dg, ConnectionId odcid) {
        int version = header.versionField();
        while (true) {
            try {
                PacketCrypto.unprotect(dg, header, initialKeys.client(), -1, hpMask);
                return true;
            } catch (CryptoException e) {
                // try the next packet
            }
            int next = header.packetEnd();
            if (next >= dg.limit() || PacketParser.parse(dg, next, 0, header) != HeaderStatus.OK
                    || !header.isLongHeader() || header.form() != PacketForm.INITIAL
                    || header.versionField() != version
                    || !odcid.matches(dg, header.dcidOffset(), header.dcidLength())) {
                return false;
            }
        }
    }
}
