package dev.quicj.netty;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.CryptoDataListener;
import java.util.Objects;
import java.util.function.Function;

/**
 * What {@link QuicCloseHandler} does with a datagram that belongs to no connection but carries an acceptable client
 * Initial (at least 1200 bytes, a supported version, a Destination Connection ID of at least 8 bytes:
 * {@link dev.quicj.core.conn.InitialCheck}). Immutable.
 *
 * <ul>
 *   <li>{@link #ignore()} (the default): pass the datagram on unchanged;</li>
 *   <li>{@link #accept()}: create a server connection, let it read the Initial and keep it open for the application
 *       ({@link QuicConnectionAcceptedEvent});</li>
 *   <li>{@link #reject(CloseError)}: create a server connection, let it read the Initial and close it at once with
 *       the given error, then run its closing period;</li>
 *   <li>{@link #rejectStateless(CloseError)}: authenticate the Initial and answer it with a server Initial close
 *       ({@link dev.quicj.core.conn.StatelessClose}), keeping no state at all: the cheap refusal of an overloaded
 *       server;</li>
 *   <li>{@link #rejectStatelessUnauthenticated(CloseError)}: the same on the header alone, without decrypting the
 *       Initial: the cheapest refusal, for floods.</li>
 * </ul>
 * Except with {@link #rejectStatelessUnauthenticated}, an Initial that does not authenticate creates nothing: it
 * belongs to no connection and is passed on unchanged.
 */
public final class AcceptPolicy {
    private static final AcceptPolicy IGNORE = new AcceptPolicy(Action.IGNORE, null, null, true);
    private static final AcceptPolicy ACCEPT = new AcceptPolicy(Action.ACCEPT, null, null, true);

    /** The four things the handler can do with an acceptable client Initial. */
    public enum Action {
        /** Create a server connection and keep it. */
        ACCEPT,
        /** Create a server connection and close it at once. */
        REJECT,
        /** Answer with a close and keep nothing. */
        REJECT_STATELESS,
        /** Create nothing; pass the datagram on. */
        IGNORE
    }

    // what to do
    private final Action action;
    // the close error of REJECT, else null
    private final CloseError rejectError;
    // makes the CRYPTO data listener of an accepted connection from its source connection ID, or null
    private final Function<ConnectionId, CryptoDataListener> listeners;
    // whether an Initial must decrypt before it is acted on (false only for rejectStatelessUnauthenticated)
    private final boolean authenticatesInitials;

    private AcceptPolicy(Action action, CloseError rejectError, Function<ConnectionId, CryptoDataListener> listeners,
            boolean authenticatesInitials) {
        this.action = action;
        this.rejectError = rejectError;
        this.listeners = listeners;
        this.authenticatesInitials = authenticatesInitials;
    }

    /** Pass acceptable client Initials on unchanged, like any datagram that belongs to no connection. */
    public static AcceptPolicy ignore() {
        return IGNORE;
    }

    /** Accept new connections; their CRYPTO data is not delivered anywhere. */
    public static AcceptPolicy accept() {
        return ACCEPT;
    }

    /**
     * Accept new connections and deliver their CRYPTO data (the ClientHello first) to the listener made for each.
     *
     * <p>The factory is called before the connection reads its first Initial, so also for an Initial that then does
     * not authenticate: that connection is dropped silently, no event names it, and its listener is never called. A
     * factory should therefore keep no per-connection state that only an event would release; state made when the
     * listener first receives data is safe.
     *
     * @param listeners called with the new connection's source connection ID before it reads its first Initial
     */
    public static AcceptPolicy accept(Function<ConnectionId, CryptoDataListener> listeners) {
        return new AcceptPolicy(Action.ACCEPT, null, Objects.requireNonNull(listeners, "listeners"), true);
    }

