package dev.quicj.core.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Allocation per packet (not timing). ChaCha20-Poly1305, both header-protection ciphers and, on the intrinsic path,
 * AES-GCM must not allocate once warm; the JCA AES-GCM fallback allocates its GCM state on every {@code init}, which
 * the JCA API cannot avoid, so it is only reported (see the test's output file).
 */
class AllocationTest {

    @Test
    void packetProtectionAllocatesNothingOnceWarm() throws CryptoException {
        // An average below one byte per operation leaves room only for rare JVM-internal allocations on this thread.
        // A JVM hiccup can still push one pass over, so up to three passes are made; allocating code fails them all.
        List<String> violations = null;
        for (int pass = 0; pass < 3 && (violations == null || !violations.isEmpty()); pass++) {
            violations = new ArrayList<>();
            for (AllocationProbe.Row row : AllocationProbe.measure()) {
                System.out.println("pass " + pass + ": " + row);
                if (row.mask >= 1) {
                    violations.add("mask allocates: " + row);
                }
                // AES-GCM is allocation-free on the intrinsic path (which the build's JVM options enable)
                boolean mustNotAllocate = row.suite == CipherSuite.TLS_CHACHA20_POLY1305_SHA256
                        || JdkGcmPrimitives.AVAILABLE;
                if (mustNotAllocate && (row.seal >= 1 || row.open >= 1)) {
                    violations.add(row.suite + " allocates: " + row);
                }
            }
        }
        assertEquals(List.of(), violations);
    }
}
