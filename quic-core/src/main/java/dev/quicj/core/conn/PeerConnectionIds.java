package dev.quicj.core.conn;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.QuicException;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.wire.FrameType;
import java.util.Arrays;

/**
 * The connection IDs the peer issued to this endpoint (RFC 9000 §5.1): the active ones with their sequence numbers
 * and stateless reset tokens, the largest Retire Prior To received, and which one this endpoint sends to. Sequence
 * number 0 is the ID of the handshake, 1 a server's preferred_address ID (§5.1.1); NEW_CONNECTION_ID frames add the
 * others (§19.15). {@link #receive} applies one frame and makes the checks of §5.1.1, §5.1.2 and §19.15.
 *
 * <p>The receive path validates a packet before it applies it, so it applies the packet's frames to a copy first
 * ({@link #copyFrom}) and then, once every frame of the packet passed, to the connection's own instance.
 */
final class PeerConnectionIds {
    /**
     * How many active IDs are kept when the limit this endpoint advertised is not known (no local transport
     * parameters): past it, a new ID is not stored, so a peer cannot grow this without bound. Nothing is enforced then.
     */
    static final int MAX_TRACKED_UNKNOWN_LIMIT = 8;
    /**
     * How many active IDs are kept at most under an advertised limit: one more than the limit, to see it exceeded, up
     * to this (a limit above it is enforced only up to here: a peer's memory on this endpoint stays bounded).
     */
    static final int MAX_TRACKED = 1025;
    /** The fewest retirements waiting for their RETIRE_CONNECTION_ID before that is a CONNECTION_ID_LIMIT_ERROR. */
    static final int MIN_PENDING_RETIREMENTS = 16;

    private long[] sequences = new long[4];
    private ConnectionId[] ids = new ConnectionId[4];
    // the stateless reset token of each, or null when the peer gave none (a client's handshake ID)
    private byte[][] tokens = new byte[4][];
    private int count;
    // the largest Retire Prior To received: every sequence number below it is retired
    private long retirePriorTo;
    // the sequence numbers retired for which no RETIRE_CONNECTION_ID frame was sent yet, oldest first (§5.1.2)
    private long[] toRetire = new long[4];
    private int toRetireCount;
    // the sequence number of the ID this endpoint sends to
    private long current;

    /** The handshake's ID (sequence number 0) and, for a client told of a preferred address, sequence number 1. */
    PeerConnectionIds(ConnectionId handshakeId, byte[] handshakeToken, ConnectionId preferredId,
            byte[] preferredToken) {
        add(0, handshakeId, handshakeToken);
        if (preferredId != null) {
            add(1, preferredId, preferredToken);
        }
    }

    /** A copy of {@code other}, for validating a packet's frames before they are applied. */
    void copyFrom(PeerConnectionIds other) {
        if (sequences.length < other.sequences.length) {
            sequences = new long[other.sequences.length];
            ids = new ConnectionId[other.ids.length];
            tokens = new byte[other.tokens.length][];
        }
        System.arraycopy(other.sequences, 0, sequences, 0, other.count);
        System.arraycopy(other.ids, 0, ids, 0, other.count);
        System.arraycopy(other.tokens, 0, tokens, 0, other.count);
        Arrays.fill(ids, other.count, ids.length, null);
        Arrays.fill(tokens, other.count, tokens.length, null);
        count = other.count;
        retirePriorTo = other.retirePriorTo;
        current = other.current;
        if (toRetire.length < other.toRetireCount) {
            toRetire = new long[other.toRetire.length];
        }
        System.arraycopy(other.toRetire, 0, toRetire, 0, other.toRetireCount);
        toRetireCount = other.toRetireCount;
    }

    /** How many retired sequence numbers wait for their RETIRE_CONNECTION_ID frame. */
    int pendingRetirements() {
        return toRetireCount;
    }

    /** The {@code i}th of them, oldest first. */
    long pendingRetirement(int i) {
        return toRetire[i];
    }

    /**
     * The first {@code n} pending retirements were sent. This core has no loss recovery: a lost RETIRE_CONNECTION_ID
     * is not sent again, as CRYPTO data and HANDSHAKE_DONE are not.
     */
    void retirementsSent(int n) {
        System.arraycopy(toRetire, n, toRetire, 0, toRetireCount - n);
        toRetireCount -= n;
    }

    /** The ID this endpoint sends to. */
    ConnectionId currentId() {
        return ids[indexOf(current)];
    }

    /** The stateless reset token of the ID this endpoint sends to, or null. */
    byte[] currentToken() {
        return tokens[indexOf(current)];
    }

