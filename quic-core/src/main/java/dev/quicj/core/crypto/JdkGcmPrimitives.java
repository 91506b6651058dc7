package dev.quicj.core.crypto;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;

/**
 * Direct access to the primitives the JDK's own AES-GCM is built from, all HotSpot intrinsics: the GHASH block
 * function ({@code com.sun.crypto.provider.GHASH.processBlocks}, CLMUL), AES counter mode
 * ({@code com.sun.crypto.provider.CounterMode.implCrypt}, AES-NI, pipelined) and the single AES block
 * ({@code AESCrypt.encryptBlock}, for header protection). Calling them directly, with state the caller owns, gives
 * AES-GCM without the per-packet allocation of {@code Cipher.init} (about 1.1 KB of fresh GCM state on JDK 17) and
 * without its setup cost. An {@code AESCrypt} is keyed by writing the expanded key ({@link AesKeySchedule}) into its
 * fields: {@code AESCrypt.init} also builds a decryption schedule through two-dimensional arrays, which cost more
 * than a whole close packet.
 *
 * <p>The classes are internal to {@code java.base}, so this works only when the JVM runs with
 * {@code --add-opens java.base/com.sun.crypto.provider=ALL-UNNAMED} ({@code =dev.quicj.core} when quic-core is on the
 * module path). Without it, or on a JDK whose internals
 * differ, or when the system property {@code dev.quicj.crypto.jdkIntrinsics} is {@code false}, {@link #AVAILABLE} is
 * false and {@link JcaCryptoProvider} uses the public JCA ciphers instead. Availability is decided once, after a
 * known-answer test of the whole construction (AES-GCM and the AES block) against the JCA ciphers.
 */
final class JdkGcmPrimitives {
    /** Whether the primitives are reachable and passed the known-answer test. */
    static final boolean AVAILABLE;
    /** Why not, when they are not (for diagnostics). */
    static final String UNAVAILABLE_REASON;
    /**
     * Why every JDK-internals path is off when {@code -Ddev.quicj.crypto.jdkIntrinsics=false} (this class's and
     * {@link JdkSha256Primitives}'s), else null.
     */
    static final String DISABLED_BY_PROPERTY =
            Boolean.parseBoolean(System.getProperty("dev.quicj.crypto.jdkIntrinsics", "true")) ? null
                    : "disabled by -Ddev.quicj.crypto.jdkIntrinsics=false";

    /**
     * Whether {@link #subkeyTableInto} writes the table itself, as {@code new GHASH(h)} lays it out (H as two
     * big-endian longs, then zeros the intrinsic fills on first use), rather than copying a fresh {@code GHASH}'s.
     */
    private static final boolean TABLE_IN_PLACE;
    /**
     * Whether AES-GCM and AES instances of these primitives can be re-keyed in place (see
     * {@link IntrinsicAesGcmAead#rekey}): decided once, by a known-answer test of re-keyed instances against JCA.
     */
    static final boolean REKEY_AVAILABLE;
    /** Why not, when they cannot. */
    static final String NO_REKEY_REASON;

    // GHASH.processBlocks(byte[] data, int offset, int blocks, long[] state, long[] subkeyTable)
    static final MethodHandle GHASH_BLOCKS;
    // new GHASH(byte[] subkeyH), to obtain the subkey table layout the intrinsic expects
    private static final MethodHandle GHASH_NEW;
    private static final VarHandle GHASH_TABLE;
    // new AESCrypt() (keyed below through its fields, see AesKeySchedule)
    private static final MethodHandle AES_NEW;
    // new CounterMode(SymmetricCipher); counterMode.implCrypt(in, inOff, len, out, outOff) as (Object, ...)int
    private static final MethodHandle CTR_NEW;
    static final MethodHandle CTR_CRYPT;
    // CounterMode.counter (the 16-byte counter block) and CounterMode.used (keystream bytes consumed)
    private static final VarHandle CTR_COUNTER;
    static final VarHandle CTR_USED;
    // aesCrypt.encryptBlock(in, inOff, out, outOff) as (Object, ...)void: one AES block, a HotSpot intrinsic
    static final MethodHandle AES_ENCRYPT_BLOCK;
    // AESCrypt's encryption state: the expanded key and the round flags (set directly: see AesKeySchedule)
    private static final VarHandle AES_K;
    private static final VarHandle AES_LIMIT;
    private static final VarHandle AES_ROUNDS_12;
    private static final VarHandle AES_ROUNDS_14;

