package dev.quicj.netty;

import dev.quicj.core.QuicVersion;
import dev.quicj.core.crypto.CipherSuite;
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.crypto.PacketProtection;
import java.util.Objects;

/**
 * The crypto provider of the connections the {@link AcceptPolicy#reject reject policy} makes, which live for one
 * {@code accept} call before they close: it lends them protections re-keyed from those of earlier such connections,
 * so a refusal with a closing period does not leave two AES-GCM protections behind for the collector. A protection
 * comes back only through {@link #stopLending(boolean) stopLending(true)}, which the handler calls once the
 * connection that was lent it has closed: a closed {@code QuicConnection} has dropped its keys and never seals or
 * opens again. Outside a lending window it only delegates. Confined to the handler's event loop.
 */
final class RecyclingCryptoProvider implements CryptoProvider {
    // protections given back, ready to be re-keyed
    private final PacketProtection[] free = new PacketProtection[8];
    private int freeCount;
    // protections made during the current lending window (a connection's two Initial protections)
    private final PacketProtection[] lent = new PacketProtection[4];
    private int lentCount;
    private boolean lending;
    private final CryptoProvider delegate;

    RecyclingCryptoProvider(CryptoProvider delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public PacketProtection newPacketProtection(QuicVersion version, CipherSuite suite, byte[] secret)
            throws CryptoException {
        return rekeyPacketProtection(null, version, suite, secret);
    }

    /**
     * Inside a lending window, with no {@code previous} (what {@code InitialProtections} passes for a new
     * connection's keys), a reclaimed protection is re-keyed if there is one; whatever is returned is recorded as
     * lent. Outside a window it only delegates.
     */
    @Override
    public PacketProtection rekeyPacketProtection(PacketProtection previous, QuicVersion version, CipherSuite suite,
            byte[] secret) throws CryptoException {
        if (!lending) {
            return delegate.rekeyPacketProtection(previous, version, suite, secret);
        }
        if (previous == null && freeCount > 0) {
            previous = free[--freeCount];
            free[freeCount] = null;
        }
        PacketProtection p = delegate.rekeyPacketProtection(previous, version, suite, secret);
        recordLent(p);
        return p;
    }

    /**
     * Delegated: only a connection whose peer updated its 1-RTT keys asks for this, and the connections lent
     * protections close before they have 1-RTT keys, so nothing is recycled or recorded.
     */
    @Override
    public PacketProtection newUpdatedPacketProtection(PacketProtection current, QuicVersion version,
            CipherSuite suite, byte[] nextSecret) throws CryptoException {
        return delegate.newUpdatedPacketProtection(current, version, suite, nextSecret);
    }

    // once per instance: a protection re-keyed twice in one window must not come back twice
    private void recordLent(PacketProtection p) {
        for (int i = 0; i < lentCount; i++) {
            if (lent[i] == p) {
                return;
            }
        }
        if (lentCount < lent.length) {
            lent[lentCount++] = p;
        }
    }

    /**
     * Starts recording what {@link #newPacketProtection} and {@link #rekeyPacketProtection} hand out, for one
     * connection.
     */
    void startLending() {
        lending = true;
        clearLent();
    }

    /**
     * Ends the lending window: with {@code reclaim} (the connection has closed, so it dropped its keys) the protections
     * made in it become free for the next connection; without, they are forgotten and stay with the connection.
     */
    void stopLending(boolean reclaim) {
        if (reclaim) {
            for (int i = 0; i < lentCount && freeCount < free.length; i++) {
                free[freeCount++] = lent[i];
            }
        }
        lending = false;
        clearLent();
    }

    private void clearLent() {
        for (int i = 0; i < lentCount; i++) {
            lent[i] = null;
        }
        lentCount = 0;
    }

    @Override
    public String toString() {
        return "recycling(" + delegate + ")";
    }
}
