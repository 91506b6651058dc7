package dev.quicj.netty;

import dev.quicj.core.conn.QuicConnection;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The handler's deadlines: the closing and draining periods, the waits of closes held back by the amplification
 * limit and the idle timeouts of live connections, in one {@link DeadlineQueue}, with one event-loop task armed for
 * the earliest (it is this object: no closure per arming). What a deadline that passed means is the handler's business:
 * the task calls {@link QuicCloseHandler#runTimers}. Confined to the event loop.
 */
final class ConnectionTimers implements Runnable {
    // the handler, told when the task runs
    private final QuicCloseHandler handler;
    // the entries with a deadline, earliest first
    private final DeadlineQueue queue = new DeadlineQueue();
    // the event-loop task armed for the earliest deadline, or null, and when it runs
    private ScheduledFuture<?> wakeup;
    private long wakeupAt;

    ConnectionTimers(QuicCloseHandler handler) {
        this.handler = handler;
    }

    /** The queue of deadlines (tests). */
    DeadlineQueue queue() {
        return queue;
    }

    /** Queues {@code entry} at {@code deadline}, replacing the deadline it had; the caller arms the task. */
    void schedule(ConnectionEntry entry, long deadline) {
        queue.schedule(entry, deadline);
    }

    /** Takes {@code entry}'s deadline away, if it has one. */
    void remove(ConnectionEntry entry) {
        queue.remove(entry);
    }

    /** Removes and returns the earliest entry if its deadline is at or before {@code now}; null otherwise. */
    ConnectionEntry pollDue(long now) {
        return queue.pollDue(now);
    }

    /**
     * Sets a live connection's timer to the end of its idle timeout (RFC 9000 §10.1), replacing the one it had, or
     * clears it when the connection has no idle timeout. The caller arms the wakeup. The connection may restart its
     * idle timer without this handler seeing it (the application writing with {@link QuicConnection#writePacket}):
     * {@link QuicCloseHandler#runTimers} checks again when the timer fires.
     */
    void setIdleTimer(ConnectionEntry entry) {
        QuicConnection c = entry.connection;
        long timeout = c.idleTimeoutNanos();
        if (timeout == 0) {
            queue.remove(entry);
        } else {
            queue.schedule(entry, c.idleTimerStart() + timeout);
        }
    }

    /** Makes sure the event-loop task runs no later than the earliest deadline. */
    void arm(ChannelHandlerContext ctx) {
        ConnectionEntry earliest = queue.peek();
        if (earliest == null) {
            // an armed task finds nothing and stops
            return;
        }
        long at = earliest.deadline;
        if (wakeup != null) {
            if (at - wakeupAt >= 0) {
                return;
            }
            wakeup.cancel(false);
        }
        wakeupAt = at;
        wakeup = ctx.executor().schedule(this, Math.max(0, at - ctx.executor().ticker().nanoTime()),
                TimeUnit.NANOSECONDS);
    }

    /** Cancels the event-loop task, if armed. */
    void disarm() {
        if (wakeup != null) {
            wakeup.cancel(false);
            wakeup = null;
        }
    }

    /** The event-loop task: the handler acts on every deadline that has passed, then arms it for the next one. */
    @Override
    public void run() {
        wakeup = null;
        handler.runTimers();
    }
}
