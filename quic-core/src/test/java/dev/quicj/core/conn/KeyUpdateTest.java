package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.SUITE;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.QuicException;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.crypto.CipherSuite;
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.crypto.HkdfLabel;
import dev.quicj.core.crypto.PacketProtection;
import dev.quicj.core.packet.HeaderStatus;
import dev.quicj.core.packet.PacketCrypto;
import dev.quicj.core.packet.PacketHeader;
import dev.quicj.core.packet.PacketParser;
import dev.quicj.core.packet.PacketWriter;
import dev.quicj.core.wire.PacketNumber;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A key update the peer initiates (RFC 9001 §6), with real crypto. The peer's packets and the reading of this
 * endpoint's are built here from {@link HkdfLabel#nextSecret} and the provider's plain
 * {@code newPacketProtection}, with the first generation's header protection (§6.1), not with the connection's key
 * update code.
 */
class KeyUpdateTest {
    private static final Settings REAL = Settings.defaults();
    private static final byte[] PING = {0x01};
    private static final byte[] CLOSE = Hex.decode("1c 00 00 00");

    /**
     * RFC 9001 §6.2: the peer updates its keys after the client acknowledged its packet of the first phase, and
     * closes; the client reads the close with the next generation's keys and drains (RFC 9000 §10.2.2).
     */
    @Test
    void aPeerCloseAfterAKeyUpdateIsReadAndDrains() throws Exception {
        QuicConnection c = acknowledgedClient();
        assertEquals(ReceiveStatus.DRAINING, receive(c, peerPacket(1, 1, 1, CLOSE), T0 + 2),
                () -> "drop reason " + c.lastDropReason());
        assertTrue(c.isInDrainingPeriod());
        assertEquals(TransportErrorCode.NO_ERROR, c.peerCloseError().errorCode());
    }

    /**
     * RFC 9001 §6.2: "The endpoint MUST update its send keys to the corresponding key phase in response": after the
     * peer's update, the client's close carries Key Phase 1 and is sealed with the client's next-generation keys, and
     * the first generation no longer opens it.
     */
    @Test
    void theOwnCloseAfterAPeerKeyUpdateUsesTheNextGenerationAndKeyPhase() throws Exception {
        QuicConnection c = acknowledgedClient();
        assertEquals(ReceiveStatus.PROCESSED, receive(c, peerPacket(1, 1, 1, PING), T0 + 2),
                () -> "drop reason " + c.lastDropReason());
        byte[] close = ownClose(c, T0 + 3);
        byte[] payload = new byte[1];
        PacketHeader h = open(close, clientKeys(1), c, payload);
        assertNotNull(h, "the close does not open with the client's next-generation keys");
        assertEquals(1, h.keyPhase());
        assertEquals(0x1c, payload[0] & 0xff, "a transport CONNECTION_CLOSE");
        assertNull(open(close, clientKeys(0), c), "the close still opens with the first generation's keys");
    }

    /** Without an update, the close is as before: Key Phase 0, first-generation keys. */
    @Test
    void withoutAnUpdateTheCloseUsesTheFirstGeneration() throws Exception {
        QuicConnection c = acknowledgedClient();
        byte[] close = ownClose(c, T0 + 3);
        PacketHeader h = open(close, clientKeys(0), c);
        assertNotNull(h);
        assertEquals(0, h.keyPhase());
        assertNull(open(close, clientKeys(1), c));
    }

    /**
     * RFC 9001 §6.5: a packet of the old phase that arrives after the update, with a packet number below the first
     * of the new phase, is opened with the previous keys; one of the old phase above every packet received would be
     * of the generation after next, and does not authenticate with those.
     */
    @Test
    void aReorderedPacketOfTheOldPhaseIsStillProcessed() throws Exception {
        QuicConnection c = acknowledgedClient();
        assertEquals(ReceiveStatus.PROCESSED, receive(c, peerPacket(5, 1, 1, PING), T0 + 2));
        assertEquals(ReceiveStatus.PROCESSED, receive(c, peerPacket(3, 0, 0, PING), T0 + 3),
                () -> "drop reason " + c.lastDropReason());
        assertEquals(5, c.largestReceived(EncryptionLevel.ONE_RTT));
        // an old-phase packet newer than the update is no packet of the peer's
        assertEquals(ReceiveStatus.DROPPED, receive(c, peerPacket(6, 0, 0, PING), T0 + 4));
        assertEquals(DropReason.DECRYPTION_FAILED, c.lastDropReason());
        assertEquals(5, c.largestReceived(EncryptionLevel.ONE_RTT));
        // still the first update's generation and phase, and the reordered old-phase close still drains
        PacketHeader h = open(ownPacket(c), clientKeys(1), c);
        assertNotNull(h);
        assertEquals(1, h.keyPhase());
        assertEquals(ReceiveStatus.DRAINING, receive(c, peerPacket(4, 0, 0, CLOSE), T0 + 5));
    }

