package org.da3.workbench.run.ssh;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shell scripts a remote run uses, generated per run into its remote folder. Every value is
 * put through {@link Shell#quote}; the only unquoted text is this class's own fixed script.
 *
 * <p>{@code run.sh} starts the worker with {@code setsid} in a process group of its own, writes
 * the group id to {@code worker.pid}, and waits for it; a background "lifeline" reads the
 * script's stdin and runs {@code stop.sh} when it closes, which happens when the workbench stops
 * the run (it closes the channel's input) and when sshd loses the connection. The workbench also
 * writes a heartbeat (a newline every {@link #HEARTBEAT_SECONDS} s) to that stdin; a background
 * watchdog runs {@code stop.sh} when none has come for {@link #SILENCE_SECONDS} s, and notes why
 * in the run folder's {@code worker.log}: a connection the network dropped without a word leaves
 * sshd's session, and so the stdin, open for many minutes. {@code stop.sh}
 * sends TERM to the group (the worker's shutdown hook reports the run as cancelled) and KILL ten
 * seconds later if anything is left. The worker's exit code goes to {@code worker.exit}.
 */
public final class RemoteScripts {
    /** The wrapper that starts the worker. */
    public static final String RUN = "run.sh";
    /** The script that stops it. */
    public static final String STOP = "stop.sh";
    /** The worker's request. */
    public static final String REQUEST = "request.json";
    /** The worker's process group id, present while it runs. */
    public static final String PID = "worker.pid";
    /** The worker's exit code, written when it ends. */
    public static final String EXIT = "worker.exit";
    /**
     * Made by {@code stop.sh} before it signals the worker: with {@link #PID} and without {@link
     * #EXIT}, the worker is being stopped already (by the lifeline, the watchdog or a Stop).
     */
    public static final String STOPPING = "worker.stopping";

    /** Seconds between TERM and KILL. */
    public static final int KILL_AFTER_SECONDS = 10;

    /** Seconds between the workbench's heartbeats (a newline on the wrapper's stdin). */
    public static final int HEARTBEAT_SECONDS = 10;

    /**
     * Seconds without a heartbeat after which the wrapper's watchdog stops the worker: it checks
     * every {@link #checkSeconds} s (5 s here), so it acts 60 to 65 s after the last heartbeat came,
     * about when the workbench's own keep-alives (every 15 s, 4 unanswered) give the connection up.
     */
    public static final int SILENCE_SECONDS = 60;

    /** The file the lifeline creates on each heartbeat and the watchdog removes (not copied back). */
    public static final String HEARTBEAT = "heartbeat";

    /**
     * The worker's own copy of its events, in the run folder (the request's {@code events_file});
     * collect appends the lines that never reached the workbench to the local events.jsonl.
     */
    public static final String EVENTS = "events.jsonl";

    /** The wrapper's own notes, in the run folder; collect appends them to the local worker.log. */
    public static final String LOG = "worker.log";

    /**
     * What a remote worker is started with.
     *
     * @param runId the run id (for comments only)
     * @param runDir the run's absolute folder on the remote machine
     * @param java the java executable on the remote machine
     * @param jvmFlags extra JVM flags
     * @param jar the worker jar on the remote machine
     * @param environment environment variables for the worker (names checked, values quoted)
     * @param allocatorEnvironment the allocator's settings ({@link
     *     org.da3.workbench.run.WorkerRequest#allocatorEnvironment()}); the target's environment
     *     comes after it and wins
     */
    public record Launch(String runId, String runDir, String java, List<String> jvmFlags, String jar,
            Map<String, String> environment, Map<String, String> allocatorEnvironment) {
        /** Checks the names and copies the collections. */
        public Launch {
            jvmFlags = List.copyOf(jvmFlags);
            environment = new LinkedHashMap<>(environment);
            allocatorEnvironment = new LinkedHashMap<>(allocatorEnvironment);
            for (String name : environment.keySet()) {
                if (!Shell.isEnvName(name)) {
                    throw new IllegalArgumentException("'" + name + "' is not an environment variable name;"
                            + " use letters, digits and '_', not starting with a digit");
                }
            }
        }

        /**
         * A launch with the exact allocator setting.
         *
         * @param runId the run id
         * @param runDir the remote run folder
         * @param java the java executable
         * @param jvmFlags extra JVM flags
         * @param jar the worker jar
         * @param environment the worker's environment
         */
        public Launch(String runId, String runDir, String java, List<String> jvmFlags, String jar,
                Map<String, String> environment) {
            this(runId, runDir, java, jvmFlags, jar, environment, org.da3.workbench.run.LocalTarget.MEMORY_ENVIRONMENT);
        }

        /** @return the worker's command line, one word each */
        public List<String> workerCommand() {
            List<String> cmd = new ArrayList<>();
            cmd.add(java);
            cmd.addAll(org.da3.workbench.run.LocalTarget.DEFAULT_JVM_FLAGS);
            cmd.addAll(jvmFlags); // later flags win
            cmd.add("-Dai.djl.offline=true");
            cmd.add("-Djava.awt.headless=true");
            cmd.add("-jar");
            cmd.add(jar);
            cmd.add("worker");
            cmd.add("--request");
            cmd.add(REQUEST);
            return cmd;
        }
    }

    private RemoteScripts() {}

    /**
     * The command line that runs a script of a run folder (what is sent over the exec channel).
     *
     * @param runDir the run's remote folder
     * @param script {@link #RUN} or {@link #STOP}
     * @return the command line
     */
    public static String command(String runDir, String script) {
        return "/bin/sh " + Shell.quote(runDir + "/" + script);
    }

    /**
     * The wrapper script.
     *
     * @param l the launch
     * @return the text of run.sh
     */
    public static String run(Launch l) {
        return run(l, SILENCE_SECONDS);
    }

    /**
     * How often the watchdog looks for a heartbeat: a tenth of the silence allowed, 1 to 5 s. It
     * stops the worker at the first check that has seen none for the silence allowed, rounded up
     * to a multiple of this.
     *
     * @param silenceSeconds the silence allowed
     * @return seconds between its checks
     */
    static int checkSeconds(int silenceSeconds) {
        return Math.max(1, Math.min(5, silenceSeconds / 10));
    }

    /**
     * The wrapper script with another silence limit for its watchdog (tests).
     *
     * @param l the launch
     * @param silenceSeconds seconds without a heartbeat after which the worker is stopped (at least 1)
     * @return the text of run.sh
     */
    public static String run(Launch l, int silenceSeconds) {
        if (silenceSeconds < 1) {
            throw new IllegalArgumentException("the silence limit must be at least 1 s: " + silenceSeconds);
        }
        int check = checkSeconds(silenceSeconds);
        StringBuilder sb = new StringBuilder();
        sb.append("#!/bin/sh\n");
        sb.append("# DA3 Workbench worker wrapper (generated; every value is single-quoted).\n");
        sb.append("# Starts the worker in its own process group (id in ").append(PID).append(") and runs ")
                .append(STOP).append("\n# when this script's stdin closes (on Stop, or when the SSH connection drops), or when the"
                + " workbench's\n# heartbeat on it stops for ").append(silenceSeconds).append(" s (a connection dropped"
                + " without sshd noticing).\n");
        sb.append("cd ").append(Shell.quote(l.runDir())).append(" || exit 3\n");
        for (String name : org.da3.workbench.run.LocalTarget.MEMORY_ENVIRONMENT.keySet()) {
            if (!l.allocatorEnvironment().containsKey(name) && !l.environment().containsKey(name)) {
                sb.append("unset ").append(name).append('\n');
            }
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.putAll(l.allocatorEnvironment());
        env.putAll(l.environment());
        for (Map.Entry<String, String> e : env.entrySet()) {
            sb.append("export ").append(e.getKey()).append('=').append(Shell.quote(e.getValue())).append('\n');
        }
        sb.append("if ! command -v setsid >/dev/null 2>&1; then\n");
        sb.append("  echo 'da3: setsid (util-linux) is not installed on this machine; the workbench needs it"
                + " to stop workers' >&2\n");
        sb.append("  echo 3 > ").append(EXIT).append("\n  exit 3\nfi\n");
        sb.append("rm -f ").append(PID).append(' ').append(EXIT).append(' ').append(HEARTBEAT).append(' ')
                .append(STOPPING).append('\n');
        sb.append("exec 3<&0\n");
        sb.append("setsid /bin/sh -c 'echo $$ > ").append(PID).append("; exec \"$@\"' da3-worker ")
                .append(Shell.join(l.workerCommand())).append(" </dev/null 3<&- &\n");
        sb.append("worker=$!\n");
        sb.append("# The lifeline: each line on stdin is a heartbeat of the workbench; the end of stdin stops the worker.\n");
        sb.append("( while IFS= read -r beat <&3; do : > ").append(HEARTBEAT).append("; done; /bin/sh ./").append(STOP)
                .append(" ) </dev/null >/dev/null 2>&1 &\n");
        sb.append("lifeline=$!\n");
        sb.append("# The watchdog: no heartbeat for ").append(silenceSeconds)
                .append(" s (a connection dropped without sshd noticing) stops the worker too.\n");
        sb.append("( silent=0\n");
        sb.append("  while sleep ").append(check).append("; do\n");
        sb.append("    if [ -f ").append(HEARTBEAT).append(" ]; then rm -f ").append(HEARTBEAT)
                .append("; silent=0; else silent=$((silent+").append(check).append(")); fi\n");
        sb.append("    if [ \"$silent\" -ge ").append(silenceSeconds).append(" ]; then\n");
        sb.append("      echo \"[$(date -u +%Y-%m-%dT%H:%M:%SZ)] da3 (on the machine): no heartbeat from the workbench"
                + " for $silent s (the connection was lost without this machine noticing); stopping the worker with ")
                .append(STOP).append("\" >> ").append(LOG).append('\n');
        sb.append("      /bin/sh ./").append(STOP).append("\n      exit 0\n    fi\n  done ) </dev/null >/dev/null 2>&1 3<&- &\n");
        sb.append("watchdog=$!\n");
        sb.append("exec 3<&-\n");
        sb.append("wait \"$worker\"\n");
        sb.append("code=$?\n");
        sb.append("echo \"$code\" > ").append(EXIT).append('\n');
        sb.append("rm -f ").append(PID).append('\n');
        sb.append("kill \"$lifeline\" \"$watchdog\" 2>/dev/null\n");
        sb.append("rm -f ").append(HEARTBEAT).append('\n');
        sb.append("exit \"$code\"\n");
        return sb.toString();
    }

    /**
     * The stop script: TERM to the worker's process group, KILL after {@link #KILL_AFTER_SECONDS}.
     * It makes {@link #STOPPING} first, and returns once the group is gone. Safe to run more than
     * once and after the worker ended.
     *
     * @param runDir the run's remote folder
     * @return the text of stop.sh
     */
    public static String stop(String runDir) {
        return stop(runDir, KILL_AFTER_SECONDS);
    }

    /**
     * The stop script with another delay between TERM and KILL.
     *
     * @param runDir the run's remote folder
     * @param killAfterSeconds seconds to wait for the group to end after TERM
     * @return the text of stop.sh
     */
    public static String stop(String runDir, int killAfterSeconds) {
        return "#!/bin/sh\n"
                + "# Stops the DA3 worker of this run folder (generated). Safe to run twice.\n"
                + "cd " + Shell.quote(runDir) + " || exit 0\n"
                + "i=0\n"
                + "while [ ! -s " + PID + " ] && [ ! -f " + EXIT + " ] && [ \"$i\" -lt 20 ]; do sleep 1; i=$((i+1)); done\n"
                + "[ -f " + EXIT + " ] && exit 0\n"
                + "[ -s " + PID + " ] || exit 0\n"
                + "pid=$(cat " + PID + ")\n"
                + "case \"$pid\" in ''|*[!0-9]*) exit 0 ;; esac\n"
                + ": > " + STOPPING + "\n"
                + "kill -TERM \"-$pid\" 2>/dev/null || exit 0\n"
                + "i=0\n"
                + "while [ \"$i\" -lt " + killAfterSeconds + " ] && kill -0 \"-$pid\" 2>/dev/null; do sleep 1;"
                + " i=$((i+1)); done\n"
                + "kill -KILL \"-$pid\" 2>/dev/null\n"
                + "exit 0\n";
    }
}