    /**
     * Refuse new connections: each is created, reads the Initial, and closes at once with {@code error} (for example
     * {@code CloseError.transport(TransportErrorCode.CONNECTION_REFUSED)}). An application error is sent as
     * APPLICATION_ERROR without reason in the Initial packet (RFC 9000 §10.2.3). The connection then runs its closing
     * period, kept only as its close datagram, path and counters: never seen by the application,
     * it is never shown by {@link QuicCloseHandler#connection} and {@link QuicCloseHandler#connections} (not even to
     * the listeners of its {@link QuicConnectionEndedEvent}), and {@link QuicCloseHandler#connectionCount} counts it
     * until it is freed.
     * Its Initial keys are re-keyed from those of earlier refused connections that have closed (a closed
     * connection never seals or opens again), so a flood of refusals makes less garbage; the crypto provider of its
     * settings is the handler's recycling wrapper around the configured provider.
     *
     * @throws IllegalArgumentException if the error is of a type that sends nothing
     */
    public static AcceptPolicy reject(CloseError error) {
        return new AcceptPolicy(Action.REJECT, checkRejectError(error), null, true);
    }

    /**
     * Refuse new connections without any state: the Initial is authenticated with the Initial keys of its DCID (an
     * Initial that does not authenticate is passed on, like any datagram for no connection), then answered with a
     * server Initial CONNECTION_CLOSE ({@link dev.quicj.core.conn.StatelessClose}, packet number 0, a fresh source
     * connection ID). No connection, closing period or timer is kept, so each refusal costs one key derivation, one
     * decryption and one small datagram, and memory does not grow with the rate of refusals. A client that sends its
     * Initial again gets a new close: it is far smaller than the 1200-byte Initial, within the 3x limit of RFC 9000
     * §8.1. {@link QuicConnectionEndedEvent} still fires for each refusal; {@link QuicConnectionFreedEvent} does not
     * (nothing was kept).
     *
     * @throws IllegalArgumentException if the error is of a type that sends nothing
     */
    public static AcceptPolicy rejectStateless(CloseError error) {
        return new AcceptPolicy(Action.REJECT_STATELESS, checkRejectError(error), null, true);
    }

    /**
     * {@link #rejectStateless(CloseError)} without authenticating the Initial: a datagram that passes
     * {@link dev.quicj.core.conn.InitialCheck} (at least 1200 bytes, a long-header Initial of a supported version,
     * a DCID of at least 8 bytes) is answered from its header alone, and its payload is never decrypted. Only the
     * server's Initial keys are derived, so a refusal costs about half the CPU of {@code rejectStateless}, which
     * matters when refusals are what a flooded server spends its CPU on.
     *
     * <p>What is given up: a datagram that merely looks like a client Initial (a corrupted one, or random bytes
     * behind a valid header) is answered too, where {@code rejectStateless} passes it on. Authentication is no
     * defence against a sender that means harm, since anyone can derive the Initial keys of a DCID (RFC 9001 §5.2);
     * and the answer, a few dozen bytes, is far below the 3x limit of RFC 9000 §8.1 for the 1200 bytes received.
     * {@link QuicConnectionEndedEvent} fires for each refusal, as with {@code rejectStateless}.
     *
     * @throws IllegalArgumentException if the error is of a type that sends nothing
     */
    public static AcceptPolicy rejectStatelessUnauthenticated(CloseError error) {
        return new AcceptPolicy(Action.REJECT_STATELESS, checkRejectError(error), null, false);
    }

    private static CloseError checkRejectError(CloseError error) {
        Objects.requireNonNull(error, "error");
        if (!error.type().sendsFrame()) {
            throw new IllegalArgumentException("a rejection sends CONNECTION_CLOSE: " + error);
        }
        return error;
    }

    /** What the handler does with an acceptable client Initial. */
    public Action action() {
        return action;
    }

    /**
     * Whether a client Initial must decrypt with the Initial keys of its DCID before the handler acts on it: true for
     * every policy but {@link #rejectStatelessUnauthenticated}.
     */
    public boolean authenticatesInitials() {
        return authenticatesInitials;
    }

    /** The error rejected connections are closed with; {@code null} unless the action is a rejection. */
    public CloseError rejectError() {
        return rejectError;
    }

    /** The CRYPTO data listener for a new connection, or {@code null}. */
    CryptoDataListener listenerFor(ConnectionId sourceConnectionId) {
        return listeners == null ? null : listeners.apply(sourceConnectionId);
    }

    @Override
    public String toString() {
        return "AcceptPolicy[" + action + (authenticatesInitials ? "" : " unauthenticated")
                + (rejectError != null ? " " + rejectError : "") + "]";
    }
}