    /**
     * RFC 9001 §6.5: "A recovered packet number that is lower than any packet number from the current key phase uses
     * the previous packet protection keys"; §6.4: packets with higher numbers "MUST be protected with either the same
     * or newer packet protection keys than packets with lower packet numbers". The update comes with packet 5, then
     * packet 2 arrives in the new phase: packet 3 in the old phase is newer than a new-key packet, so it is not opened
     * with the old keys (it fails with the current ones and is dropped), where comparing with the phase's first
     * packet (5) processed it.
     */
    @Test
    void theOldKeysServeOnlyPacketsBelowTheLowestOfTheNewPhase() throws Exception {
        QuicConnection c = acknowledgedClient();
        assertEquals(ReceiveStatus.PROCESSED, receive(c, peerPacket(5, 1, 1, PING), T0 + 2));
        assertEquals(ReceiveStatus.PROCESSED, receive(c, peerPacket(2, 1, 1, PING), T0 + 3),
                () -> "drop reason " + c.lastDropReason());
        assertEquals(ReceiveStatus.DROPPED, receive(c, peerPacket(3, 0, 0, CLOSE), T0 + 4));
        assertEquals(DropReason.DECRYPTION_FAILED, c.lastDropReason());
        assertFalse(c.isInDrainingPeriod());
        // below the lowest new-phase packet the previous keys still serve
        assertEquals(ReceiveStatus.DRAINING, receive(c, peerPacket(1, 0, 0, CLOSE), T0 + 5));
    }

    /**
     * RFC 9001 §5.5: "a packet that appears to trigger a key update but cannot be unprotected successfully MUST be
     * discarded": the flipped Key Phase with the first generation's keys, or with a generation two ahead, changes
     * neither the phase, nor the keys, nor the largest packet number; the real update still works afterwards.
     */
    @Test
    void aFlippedKeyPhaseThatDoesNotAuthenticateChangesNothing() throws Exception {
        QuicConnection c = acknowledgedClient();
        long packetsBefore = c.statPacketsReceived;
        assertEquals(ReceiveStatus.DROPPED, receive(c, peerPacket(1, 1, 0, PING), T0 + 2));
        assertEquals(DropReason.DECRYPTION_FAILED, c.lastDropReason());
        assertEquals(ReceiveStatus.DROPPED, receive(c, peerPacket(2, 1, 2, PING), T0 + 2));
        assertEquals(DropReason.DECRYPTION_FAILED, c.lastDropReason());
        assertEquals(0, c.largestReceived(EncryptionLevel.ONE_RTT));
        assertEquals(packetsBefore, c.statPacketsReceived);
        // the current generation still opens packets of the current phase, and the client's answer is of that
        // generation and phase
        assertEquals(ReceiveStatus.PROCESSED, receive(c, peerPacket(3, 0, 0, PING), T0 + 3));
        PacketHeader h = open(ownPacket(c), clientKeys(0), c);
        assertNotNull(h, "the keys changed");
        assertEquals(0, h.keyPhase());
        // and the peer's real update still goes through
        assertEquals(ReceiveStatus.DRAINING, receive(c, peerPacket(4, 1, 1, CLOSE), T0 + 4),
                () -> "drop reason " + c.lastDropReason());
    }

