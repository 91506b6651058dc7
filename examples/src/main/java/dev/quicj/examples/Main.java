package dev.quicj.examples;

import dev.quicj.core.QuicVersion;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * The runnable jar's entry point: {@code java -jar quic-examples.jar <command> [options]}. Commands:
 * {@code demo}, {@code reject-server}, {@code close-client}, {@code write-close}, {@code decode}. Bad arguments print
 * one {@code error:} line and the command's usage (exit status 2); a failure prints one {@code error:} line (exit
 * status 1).
 */
public final class Main {
    static final String USAGE = "usage: java -jar quic-examples.jar <command> [options]\n"
            + "commands:\n"
            + "  demo          run reject-server and close-client against each other on loopback, print it decoded\n"
            + "  reject-server answer every QUIC connection attempt with an Initial CONNECTION_CLOSE\n"
            + "  close-client  open a QUIC connection and close it at Initial level, print both directions\n"
            + "  write-close   print the hex of an Initial CONNECTION_CLOSE datagram\n"
            + "  decode        decode a QUIC datagram (Initial keys from --odcid)\n"
            + "'<command> --help' prints a command's options\n";

    private Main() {
    }

    /** Runs the command named by {@code args[0]} and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a command; returns the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println("error: no command given");
            err.print(USAGE);
            return 2;
        }
        if (args[0].equals("-h") || args[0].equals("--help") || args[0].equals("help")) {
            out.print(USAGE);
            return 0;
        }
        String command = args[0];
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        String usage;
        switch (command) {
            case "write-close":
                usage = WriteCloseCommand.USAGE;
                break;
            case "decode":
                usage = DecodeCommand.USAGE;
                break;
            case "reject-server":
                usage = RejectServerCommand.USAGE;
                break;
            case "close-client":
                usage = CloseClientCommand.USAGE;
                break;
            case "demo":
                usage = DemoCommand.USAGE;
                break;
            default:
                err.println("error: unknown command '" + command + "'");
                err.print(USAGE);
                return 2;
        }
        if ((rest.length == 1 && rest[0].equals("-h")) || Arrays.asList(rest).contains("--help")) {
            out.println(usage);
            return 0;
        }
        try {
            switch (command) {
                case "write-close":
                    return WriteCloseCommand.run(rest, out);
                case "decode":
                    return DecodeCommand.run(rest, out);
                case "reject-server":
                    return RejectServerCommand.run(rest, out);
                case "close-client":
                    return CloseClientCommand.run(rest, out);
                default:
                    return DemoCommand.run(rest, out, err);
            }
        } catch (UsageException e) {
            err.println("error: " + e.getMessage());
            err.println(usage);
            return 2;
        } catch (CommandException e) {
            err.println("error: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("error: interrupted");
            return 1;
        } catch (Exception e) {
            err.println("error: " + command + " failed: " + e);
            return 1;
        }
    }

    /**
     * Parses {@code 1} / {@code 2} (or the wire value {@code 0x6b3343cf} of version 2) into a version: a number like
     * the other options', decimal or {@code 0x} hexadecimal, so {@code 0x2}, {@code 01} and {@code 0x00000001} too.
     */
    static QuicVersion version(String text) throws UsageException {
        long v;
        try {
            v = Args.number("version", text.trim(), 0, 0xffffffffL);
        } catch (UsageException e) {
            v = -1;
        }
        if (v == 1) {
            return QuicVersion.V1;
        }
        if (v == 2 || v == (QuicVersion.V2.wireValue() & 0xffffffffL)) {
            return QuicVersion.V2;
        }
        throw new UsageException("--version must be 1 or 2: '" + text + "'");
    }
}