    static {
        MethodHandle ghashBlocks = null;
        MethodHandle ghashNew = null;
        VarHandle ghashTable = null;
        MethodHandle aesNew = null;
        MethodHandle ctrNew = null;
        MethodHandle ctrCrypt = null;
        VarHandle ctrCounter = null;
        VarHandle ctrUsed = null;
        MethodHandle aesBlock = null;
        VarHandle aesK = null;
        VarHandle aesLimit = null;
        VarHandle aesR12 = null;
        VarHandle aesR14 = null;
        String reason = null;
        if (DISABLED_BY_PROPERTY != null) {
            reason = DISABLED_BY_PROPERTY;
        } else {
            try {
                Class<?> ghash = Class.forName("com.sun.crypto.provider.GHASH");
                Class<?> ctr = Class.forName("com.sun.crypto.provider.CounterMode");
                Class<?> aes = Class.forName("com.sun.crypto.provider.AESCrypt");
                Class<?> symmetric = Class.forName("com.sun.crypto.provider.SymmetricCipher");
                MethodHandles.Lookup self = MethodHandles.lookup();
                MethodHandles.Lookup g = MethodHandles.privateLookupIn(ghash, self);
                MethodHandles.Lookup c = MethodHandles.privateLookupIn(ctr, self);
                MethodHandles.Lookup a = MethodHandles.privateLookupIn(aes, self);
                ghashBlocks = g.findStatic(ghash, "processBlocks", MethodType.methodType(void.class, byte[].class,
                        int.class, int.class, long[].class, long[].class));
                ghashNew = g.findConstructor(ghash, MethodType.methodType(void.class, byte[].class));
                ghashTable = g.findVarHandle(ghash, "subkeyHtbl", long[].class);
                aesNew = a.findConstructor(aes, MethodType.methodType(void.class));
                ctrNew = c.findConstructor(ctr, MethodType.methodType(void.class, symmetric))
                        .asType(MethodType.methodType(Object.class, Object.class));
                ctrCrypt = c.findVirtual(ctr, "implCrypt", MethodType.methodType(int.class, byte[].class, int.class,
                        int.class, byte[].class, int.class)).asType(MethodType.methodType(int.class, Object.class,
                        byte[].class, int.class, int.class, byte[].class, int.class));
                ctrCounter = c.findVarHandle(ctr, "counter", byte[].class);
                ctrUsed = c.findVarHandle(ctr, "used", int.class);
                aesK = a.findVarHandle(aes, "K", int[].class);
                aesLimit = a.findVarHandle(aes, "limit", int.class);
                aesR12 = a.findVarHandle(aes, "ROUNDS_12", boolean.class);
                aesR14 = a.findVarHandle(aes, "ROUNDS_14", boolean.class);
                aesBlock = a.findVirtual(aes, "encryptBlock", MethodType.methodType(void.class, byte[].class,
                        int.class, byte[].class, int.class)).asType(MethodType.methodType(void.class, Object.class,
                        byte[].class, int.class, byte[].class, int.class));
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                reason = "JDK AES-GCM internals not reachable (" + e + "); run with "
                        + addOpensFlag("com.sun.crypto.provider", JdkGcmPrimitives.class.getModule())
                        + " for the zero-allocation path";
            }
        }
        GHASH_BLOCKS = ghashBlocks;
        GHASH_NEW = ghashNew;
        GHASH_TABLE = ghashTable;
        AES_NEW = aesNew;
        CTR_NEW = ctrNew;
        CTR_CRYPT = ctrCrypt;
        CTR_COUNTER = ctrCounter;
        CTR_USED = ctrUsed;
        AES_ENCRYPT_BLOCK = aesBlock;
        AES_K = aesK;
        AES_LIMIT = aesLimit;
        AES_ROUNDS_12 = aesR12;
        AES_ROUNDS_14 = aesR14;
        if (reason == null) {
            reason = IntrinsicAesGcmAead.selfTest();
        }
        UNAVAILABLE_REASON = reason;
        AVAILABLE = reason == null;
        TABLE_IN_PLACE = AVAILABLE && tableLayoutIsKnown();
        String rekey = AVAILABLE ? IntrinsicAesGcmAead.rekeySelfTest() : UNAVAILABLE_REASON;
        NO_REKEY_REASON = rekey;
        REKEY_AVAILABLE = rekey == null;
    }

