package dev.quicj.core.conn;

import dev.quicj.core.QuicVersion;
import dev.quicj.core.crypto.CipherSuite;
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.crypto.HkdfLabel;
import dev.quicj.core.crypto.PacketProtection;
import java.util.Arrays;

/**
 * The 1-RTT key generations of the application space: what a key update the peer initiates needs
 * (<a href="https://www.rfc-editor.org/rfc/rfc9001#section-6">RFC 9001 §6</a>). The current generation's protections
 * are the space's {@code rx} and {@code tx}; this keeps the traffic secrets to derive the next generation from, the
 * next generation once derived, and the previous receive generation for reordered packets (§6.5).
 *
 * <p>This endpoint never initiates a key update (§6: an endpoint MAY); it follows the peer's (§6.2: "The endpoint
 * MUST update its send keys to the corresponding key phase in response"). Both directions therefore always have the
 * same Key Phase, {@link PacketNumberSpace#keyPhase}. The next generation is derived ahead, once both 1-RTT keys are
 * installed and again after each update ({@link #prepareNext}, RFC 9001 §9.5), so that no packet's processing
 * includes a key derivation; if that failed, the first packet that needs it derives it, before it is opened. It is
 * kept, and its secrets replace (and wipe) the current ones, which nothing needs any more. One previous receive
 * generation is kept until the next update replaces it.
 *
 * <p>The header protection key is never updated (§6.1): each later generation keeps the first one's, through
 * {@link CryptoProvider#newUpdatedPacketProtection}.
 */
final class KeyGenerations {
    // the secrets of the newest generation known: the current one until the next is derived, then the next one;
    // copies, wiped when replaced or released; null until the TLS layer installs that direction's 1-RTT key
    private byte[] rxSecret;
    private byte[] txSecret;
    private CipherSuite rxSuite;
    private CipherSuite txSuite;
    // the next generation, derived ahead (prepareNext); null until both 1-RTT keys are installed, or if that failed
    private PacketProtection nextRx;
    private PacketProtection nextTx;
    // the previous receive generation, null before the first update
    private PacketProtection previousRx;
    // the packet number of the first packet received with the current generation, 0 for the first generation: a
    // packet of the other Key Phase below it is an old one (the previous generation), above the largest received a
    // new one (the next generation), RFC 9001 §6.5
    private long firstPacketNumber;

    /** Keeps a copy of the 1-RTT receive secret the TLS layer installed. */
    void installedRx(CipherSuite suite, byte[] secret) {
        rxSuite = suite;
        rxSecret = secret.clone();
    }

    /** Keeps a copy of the 1-RTT transmit secret the TLS layer installed. */
    void installedTx(CipherSuite suite, byte[] secret) {
        txSuite = suite;
        txSecret = secret.clone();
    }

    /**
     * The receive protection of a 1-RTT packet of {@code space} whose Key Phase bit differs from the current one
     * (RFC 9001 §6.5), with packet number {@code pn}: the previous generation if the packet is older than the first
     * of the current generation, the next one (derived now if not yet) if it is newer than every packet received, or
     * null if neither (the packet cannot be the peer's, or its generation is gone): it is then dropped.
     *
     * @throws CryptoException if the next generation cannot be derived; nothing changed then
     */
    PacketProtection otherPhaseRx(PacketNumberSpace space, CryptoProvider provider, QuicVersion version, long pn)
            throws CryptoException {
        if (pn < firstPacketNumber) {
            return previousRx;
        }
        if (pn <= space.received.largest()) {
            return null;
        }
        if (nextRx == null) {
            deriveNext(space, provider, version);
        }
        return nextRx;
    }

    /**
     * A packet of the current Key Phase authenticated with the current generation: RFC 9001 §6.5 compares with
     * "any packet number from the current key phase", so the previous generation is for packet numbers below the
     * lowest of them, not below the first one received (§6.4, §5.5).
     */
    void openedCurrent(long pn) {
        if (pn < firstPacketNumber) {
            firstPacketNumber = pn;
        }
    }

