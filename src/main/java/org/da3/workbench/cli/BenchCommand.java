package org.da3.workbench.cli;

import picocli.CommandLine.Command;

/** {@code da3 bench}: benchmarks, each method measured in its own worker JVM. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks: training memory and speed per method, each in its own worker process.",
        subcommands = {BenchMemoryCommand.class, BenchSpeedCommand.class, BenchTorchvisionCheckCommand.class,
            BenchProbeCommand.class})
public final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
