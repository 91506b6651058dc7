package dev.quicj.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The handler's index of connections by peer address against a plain map model: random adds and removes over IPv4
 * and IPv6 addresses, several connections per address, the table growing and shrinking.
 */
class PeerAddressIndexTest {
    private static final long SEED = 0x5eedL;

    private static InetSocketAddress address(int i) {
        // a few ports of a few hosts, both families: several entries per address
        int host = i % 7;
        int port = 50000 + i % 5;
        return host % 2 == 0 ? new InetSocketAddress("127.0.0." + (host + 1), port)
                : new InetSocketAddress("::" + Integer.toHexString(host + 1), port);
    }

    private static Set<ConnectionEntry> found(PeerAddressIndex index, InetSocketAddress peer) {
        int n = index.find(peer);
        Set<ConnectionEntry> out = new HashSet<>();
        for (int i = 0; i < n; i++) {
            out.add(index.found(i));
        }
        assertEquals(n, out.size(), "an entry found twice");
        return out;
    }

    @Test
    void matchesAModelUnderRandomAddsAndRemoves() {
        SplittableRandom random = new SplittableRandom(SEED);
        // each slot holds an entry, indexed or not; adding one makes a new entry with a random peer
        ConnectionEntry[] pool = new ConnectionEntry[300];
        PeerAddressIndex index = new PeerAddressIndex();
        Map<ConnectionEntry, InetSocketAddress> model = new HashMap<>();
        for (int step = 0; step < 20_000; step++) {
            int i = random.nextInt(pool.length);
            // phases: fill up, churn, drain (the table grows, then shrinks)
            boolean add = step < 6_000 ? random.nextInt(4) != 0 : step < 14_000 ? random.nextBoolean()
                    : random.nextInt(4) == 0;
            if (add && (pool[i] == null || !model.containsKey(pool[i]))) {
                InetSocketAddress peer = address(random.nextInt(1000));
                pool[i] = TestSupport.serverEntry(i, peer);
                index.add(pool[i]);
                model.put(pool[i], peer);
            } else if (!add && pool[i] != null) {
                assertEquals(model.remove(pool[i]) != null, index.remove(pool[i]));
            }
            assertEquals(model.size(), index.size());
            if (step % 97 == 0) {
                for (int a = 0; a < 70; a++) {
                    InetSocketAddress peer = address(a);
                    Set<ConnectionEntry> expected = new HashSet<>();
                    model.forEach((entry, p) -> {
                        if (p.equals(peer)) {
                            expected.add(entry);
                        }
                    });
                    assertEquals(expected, found(index, peer), "at step " + step + " for " + peer);
                }
            }
        }
    }

    @Test
    void removingAnEntryTwiceOrOneNeverAddedIsHarmless() {
        PeerAddressIndex index = new PeerAddressIndex();
        InetSocketAddress peer = new InetSocketAddress("127.0.0.1", 4433);
        ConnectionEntry e = TestSupport.serverEntry(1, peer);
        ConnectionEntry other = TestSupport.serverEntry(2, peer);
        index.add(e);
        assertFalse(index.remove(other));
        assertEquals(1, index.size());
        assertTrue(index.remove(e));
        assertFalse(index.remove(e));
        assertEquals(0, index.size());
        assertEquals(0, index.find(peer));
    }

    @Test
    void forgettingTheMatchesLeavesNoEntryHeld() {
        PeerAddressIndex index = new PeerAddressIndex();
        InetSocketAddress peer = new InetSocketAddress("127.0.0.1", 4433);
        ConnectionEntry e = TestSupport.serverEntry(1, peer);
        index.add(e);
        assertEquals(1, index.find(peer));
        index.remove(e);
        index.forgetFound();
        assertEquals(0, index.heldFound(), "a removed entry (and its connection) is still held");
    }

    @Test
    void foundEntriesStayReadableWhileTheIndexChanges() {
        PeerAddressIndex index = new PeerAddressIndex();
        InetSocketAddress peer = new InetSocketAddress("127.0.0.1", 4433);
        List<ConnectionEntry> entries = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ConnectionEntry e = TestSupport.serverEntry(i, peer);
            entries.add(e);
            index.add(e);
        }
        int n = index.find(peer);
        assertEquals(10, n);
        Set<ConnectionEntry> seen = new HashSet<>();
        for (int i = 0; i < n; i++) {
            ConnectionEntry e = index.found(i);
            // what a reset does to the entry it drains: the rest of the list is still the one found
            index.remove(e);
            seen.add(e);
        }
        assertEquals(new HashSet<>(entries), seen);
        assertEquals(0, index.size());
    }

    @Test
    void theSamePortOnAnotherHostAndTheSameHostOnAnotherPortAreOtherAddresses() {
        PeerAddressIndex index = new PeerAddressIndex();
        index.add(TestSupport.serverEntry(1, new InetSocketAddress("127.0.0.1", 4433)));
        assertEquals(0, index.find(new InetSocketAddress("127.0.0.2", 4433)));
        assertEquals(0, index.find(new InetSocketAddress("127.0.0.1", 4434)));
        assertEquals(1, index.find(new InetSocketAddress("127.0.0.1", 4433)));
    }
}
