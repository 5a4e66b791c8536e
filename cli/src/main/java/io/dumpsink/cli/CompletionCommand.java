package io.dumpsink.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code dumpsink completion}: the bash/zsh completion script, generated from the commands themselves. */
@Command(name = "completion", description = "Print a bash (and zsh) completion script: "
        + "source <(dumpsink completion)  — or save it in /etc/bash_completion.d/dumpsink.")
final class CompletionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.root().commandLine().getOut().print(AutoComplete.bash("dumpsink", spec.root().commandLine()));
        spec.root().commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