    /**
     * Applies one NEW_CONNECTION_ID frame (its fields already decoded and checked for form by the frame decoder).
     *
     * @param limit the active_connection_id_limit this endpoint advertised, or 0 when unknown (nothing is then
     *     enforced, and at most {@link #MAX_TRACKED_UNKNOWN_LIMIT} IDs are kept)
     * @return whether the ID this endpoint sends to was retired, and {@link #currentId()} is now another one
     * @throws QuicException PROTOCOL_VIOLATION for a sequence number reissued with another ID or token, or an ID
     *     reissued with another sequence number (§19.15); CONNECTION_ID_LIMIT_ERROR when more IDs are active than
     *     {@code limit} after the frame's retirements (§5.1.1), or too many retirements wait to be sent (§5.1.2)
     */
    boolean receive(long sequence, long framePriorTo, ConnectionId id, byte[] token, long limit)
            throws QuicException {
        boolean isNew = false;
        if (sequence >= retirePriorTo) {
            int i = indexOf(sequence);
            if (i >= 0) {
                // §19.15: "Receipt of the same frame multiple times MUST NOT be treated as a connection error"; the
                // same sequence number for another ID or token MAY be, and is
                if (!ids[i].equals(id) || tokens[i] != null && !Arrays.equals(tokens[i], token)) {
                    throw QuicException.protocolViolation(FrameType.NEW_CONNECTION_ID, "sequence number " + sequence
                            + " reissued for another connection ID or stateless reset token");
                }
            } else {
                if (indexOfId(id) >= 0) {
                    throw QuicException.protocolViolation(FrameType.NEW_CONNECTION_ID, "connection ID "
                            + id.toHex() + " reissued with another sequence number (" + sequence + ")");
                }
                isNew = true;
            }
        } else {
            // retired already by an earlier Retire Prior To: §19.15, "MUST send a corresponding
            // RETIRE_CONNECTION_ID frame that retires the newly received connection ID"
            queueRetirement(sequence, limit);
        }
        boolean moved = false;
        boolean increased = framePriorTo > retirePriorTo;
        if (increased) {
            // §5.1.2: "Upon receipt of an increased Retire Prior To field, the peer MUST stop using the corresponding
            // connection IDs and retire them"
            retirePriorTo = framePriorTo;
            int kept = 0;
            for (int i = 0; i < count; i++) {
                if (sequences[i] >= framePriorTo) {
                    sequences[kept] = sequences[i];
                    ids[kept] = ids[i];
                    tokens[kept] = tokens[i];
                    kept++;
                } else {
                    queueRetirement(sequences[i], limit);
                }
            }
            Arrays.fill(ids, kept, count, null);
            Arrays.fill(tokens, kept, count, null);
            count = kept;
        }
        // added after the retirements: an ID kept out by the memory bound before them could otherwise leave no ID
        // active once they retired every other one
        if (isNew) {
            if (count < (limit > 0 ? MAX_TRACKED : MAX_TRACKED_UNKNOWN_LIMIT)) {
                add(sequence, id, token);
            } else {
                // past the memory bound: not kept, so retired (§5.1.2: "MUST NOT forget a connection ID without
                // retiring it")
                queueRetirement(sequence, limit);
            }
        }
        if (increased && current < framePriorTo) {
            // the frame's own ID is at or above its Retire Prior To and was added after the retirements, so one is
            // always left; the lowest is the one the peer is likeliest to expect first
            long lowest = Long.MAX_VALUE;
            for (int i = 0; i < count; i++) {
                lowest = Math.min(lowest, sequences[i]);
            }
            current = lowest;
            moved = true;
        }
        // §5.1.1: "After processing a NEW_CONNECTION_ID frame and adding and retiring active connection IDs, if the
        // number of active connection IDs exceeds the value advertised in its active_connection_id_limit transport
        // parameter, an endpoint MUST close the connection with an error of type CONNECTION_ID_LIMIT_ERROR."
        if (limit > 0 && count > limit) {
            throw QuicException.stackless(TransportErrorCode.CONNECTION_ID_LIMIT_ERROR, FrameType.NEW_CONNECTION_ID,
                    count + " active connection IDs, beyond the active_connection_id_limit of " + limit
                            + " this endpoint advertised");
        }
        return moved;
    }

    /**
     * Queues a RETIRE_CONNECTION_ID. §5.1.2: "An endpoint SHOULD limit the number of connection IDs it has retired
     * locally for which RETIRE_CONNECTION_ID frames have not yet been acknowledged. An endpoint SHOULD allow for
     * sending and tracking a number of RETIRE_CONNECTION_ID frames of at least twice the value of the
     * active_connection_id_limit transport parameter. An endpoint MUST NOT forget a connection ID without retiring it,
     * though it MAY choose to treat having connection IDs in need of retirement that exceed this limit as a connection
     * error of type CONNECTION_ID_LIMIT_ERROR." Here the limit is twice the advertised one, at least
     * {@link #MIN_PENDING_RETIREMENTS} (and that many when it is not known), counting those not sent yet.
     */
    private void queueRetirement(long sequence, long limit) throws QuicException {
        for (int i = 0; i < toRetireCount; i++) {
            if (toRetire[i] == sequence) {
                return;
            }
        }
        long max = Math.max(MIN_PENDING_RETIREMENTS, 2 * Math.min(limit, MAX_TRACKED));
        if (toRetireCount >= max) {
            throw QuicException.stackless(TransportErrorCode.CONNECTION_ID_LIMIT_ERROR, FrameType.NEW_CONNECTION_ID,
                    "more than " + max + " connection IDs wait to be retired");
        }
        if (toRetireCount == toRetire.length) {
            toRetire = Arrays.copyOf(toRetire, toRetireCount << 1);
        }
        toRetire[toRetireCount++] = sequence;
    }

    private void add(long sequence, ConnectionId id, byte[] token) {
        if (count == sequences.length) {
            int n = count << 1;
            sequences = Arrays.copyOf(sequences, n);
            ids = Arrays.copyOf(ids, n);
            tokens = Arrays.copyOf(tokens, n);
        }
        sequences[count] = sequence;
        ids[count] = id;
        tokens[count] = token;
        count++;
    }

    private int indexOf(long sequence) {
        for (int i = 0; i < count; i++) {
            if (sequences[i] == sequence) {
                return i;
            }
        }
        return -1;
    }

    private int indexOfId(ConnectionId id) {
        for (int i = 0; i < count; i++) {
            if (ids[i].equals(id)) {
                return i;
            }
        }
        return -1;
    }
}