    /**
     * A second update (§6: the Key Phase is "toggled to signal each subsequent key update"): back to phase 0, with the
     * generation after next, in both directions.
     */
    @Test
    void aSecondUpdateGoesBackToPhaseZeroWithTheGenerationAfterNext() throws Exception {
        QuicConnection c = acknowledgedClient();
        assertEquals(ReceiveStatus.PROCESSED, receive(c, peerPacket(1, 1, 1, PING), T0 + 2));
        // the client acknowledges with the updated keys, completing the update (§6.2)
        ByteBuffer ack = ByteBuffer.allocate(1500);
        int n = c.writePacket(null, null, ack, T0 + 3);
        assertTrue(n > 0);
        PacketHeader ackHeader = open(Arrays.copyOf(ack.array(), n), clientKeys(1), c);
        assertNotNull(ackHeader);
        assertEquals(1, ackHeader.keyPhase());
        assertEquals(ReceiveStatus.PROCESSED, receive(c, peerPacket(2, 0, 2, PING), T0 + 4),
                () -> "drop reason " + c.lastDropReason());
        assertEquals(2, c.largestReceived(EncryptionLevel.ONE_RTT));
        byte[] close = ownClose(c, T0 + 5);
        PacketHeader h = open(close, clientKeys(2), c);
        assertNotNull(h, "the close does not open with the client's generation after next");
        assertEquals(0, h.keyPhase());
        assertNull(open(close, clientKeys(0), c));
        assertNull(open(close, clientKeys(1), c));
    }

