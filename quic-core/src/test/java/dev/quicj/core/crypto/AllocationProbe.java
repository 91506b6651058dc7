package dev.quicj.core.crypto;

import dev.quicj.core.QuicVersion;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Measures the bytes allocated per seal, open and header-protection mask of a 1200-byte packet, per suite and
 * buffer kind, with {@link com.sun.management.ThreadMXBean#getThreadAllocatedBytes(long)}. Run it as a program
 * ({@code main}) to print the table; {@link AllocationTest} runs it too.
 */
final class AllocationProbe {
    private static final int HEADER_LENGTH = 30;
    private static final int PAYLOAD_LENGTH = 1200 - HEADER_LENGTH - 16;
    private static final int WARMUP = 30_000;
    private static final int MEASURED = 20_000;

    /** One measurement: average bytes per operation. */
    static final class Row {
        final CipherSuite suite;
        final boolean direct;
        final double seal;
        final double open;
        final double mask;

        Row(CipherSuite suite, boolean direct, double seal, double open, double mask) {
            this.suite = suite;
            this.direct = direct;
            this.seal = seal;
            this.open = open;
            this.mask = mask;
        }

        @Override
        public String toString() {
            return String.format("%-30s %-6s seal %8.1f B  open %8.1f B  mask %6.1f B", suite,
                    direct ? "direct" : "heap", seal, open, mask);
        }
    }

    private AllocationProbe() {
    }

    static List<Row> measure() throws CryptoException {
        List<Row> rows = new ArrayList<>();
        for (CipherSuite suite : CipherSuite.values()) {
            for (boolean direct : new boolean[] {false, true}) {
                rows.add(measure(suite, direct));
            }
        }
        return rows;
    }

    private static Row measure(CipherSuite suite, boolean direct) throws CryptoException {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        byte[] secret = new byte[suite.hashLength()];
        new Random(1).nextBytes(secret);
        PacketProtection sender = CryptoProvider.jca().newPacketProtection(QuicVersion.V1, suite, secret);
        PacketProtection receiver = CryptoProvider.jca().newPacketProtection(QuicVersion.V1, suite, secret);
        ByteBuffer buf = direct ? ByteBuffer.allocateDirect(1200) : ByteBuffer.allocate(1200);
        byte[] mask = new byte[5];
        long pn = 0;

        // warm up every path so that the JIT has compiled them and one-time allocations are done
        for (int i = 0; i < WARMUP; i++, pn++) {
            sender.seal(buf, 0, HEADER_LENGTH, PAYLOAD_LENGTH, pn);
            sender.headerProtectionMask(buf, HEADER_LENGTH, mask);
            receiver.open(buf, 0, HEADER_LENGTH, PAYLOAD_LENGTH + 16, pn);
        }

        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < MEASURED; i++) {
            sender.seal(buf, 0, HEADER_LENGTH, PAYLOAD_LENGTH, pn + i);
        }
        double seal = (threads.getThreadAllocatedBytes(thread) - before) / (double) MEASURED;

        // open needs sealed packets; seal one and open it repeatedly (a stream of duplicates)
        sender.seal(buf, 0, HEADER_LENGTH, PAYLOAD_LENGTH, pn + MEASURED);
        ByteBuffer copy = direct ? ByteBuffer.allocateDirect(1200) : ByteBuffer.allocate(1200);
        copy.put(0, buf, 0, 1200);
        long openBytes = 0;
        for (int i = 0; i < MEASURED; i++) {
            buf.put(0, copy, 0, 1200);
            long start = threads.getThreadAllocatedBytes(thread);
            receiver.open(buf, 0, HEADER_LENGTH, PAYLOAD_LENGTH + 16, pn + MEASURED);
            openBytes += threads.getThreadAllocatedBytes(thread) - start;
        }
        // getThreadAllocatedBytes itself allocates nothing on HotSpot for the current thread; measure that
        long start = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < MEASURED; i++) {
            threads.getThreadAllocatedBytes(thread);
        }
        double probeCost = (threads.getThreadAllocatedBytes(thread) - start) / (double) MEASURED;
        double open = openBytes / (double) MEASURED - probeCost;

        before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < MEASURED; i++) {
            sender.headerProtectionMask(buf, HEADER_LENGTH + (i & 7), mask);
        }
        double maskBytes = (threads.getThreadAllocatedBytes(thread) - before) / (double) MEASURED;
        return new Row(suite, direct, seal, open, maskBytes);
    }

    public static void main(String[] args) throws CryptoException {
        System.out.println("bytes allocated per operation, 1200-byte packet, " + System.getProperty("java.vm.name")
                + " " + System.getProperty("java.version"));
        for (Row row : measure()) {
            System.out.println(row);
        }
    }
}