    /**
     * A packet opened with the protection {@link #otherPhaseRx} returned authenticated: if it was the next
     * generation's, the peer updated its keys, and the next generation becomes the current one in both directions
     * (RFC 9001 §6.2); the current receive generation becomes the previous one.
     */
    void opened(PacketNumberSpace space, PacketProtection protection, long pn, CryptoProvider provider,
            QuicVersion version) {
        if (protection != nextRx) {
            return;
        }
        previousRx = space.rx;
        space.rx = nextRx;
        // new transmit keys: RFC 9001 §6.6 counts the packets of each key set, so the count starts again
        space.installTx(nextTx, space.txLimit);
        space.keyPhase ^= 1;
        nextRx = null;
        nextTx = null;
        firstPacketNumber = pn;
        prepareNext(space, provider, version);
    }

    /**
     * Derives the next generation now, if both directions' current keys are installed and it is not derived yet:
     * called when the TLS layer installs a 1-RTT key and after each update, so that a packet that needs the next
     * generation, an injected one included, finds it ready and takes no longer than any other (RFC 9001 §9.5: "After
     * receiving a key update, an endpoint SHOULD generate and save the next set of receive packet protection keys
     * [...] This depends on not doing this key generation during packet processing"). If the derivation fails here,
     * {@link #otherPhaseRx} tries again, and reports the failure, when a packet needs it.
     */
    void prepareNext(PacketNumberSpace space, CryptoProvider provider, QuicVersion version) {
        if (nextRx != null || !hasBothKeys(space)) {
            return;
        }
        try {
            deriveNext(space, provider, version);
        } catch (CryptoException e) {
            // left to otherPhaseRx, which drops the packet that needs it as NO_KEYS
        }
    }

    // both 1-RTT keys are installed, with their secrets kept
    private boolean hasBothKeys(PacketNumberSpace space) {
        return rxSecret != null && txSecret != null && space.rx != null && space.tx != null;
    }

    // both directions, or neither: the transmit key must follow the receive key (§6.2)
    private void deriveNext(PacketNumberSpace space, CryptoProvider provider, QuicVersion version)
            throws CryptoException {
        if (!hasBothKeys(space)) {
            throw new CryptoException("a key update needs both 1-RTT keys", null);
        }
        byte[] rx = null;
        byte[] tx = null;
        boolean done = false;
        try {
            rx = HkdfLabel.nextSecret(version, rxSuite, rxSecret);
            tx = HkdfLabel.nextSecret(version, txSuite, txSecret);
            PacketProtection r = updated(provider, space.rx, version, rxSuite, rx);
            PacketProtection t = updated(provider, space.tx, version, txSuite, tx);
            nextRx = r;
            nextTx = t;
            done = true;
        } catch (RuntimeException e) {
            throw CryptoException.contractViolation("key update", e);
        } finally {
            if (done) {
                // the current secrets derive nothing more: the next ones replace them
                wipe(rxSecret);
                wipe(txSecret);
                rxSecret = rx;
                txSecret = tx;
            } else {
                wipe(rx);
                wipe(tx);
            }
        }
    }

    // the provider's unchecked failure or null answer becomes a CryptoException, as for an installed key
    private static PacketProtection updated(CryptoProvider provider, PacketProtection current, QuicVersion version,
            CipherSuite suite, byte[] secret) throws CryptoException {
        PacketProtection p;
        try {
            p = provider.newUpdatedPacketProtection(current, version, suite, secret);
        } catch (RuntimeException e) {
            throw CryptoException.contractViolation("newUpdatedPacketProtection", e);
        }
        return CryptoException.requireProtection(p, "newUpdatedPacketProtection");
    }

    /** Wipes the secrets and drops every generation this holds (the connection closed or the space was discarded). */
    void release() {
        wipe(rxSecret);
        wipe(txSecret);
        rxSecret = null;
        txSecret = null;
        nextRx = null;
        nextTx = null;
        previousRx = null;
    }

    private static void wipe(byte[] secret) {
        if (secret != null) {
            Arrays.fill(secret, (byte) 0);
        }
    }
}