    /** A server follows its client's update the same way. */
    @Test
    void aServerFollowsTheClientsUpdate() throws Exception {
        QuicConnection s = ConnectionFixtures.serverConfirmed(REAL);
        PacketProtection p = generation(CLIENT_1RTT_SECRET, 1);
        byte[] dg = packet(p, ConnectionFixtures.SERVER_SCID, 0, 1, PING);
        assertEquals(ReceiveStatus.PROCESSED,
                s.receive(ByteBuffer.wrap(dg), ConnectionFixtures.SERVER_PATH, T0 + 1),
                () -> "drop reason " + s.lastDropReason());
        ByteBuffer b = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN, s.writeConnectionClose(null, null, b, CloseError.noError(), T0 + 2));
        byte[] close = Arrays.copyOf(b.array(), b.position());
        PacketHeader h = open(close, generation(SERVER_1RTT_SECRET, 1), s);
        assertNotNull(h);
        assertEquals(1, h.keyPhase());
    }

    /**
     * The next generation's keys cannot be made (a CryptoException, or an unchecked exception, from the provider):
     * the packet is dropped as NO_KEYS and the connection goes on with the current generation; once the provider
     * works, the update goes through.
     */
    @Test
    void aFailedKeyDerivationDropsThePacketAndChangesNothing() throws Exception {
        boolean[] unchecked = {false};
        boolean[] failing = {true};
        CryptoProvider jca = CryptoProvider.jca();
        CryptoProvider provider = new CryptoProvider() {
            @Override
            public PacketProtection newPacketProtection(QuicVersion version, CipherSuite suite, byte[] secret)
                    throws CryptoException {
                return jca.newPacketProtection(version, suite, secret);
            }

            @Override
            public PacketProtection newUpdatedPacketProtection(PacketProtection current, QuicVersion version,
                    CipherSuite suite, byte[] nextSecret) throws CryptoException {
                if (failing[0]) {
                    if (unchecked[0]) {
                        throw new IllegalStateException("broken provider");
                    }
                    throw new CryptoException("no cipher", null);
                }
                return jca.newUpdatedPacketProtection(current, version, suite, nextSecret);
            }
        };
        QuicConnection c = ConnectionFixtures.clientConfirmed(REAL.toBuilder().cryptoProvider(provider).build());
        assertEquals(ReceiveStatus.DROPPED, receive(c, peerPacket(1, 1, 1, PING), T0 + 2));
        assertEquals(DropReason.NO_KEYS, c.lastDropReason());
        unchecked[0] = true;
        assertEquals(ReceiveStatus.DROPPED, receive(c, peerPacket(2, 1, 1, PING), T0 + 2));
        assertEquals(DropReason.NO_KEYS, c.lastDropReason());
        assertEquals(0, c.largestReceived(EncryptionLevel.ONE_RTT));
        assertEquals(ReceiveStatus.PROCESSED, receive(c, peerPacket(3, 0, 0, PING), T0 + 3));
        PacketHeader h = open(ownPacket(c), clientKeys(0), c);
        assertNotNull(h);
        assertEquals(0, h.keyPhase());
        failing[0] = false;
        assertEquals(ReceiveStatus.DRAINING, receive(c, peerPacket(4, 1, 1, CLOSE), T0 + 4),
                () -> "drop reason " + c.lastDropReason());
    }

    // ------------------------------------------------------------------------------------------------------

    /** A confirmed client that acknowledged the server's HANDSHAKE_DONE packet (packet 0, phase 0). */
    private static QuicConnection acknowledgedClient() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(REAL);
        assertTrue(c.writePacket(null, null, ByteBuffer.allocate(1500), T0 + 1) > 0);
        return c;
    }

    private static ReceiveStatus receive(QuicConnection c, byte[] dg, long now) throws Exception {
        return c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, now);
    }

    /** A server 1-RTT packet with the given Key Phase bit, sealed with generation {@code gen} of its keys. */
    static byte[] peerPacket(long pn, int keyPhase, int gen, byte[] frames) throws CryptoException {
        return packet(generation(SERVER_1RTT_SECRET, gen), CLIENT_SCID, pn, keyPhase, frames);
    }

    private static byte[] packet(PacketProtection p, ConnectionId dcid, long pn, int keyPhase,
            byte[] frames) throws CryptoException {
        ByteBuffer b = ByteBuffer.allocate(1500);
        PacketWriter w = new PacketWriter();
        assertTrue(w.beginShort(b, 0, 1500, dcid, keyPhase, pn, PacketNumber.encodedLength(pn, -1), p));
        assertTrue(w.writeFrameBytes(frames, 0, frames.length));
        return Arrays.copyOf(b.array(), w.finish(0));
    }

    private static PacketProtection clientKeys(int gen) throws CryptoException {
        return generation(CLIENT_1RTT_SECRET, gen);
    }

    /**
     * Generation {@code gen} of the protection of {@code secret}: the AEAD of the secret after {@code gen}
     * {@link HkdfLabel#nextSecret} steps, the header protection of the secret itself (RFC 9001 §6.1).
     */
    static PacketProtection generation(byte[] secret, int gen) throws CryptoException {
        PacketProtection first = ConnectionFixtures.peerProtection(REAL, secret);
        byte[] s = secret;
        for (int i = 0; i < gen; i++) {
            s = HkdfLabel.nextSecret(QuicVersion.V1, SUITE, s);
        }
        PacketProtection aead = ConnectionFixtures.peerProtection(REAL, s);
        return new ForwardingPacketProtection(aead) {
            @Override
            public void headerProtectionMask(ByteBuffer packet, int sampleOffset, byte[] mask)
                    throws CryptoException {
                first.headerProtectionMask(packet, sampleOffset, mask);
            }
        };
    }

    /** The connection's close (a lone 1-RTT packet: the handshake is confirmed). */
    private static byte[] ownClose(QuicConnection c, long now) {
        ByteBuffer b = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN, c.writeConnectionClose(null, null, b, CloseError.noError(), now));
        return Arrays.copyOf(b.array(), b.position());
    }

    /** The packet the connection sends next: an ACK, the connection stays open. */
    private static byte[] ownPacket(QuicConnection c) throws CryptoException, QuicException {
        ByteBuffer b = ByteBuffer.allocate(1500);
        int n = c.writePacket(null, null, b, c.lastTimestamp());
        assertTrue(n > 0, "nothing to send");
        return Arrays.copyOf(b.array(), n);
    }

    /**
     * The packet's header after removing its protection with {@code p} from a copy, or null if it does not
     * authenticate; the plaintext payload goes to {@code payload} when given.
     */
    private static PacketHeader open(byte[] packet, PacketProtection p, QuicConnection c, byte[] payload) {
        ByteBuffer b = ByteBuffer.wrap(packet.clone());
        PacketHeader h = new PacketHeader();
        assertEquals(HeaderStatus.OK, PacketParser.parse(b, 0, c.destinationConnectionId().length(), h));
        assertFalse(h.isLongHeader());
        try {
            PacketCrypto.unprotect(b, h, p, -1, new byte[PacketProtection.MASK_LENGTH]);
        } catch (CryptoException e) {
            return null;
        }
        if (payload != null) {
            b.get(h.payloadOffset(), payload, 0, Math.min(payload.length, h.payloadLength()));
        }
        return h;
    }

    private static PacketHeader open(byte[] packet, PacketProtection p, QuicConnection c) {
        return open(packet, p, c, null);
    }
}
