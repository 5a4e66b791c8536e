package io.dumpsink.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import software.amazon.awssdk.core.exception.SdkException;

/** Entry point of {@code dumpsink} (and {@code kubectl dumpsink}); the only place that exits. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // The CLI's own logging setup (stderr, errors only) is CliLogConfigurator, which logback finds as a service
        // before it looks for the services' logback.xml.
        if (StartupArchive.requested()) {
            StartupArchive.preload(Main.class.getClassLoader());
        }
        OutputStream stdout = new FileOutputStream(FileDescriptor.out);
        int code = run(args, System.out, System.err, stdout, System.getenv(), System.console() != null);
        System.out.flush();
        System.exit(code);
    }

    /**
     * Runs one command line and returns its exit code ({@link ExitCodes}); every failure the user can act on is one
     * line on {@code err}.
     *
     * @param data        where {@code get -o -} writes the dump (raw stdout)
     * @param interactive whether a person watches: progress bars only then
     */
    public static int run(String[] args, PrintStream out, PrintStream err, OutputStream data,
            Map<String, String> environment, boolean interactive) {
        CommandLine commandLine = new CommandLine(new DumpsinkCommand(out, err, data, environment, interactive));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof CliException cli) {
                err.println("dumpsink: " + cli.getMessage());
                return cli.exitCode();
            }
            if (e instanceof SdkException sdk) {
                err.println("dumpsink: " + sdk.getMessage());
                return ExitCodes.USAGE;
            }
            err.println("dumpsink: " + e);
            return ExitCodes.USAGE;
        });
        return commandLine.execute(args);
    }
}
