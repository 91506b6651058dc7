package dev.quicj.core.crypto;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;

/**
 * Direct access to the SHA-256 compression function of the JDK ({@code sun.security.provider.SHA2.implCompress}, a
 * HotSpot intrinsic on SHA-NI or AVX2), with the chaining state owned by the caller. HMAC through the public
 * {@code MessageDigest} can only start from the initial hash: every HMAC then pays four compressions, a reset of
 * the digest's buffers and the output conversion. With the state in hand, {@link Sha256Hmac} hashes the key's
 * ipad and opad blocks once per key and each further HMAC with that key costs two compressions, which is what
 * derives a set of Initial keys (nine HMACs) fast.
 *
 * <p>The class is internal to {@code java.base}, so this works only when the JVM runs with
 * {@code --add-opens java.base/sun.security.provider=ALL-UNNAMED} ({@code =dev.quicj.core} when quic-core is on the
 * module path). Without it, on a JDK whose internals differ, or
 * when the system property {@code dev.quicj.crypto.jdkIntrinsics} is {@code false}, {@link #AVAILABLE} is false and
 * {@link Sha256Hmac} uses {@code MessageDigest}. Availability is decided once, after a known-answer test against
 * {@code MessageDigest} and RFC 4231.
 */
final class JdkSha256Primitives {
    /** Whether the compression function is reachable and passed the known-answer test. */
    static final boolean AVAILABLE;
    /** Why not, when it is not (for diagnostics). */
    static final String UNAVAILABLE_REASON;

    // new SHA2.SHA256()
    private static final MethodHandle NEW;
    // sha256.implCompress(byte[] block, int offset) as (Object, byte[], int)void
    private static final MethodHandle COMPRESS;
    // SHA2.state, the eight chaining words, and SHA2.W, the message schedule (allocated by the first compression)
    private static final VarHandle STATE;
    // SHA2.W, or null on a JDK without it (then there is nothing of ours to wipe there)
    private static final VarHandle SCHEDULE;

    static {
        MethodHandle create = null;
        MethodHandle compress = null;
        VarHandle state = null;
        VarHandle schedule = null;
        String reason = null;
        if (JdkGcmPrimitives.DISABLED_BY_PROPERTY != null) {
            reason = JdkGcmPrimitives.DISABLED_BY_PROPERTY;
        } else {
            try {
                Class<?> sha2 = Class.forName("sun.security.provider.SHA2");
                Class<?> sha256 = Class.forName("sun.security.provider.SHA2$SHA256");
                MethodHandles.Lookup s = MethodHandles.privateLookupIn(sha2, MethodHandles.lookup());
                MethodHandles.Lookup s256 = MethodHandles.privateLookupIn(sha256, MethodHandles.lookup());
                create = s256.findConstructor(sha256, MethodType.methodType(void.class))
                        .asType(MethodType.methodType(Object.class));
                compress = s.findVirtual(sha2, "implCompress", MethodType.methodType(void.class, byte[].class,
                        int.class)).asType(MethodType.methodType(void.class, Object.class, byte[].class, int.class));
                state = s.findVarHandle(sha2, "state", int[].class);
                try {
                    schedule = s.findVarHandle(sha2, "W", int[].class);
                } catch (NoSuchFieldException e) {
                    schedule = null;
                }
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                reason = "JDK SHA-256 internals not reachable (" + e + "); run with "
                        + JdkGcmPrimitives.addOpensFlag("sun.security.provider", JdkSha256Primitives.class.getModule())
                        + " for the fast key derivation";
            }
        }
        NEW = create;
        COMPRESS = compress;
        STATE = state;
        SCHEDULE = schedule;
        if (reason == null) {
            reason = Sha256Hmac.selfTest();
        }
        UNAVAILABLE_REASON = reason;
        AVAILABLE = reason == null;
    }

    private JdkSha256Primitives() {
    }

    /**
     * One SHA-256 engine whose compression function runs on a chaining state the caller passes in. Not
     * thread-safe: one per thread.
     */
    static final class Compressor {
        private final Object engine;
        private final int[] engineState;

        /** @throws IllegalStateException if the primitives are not reachable */
        Compressor() {
            if (NEW == null) {
                throw new IllegalStateException(UNAVAILABLE_REASON);
            }
            try {
                engine = NEW.invokeExact();
            } catch (Throwable t) {
                throw new IllegalStateException("cannot create the JDK SHA-256 engine: " + t, t);
            }
            engineState = (int[]) STATE.get(engine);
        }

        /** {@code state = compress(state, block[offset, offset + 64))}. */
        void compress(int[] state, byte[] block, int offset) {
            System.arraycopy(state, 0, engineState, 0, 8);
            try {
                COMPRESS.invokeExact(engine, block, offset);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException("SHA-256 compression failed: " + t, t);
            }
            System.arraycopy(engineState, 0, state, 0, 8);
        }

        /**
         * Overwrites what the engine keeps of the last compression: its chaining state (the last HMAC's output, a
         * derived secret or key) and, when the compression ran in Java rather than as the intrinsic, its message
         * schedule (derived from the last block).
         */
        void wipe() {
            for (int i = 0; i < 8; i++) {
                engineState[i] = 0;
            }
            int[] w = SCHEDULE == null ? null : (int[]) SCHEDULE.get(engine);
            if (w != null) {
                java.util.Arrays.fill(w, 0);
            }
        }
    }
}
