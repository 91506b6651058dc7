package dev.quicj.examples;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.Hex;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A small parser for {@code --name value} options, {@code --flag} switches and positional arguments. Every
 * malformed input is a {@link UsageException} naming the option.
 */
final class Args {
    private final Map<String, String> values = new HashMap<>();
    private final Set<String> flags = new HashSet<>();
    private final List<String> positional = new ArrayList<>();
    private final Set<String> used = new HashSet<>();

    /**
     * @param valued the options that take a value (without "--")
     * @param switches the options that take none
     */
    Args(String[] argv, Set<String> valued, Set<String> switches) throws UsageException {
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (a.startsWith("--")) {
                String name = a.substring(2);
                String inline = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    inline = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (valued.contains(name)) {
                    String v = inline;
                    if (v == null) {
                        if (i + 1 >= argv.length) {
                            throw new UsageException("option --" + name + " needs a value");
                        }
                        v = argv[++i];
                        if (v.startsWith("--") && isOption(v.substring(2), valued, switches)) {
                            // "--reason --app": the value was forgotten
                            throw new UsageException("option --" + name + " needs a value, not the option " + v
                                    + " (write --" + name + "=" + v + " for a value starting with --)");
                        }
                    }
                    if (values.put(name, v) != null) {
                        throw new UsageException("option --" + name + " given twice");
                    }
                } else if (switches.contains(name)) {
                    if (inline != null) {
                        throw new UsageException("option --" + name + " takes no value: '" + a + "'");
                    }
                    flags.add(name);
                } else {
                    throw new UsageException("unknown option --" + name);
                }
            } else {
                positional.add(a);
            }
        }
    }

    private static boolean isOption(String text, Set<String> valued, Set<String> switches) {
        int eq = text.indexOf('=');
        String name = eq >= 0 ? text.substring(0, eq) : text;
        return valued.contains(name) || switches.contains(name) || name.equals("help");
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    boolean flag(String name) {
        return flags.contains(name);
    }

    String string(String name, String defaultValue) {
        return values.getOrDefault(name, defaultValue);
    }

    String required(String name) throws UsageException {
        String v = values.get(name);
        if (v == null) {
            throw new UsageException("missing required option --" + name);
        }
        return v;
    }

    List<String> positional() {
        return positional;
    }

    // decimal with an optional minus, or 0x and hexadecimal digits: no sign after 0x, no '+', no blanks
    private static final Pattern NUMBER = Pattern.compile("-?[0-9]+|0[xX][0-9a-fA-F]+");

    /**
     * A number in decimal or {@code 0x} hexadecimal, in [min, max]; {@code name} is an option's (without "--") or, in
     * capitals, a positional argument's. Only the digits are accepted: {@code " 5"}, {@code "+5"} and
     * {@code "0x+5"}, which {@link Long#parseLong} and friends would read, are usage errors.
     */
    static long number(String name, String text, long min, long max) throws UsageException {
        String label = name.equals(name.toUpperCase(Locale.ROOT)) ? name : "--" + name;
        long v;
        try {
            if (!NUMBER.matcher(text).matches()) {
                throw new NumberFormatException();
            }
            if (text.startsWith("0x") || text.startsWith("0X")) {
                v = Long.parseUnsignedLong(text.substring(2), 16);
                if (v < 0) {
                    throw new NumberFormatException();
                }
            } else {
                v = Long.parseLong(text);
            }
        } catch (NumberFormatException e) {
            throw new UsageException(label + " is not a number: '" + text + "'");
        }
        if (v < min || v > max) {
            throw new UsageException(label + " must be in " + min + ".." + max + ": " + text);
        }
        return v;
    }

    long number(String name, long defaultValue, long min, long max) throws UsageException {
        String t = values.get(name);
        return t == null ? defaultValue : number(name, t, min, max);
    }

    static byte[] hex(String name, String text) throws UsageException {
        try {
            return Hex.decode(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--" + name + " is not hexadecimal: " + e.getMessage());
        }
    }

    static ConnectionId connectionId(String name, String text) throws UsageException {
        byte[] b = hex(name, text);
        if (b.length > ConnectionId.MAX_LENGTH) {
            throw new UsageException("--" + name + " is longer than 20 bytes: " + b.length);
        }
        return ConnectionId.of(b);
    }

    /** The longest reason phrase the commands accept (in UTF-8 bytes); it must fit one 1200-byte Initial. */
    static final int MAX_REASON_BYTES = 1000;

    /**
     * The close of {@code --error N}, {@code --reason TEXT} and {@code --app}: a transport close unless {@code --app}
     * is given, with the defaults for what is not given.
     */
    CloseError closeError(long defaultCode, String defaultReason) throws UsageException {
        long code = number("error", defaultCode, 0, TransportErrorCode.MAX_CODE);
        String reason = string("reason", defaultReason);
        if (reason.getBytes(StandardCharsets.UTF_8).length > MAX_REASON_BYTES) {
            throw new UsageException("--reason is longer than " + MAX_REASON_BYTES + " bytes in UTF-8");
        }
        return flag("app") ? CloseError.application(code, reason) : CloseError.transport(code, reason);
    }

    /** A UDP port, 0..65535 ({@code allowZero}) or 1..65535. */
    static int port(String name, String text, boolean allowZero) throws UsageException {
        return (int) number(name, text, allowZero ? 0 : 1, 65535);
    }

    /** {@code HOST:PORT} or {@code [IPv6]:PORT}; the host is resolved. */
    static InetSocketAddress hostPort(String name, String text) throws UsageException {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new UsageException("--" + name + " must be HOST:PORT: '" + text + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new UsageException("--" + name + ": write an IPv6 address in brackets, [::1]:4433: '" + text + "'");
        }
        // "--bind: unknown host", "--bind port must be in 0..65535" (not the whole option, which is no number)
        return new InetSocketAddress(address("--" + name, host), port(name + " port", text.substring(colon + 1), true));
    }

    /** Resolves a host name or address literal. */
    static InetAddress address(String name, String host) throws UsageException {
        if (host.isEmpty()) {
            throw new UsageException(name + ": empty host");
        }
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new UsageException(name + ": unknown host '" + host + "'");
        }
    }
}
