package org.da3.workbench.run;

import java.nio.file.Path;
import java.util.Map;
import org.da3.workbench.Workspace;
import org.da3.workbench.run.ssh.SshTarget;
import org.da3.workbench.spec.TargetSpec;
import org.da3.workbench.spec.TargetsFile;

/**
 * The one place that turns a target's spec into a {@link Target}: kind {@code local} into a
 * {@link LocalTarget}, kinds {@code linux} and {@code jetson} into an {@link SshTarget}. Used by
 * the CLI ({@code --target}) and the GUI.
 */
public final class Targets {
    private Targets() {}

    /**
     * The targets file of a workspace.
     *
     * @param ws the workspace
     * @return experiments/targets.yaml
     */
    public static Path file(Workspace ws) {
        return ws.experimentsDir().resolve(TargetsFile.FILE_NAME);
    }

    /**
     * Every target of a workspace, {@code local} first.
     *
     * @param ws the workspace
     * @return the targets by name
     */
    public static Map<String, TargetSpec> list(Workspace ws) {
        return TargetsFile.load(file(ws));
    }

    /**
     * Makes the target of a spec (nothing is connected until the first launch).
     *
     * @param spec the target's spec
     * @return the target; close it when done
     */
    public static Target open(TargetSpec spec) {
        if (spec.isLocal()) {
            return new LocalTarget(spec.name(), spec.jvmFlags(), spec.environment(), spec.concurrentRuns());
        }
        return new SshTarget(spec);
    }

    /**
     * Resolves and makes a target from a name or address.
     *
     * @param ws the workspace (for experiments/targets.yaml)
     * @param nameOrAddress {@code local}, a name from targets.yaml, or {@code ssh://user@host:port}
     * @return the target
     * @throws org.da3.workbench.spec.SpecException if the name is unknown or the file is invalid
     */
    public static Target open(Workspace ws, String nameOrAddress) {
        return open(TargetsFile.resolve(file(ws), nameOrAddress));
    }

    /**
     * Checks that a target can be reached: for SSH targets, connects, logs in and runs the
     * machine's {@code java -version} as the worker would start (the GUI's Test connection, {@code
     * da3 targets test}); nothing is uploaded.
     *
     * @param ws the workspace
     * @param nameOrAddress the target
     * @return what answered, in one line
     * @throws java.io.IOException with the reason the connection failed
     */
    public static String test(Workspace ws, String nameOrAddress) throws java.io.IOException {
        return test(TargetsFile.resolve(file(ws), nameOrAddress));
    }

    /**
     * {@link #test(Workspace, String)} for a target already resolved (so its errors can name where
     * it was given).
     *
     * @param spec the target
     * @return what answered, in one line
     * @throws java.io.IOException with the reason the connection failed
     */
    public static String test(TargetSpec spec) throws java.io.IOException {
        try (Target t = open(spec)) {
            if (t instanceof SshTarget s) {
                return t.describe() + ", " + s.checkWithJava();
            }
            return t.describe();
        }
    }

    /**
     * The target a remote run's files are copied back from: the one its remote.json names, or
     * another one given (a machine that moved).
     *
     * @param ws the workspace (for experiments/targets.yaml)
     * @param dir the run directory
     * @param remote its remote.json
     * @param given a name or address instead of remote.json's, or null
     * @return the target
     * @throws org.da3.workbench.spec.SpecException if the name is unknown or the file is invalid
     * @throws IllegalArgumentException if the target is this machine
     */
    public static TargetSpec collectFrom(Workspace ws, RunDirectory dir, RemoteRun remote, String given) {
        String name = given != null ? given : remote.target();
        TargetSpec t = TargetsFile.resolve(file(ws), name, given != null ? TargetsFile.COMMAND_LINE
                : dir.dir().resolve(RemoteRun.FILE).toString());
        if (t.isLocal()) {
            throw new IllegalArgumentException("target " + name + " is this machine; name the machine the run ran on ("
                    + remote.address() + ")");
        }
        return t;
    }

    /**
     * Copies back what a remote run left on its machine ({@link SshTarget#collect(RunDirectory)}),
     * then writes its results.csv and the status in its manifest.json again from its events.
     *
     * @param target the machine, from {@link #collectFrom}
     * @param dir the run directory
     * @return what came back and the run's status now, in one line
     * @throws java.io.IOException if the machine cannot be reached or the files not written
     */
    public static String collect(TargetSpec target, RunDirectory dir) throws java.io.IOException {
        try (SshTarget ssh = new SshTarget(target)) {
            String what = ssh.collect(dir);
            return what + "; the run is " + ExperimentRunner.refreshOutputs(dir).status();
        }
    }
}