    private JdkGcmPrimitives() {
    }

    /**
     * A counter-mode object (a {@code com.sun.crypto.provider.CounterMode}) around a keyed AES from {@link #newAes}.
     */
    static Object newCounterMode(Object aes) throws Throwable {
        return CTR_NEW.invoke(aes);
    }

    /** A keyed AES block cipher (a {@code com.sun.crypto.provider.AESCrypt}) for encryption. */
    static Object newAes(byte[] key) throws Throwable {
        Object aes = AES_NEW.invoke();
        rekeyAes(aes, key);
        return aes;
    }

    /**
     * Keys an AES instance through its fields (see {@link AesKeySchedule}): the expanded key is written into its
     * existing key array when the key length is unchanged (re-keying in place, no allocation), else into a new one.
     */
    static void rekeyAes(Object aes, byte[] key) {
        if (key.length != 16 && key.length != 24 && key.length != 32) {
            throw new IllegalArgumentException("AES key must be 16, 24 or 32 bytes, not " + key.length);
        }
        int rounds = AesKeySchedule.rounds(key.length);
        int[] k = (int[]) AES_K.get(aes);
        if (k != null && k.length == AesKeySchedule.scheduleLength(key.length)) {
            AesKeySchedule.expandInto(key, k);
        } else {
            AES_K.set(aes, AesKeySchedule.expand(key));
            if (k != null) {
                java.util.Arrays.fill(k, 0);
            }
        }
        AES_LIMIT.set(aes, rounds * 4);
        AES_ROUNDS_12.set(aes, rounds >= 12);
        AES_ROUNDS_14.set(aes, rounds == 14);
    }

    /** The counter block array of a counter-mode object, written in place to position the keystream. */
    static byte[] counterOf(Object counterMode) {
        return (byte[]) CTR_COUNTER.get(counterMode);
    }

    /** The GHASH subkey table for hash subkey {@code h}, laid out as the JDK's intrinsic expects. */
    static long[] subkeyTable(byte[] h) throws Throwable {
        Object ghash = GHASH_NEW.invoke(h);
        return ((long[]) GHASH_TABLE.get(ghash)).clone();
    }

    /**
     * Overwrites {@code table}, a table from {@link #subkeyTable}, with the table of hash subkey {@code h}: without
     * allocating when the JDK's layout is the known one, else by copying a fresh table.
     */
    static void subkeyTableInto(byte[] h, long[] table) throws Throwable {
        if (TABLE_IN_PLACE) {
            table[0] = bigEndianLong(h, 0);
            table[1] = bigEndianLong(h, 8);
            // the intrinsic derives the powers of H into the rest when it finds them zero
            java.util.Arrays.fill(table, 2, table.length, 0L);
            return;
        }
        long[] fresh = subkeyTable(h);
        if (fresh.length != table.length) {
            throw new IllegalStateException("GHASH table of " + fresh.length + " longs, not " + table.length);
        }
        System.arraycopy(fresh, 0, table, 0, table.length);
    }

    private static long bigEndianLong(byte[] b, int offset) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (b[offset + i] & 0xff);
        }
        return v;
    }

    /** Whether a fresh {@code GHASH}'s table is H as two big-endian longs followed by zeros. */
    private static boolean tableLayoutIsKnown() {
        try {
            byte[] h = new byte[16];
            new java.util.SplittableRandom(0x7ab1eL).nextBytes(h);
            long[] fresh = subkeyTable(h);
            if (fresh.length < 2 || fresh[0] != bigEndianLong(h, 0) || fresh[1] != bigEndianLong(h, 8)) {
                return false;
            }
            for (int i = 2; i < fresh.length; i++) {
                if (fresh[i] != 0) {
                    return false;
                }
            }
            return true;
        } catch (Throwable t) {
            return false;
        }
    }

    /**
     * The {@code --add-opens} flag that opens {@code java.base/pkg} to {@code module}: {@code =ALL-UNNAMED} on the
     * class path, the module's name on the module path (quic-core's automatic module {@code dev.quicj.core}), where
     * {@code =ALL-UNNAMED} would open nothing to it. For the advice in the "not reachable" reasons.
     */
    static String addOpensFlag(String pkg, Module module) {
        return "--add-opens java.base/" + pkg + "=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED");
    }
}
