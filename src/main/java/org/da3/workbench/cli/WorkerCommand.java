package org.da3.workbench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.da3.workbench.Workspace;
import org.da3.workbench.data.DatasetCatalog;
import org.da3.workbench.data.DatasetDescriptor;
import org.da3.workbench.data.DatasetException;
import org.da3.workbench.memory.Probes;
import org.da3.workbench.run.ExperimentRunner;
import org.da3.workbench.run.PlannedRun;
import org.da3.workbench.run.RunDirectory;
import org.da3.workbench.run.WorkerExit;
import org.da3.workbench.run.WorkerRequest;
import org.da3.workbench.run.event.EventCodec;
import org.da3.workbench.run.event.RunError;
import org.da3.workbench.run.event.RunFinished;
import org.da3.workbench.run.event.RunStarted;
import org.da3.workbench.spec.ExperimentSpec;
import org.da3.workbench.spec.SpecException;
import org.da3.workbench.spec.SpecLoader;
import org.da3.workbench.train.EngineSupport;
import org.da3.workbench.train.MultiDomainRun;
import org.da3.workbench.train.RunContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code da3 worker}: runs one run in this process and writes its events as JSON lines on stdout
 * (flushed per line); logs go to stderr. Started by targets; also usable by hand.
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = {"Run one run and stream its events as JSON lines on stdout (logs on stderr).",
            "Reads a worker request (JSON) with --request, or a spec file with one method and one seed."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:completed", "1:the run failed (error event sent)", "2:invalid request or spec",
            "3:engine unusable", "130:cancelled"})
public final class WorkerCommand implements Callable<Integer> {

    /**
     * Seconds a stopped worker (SIGTERM) waits for its run to end after the current step before it
     * reports the run cancelled itself: within the ssh target's ten seconds before KILL.
     */
    static final int CANCEL_WAIT_SECONDS = 5;

    @Option(names = "--request", paramLabel = "FILE|-", description = "worker request JSON ('-' for stdin)")
    private String request;

    @Parameters(arity = "0..1", paramLabel = "SPEC", description = "a spec file (its first method and seed are run)")
    private Path specFile;

    @Option(names = "--output", paramLabel = "DIR",
            description = "output folder when running a SPEC (default: a new run directory)")
    private Path output;

    @Override
    public Integer call() throws Exception {
        // stdout carries events only: everything else printed goes to stderr.
        PrintStream events = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false,
                StandardCharsets.UTF_8);
        System.setOut(System.err);
        // the run, once it exists: stopped when nobody reads the events any more
        AtomicReference<MultiDomainRun> current = new AtomicReference<>();
        AtomicBoolean readerGone = new AtomicBoolean();
        // the request's events file, once it is read: each line goes there before stdout, so what a
        // lost connection keeps from the workbench is still on this machine to be copied back
        AtomicReference<java.io.OutputStream> copy = new AtomicReference<>();
        RunContext.EnvelopeSink write = env -> {
            String line = EventCodec.encode(env);
            synchronized (events) {
                copyLine(copy, line);
                events.println(line);
                if (events.checkError() && readerGone.compareAndSet(false, true)) {
                    // the workbench that started this worker is gone (killed, crashed): training on
                    // unobserved would hold the machine and write patches no run records
                    System.err.println("da3 worker: nobody reads the events any more (the workbench ended); stopping");
                    MultiDomainRun r = current.get();
                    if (r != null) {
                        r.cancel();
                    }
                }
            }
        };
        WorkerRequest req;
        try {
            req = readRequest();
        } catch (SpecException | DatasetException | IllegalArgumentException e) {
            System.err.println("da3 worker: " + e.getMessage());
            if (request != null) {
                // a monitor reads the outcome from the events: error and run_finished, though the
                // request (and so the run id) could not be read
                RunContext unread = new RunContext("", write);
                unread.emit(new RunError(e.getMessage(), e.getClass().getName(), ""));
                unread.emit(new RunFinished(RunFinished.FAILED, 0, Map.of("exit_code", WorkerExit.BAD_INPUT)));
            }
            return WorkerExit.BAD_INPUT;
        }
        if (req.eventsFile() != null) {
            copy.set(openCopy(req.eventsFile()));
        }
        AtomicBoolean finished = new AtomicBoolean();
        // Probes the request asks for (tegrastats on a Jetson) start right after run_started and
        // emit through the same context, so their events share the run's sequence numbers.
        AtomicReference<AutoCloseable> probes = new AtomicReference<>();
        RunContext[] self = new RunContext[1];
        RunContext ctx = new RunContext(req.runId(), env -> {
            write.accept(env);
            if (env.event() instanceof RunStarted && !req.probes().isEmpty() && probes.get() == null) {
                probes.set(Probes.start(req.probes(), self[0]));
            }
        });
        self[0] = ctx;
        long start = System.nanoTime();
        MultiDomainRun[] holder = new MultiDomainRun[1];
        java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
        Thread hook = new Thread(() -> {
            MultiDomainRun r = holder[0];
            if (r != null) {
                // Stop (SIGTERM): the run stops after its current step and ends as usual, so the
                // patches and epoch checkpoints it saved and the events that record them agree (a
                // file saved whose event never came would not be taken over by --resume)
                r.cancel();
                try {
                    ended.await(CANCEL_WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (finished.compareAndSet(false, true)) {
                // the run did not end in time (a long step, a blocked stdout): its end is said here
                stopProbes(probes);
                ctx.emit(new RunFinished(RunFinished.CANCELLED, (System.nanoTime() - start) / 1e9, Map.of()));
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        int code;
        try {
            ExperimentSpec spec = parseSpec(req);
            Map<String, DatasetDescriptor> ds = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : req.datasets().entrySet()) {
                ds.put(e.getKey(), DatasetCatalog.fromTree(e.getKey(), e.getValue()));
            }
            // a patch to take over that is missing or changed is bad input, named before the engine loads
            MultiDomainRun run = new MultiDomainRun(spec, ds, req.weights() == null ? null : Path.of(req.weights()),
                    Path.of(req.outputDir()), ctx).resuming(req.resume());
            Map<String, Object> versions = EngineSupport.start(spec.training().threads());
            holder[0] = run;
            current.set(run);
            if (readerGone.get()) {
                run.cancel();
            }
            Map<String, Object> summary = run.execute(versions);
            String status = (String) summary.getOrDefault("status", RunFinished.COMPLETED);
            if (finished.compareAndSet(false, true)) { // else the shutdown hook has said it ended
                stopProbes(probes);
                ctx.emit(new RunFinished(status, (System.nanoTime() - start) / 1e9, summary));
            }
            code = RunFinished.CANCELLED.equals(status) ? WorkerExit.CANCELLED : WorkerExit.OK;
        } catch (SpecException | DatasetException | IllegalArgumentException e) {
            stopProbes(probes);
            code = fail(ctx, finished, start, e, WorkerExit.BAD_INPUT);
        } catch (EngineSupport.EngineUnavailableException e) {
            stopProbes(probes);
            code = fail(ctx, finished, start, e, WorkerExit.ENVIRONMENT);
        } catch (Exception | OutOfMemoryError e) {
            stopProbes(probes);
            code = fail(ctx, finished, start, e, WorkerExit.RUN_FAILED);
        }
        ended.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
        return code;
    }

    /** Opens the request's events file for appending, or says on stderr why it cannot be (the run goes on). */
    private static java.io.OutputStream openCopy(String file) {
        try {
            Path p = Path.of(file);
            if (p.getParent() != null) {
                Files.createDirectories(p.getParent());
            }
            return Files.newOutputStream(p, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException | RuntimeException e) {
            System.err.println("da3 worker: cannot write the events file " + file + " (" + e.getMessage()
                    + "); the events go to stdout only, and those a lost connection keeps from the workbench are lost");
            return null;
        }
    }

    /** Appends one event line to the events file; after a write error, says so once and stops copying. */
    private static void copyLine(AtomicReference<java.io.OutputStream> copy, String line) {
        java.io.OutputStream out = copy.get();
        if (out == null) {
            return;
        }
        try {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            copy.set(null);
            System.err.println("da3 worker: cannot write the events file any more (" + e.getMessage()
                    + "); the events go to stdout only from here on");
        }
    }

    private static void stopProbes(AtomicReference<AutoCloseable> probes) {
        AutoCloseable p = probes.getAndSet(null);
        if (p != null) {
            try {
                p.close();
            } catch (Exception e) {
                System.err.println("da3 worker: stopping the probes failed: " + e);
            }
        }
    }

    private static int fail(RunContext ctx, AtomicBoolean finished, long start, Throwable e, int code) {
        if (!finished.compareAndSet(false, true)) {
            return code; // the shutdown hook has said the run ended
        }
        java.io.StringWriter sw = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(sw));
        // bad input is the user's to fix from one line; a failure's stack trace is for us
        System.err.println(code == WorkerExit.BAD_INPUT ? "da3 worker: " + e.getMessage() : sw);
        String msg = e.getMessage() == null ? e.toString() : e.getMessage();
        if (e instanceof OutOfMemoryError) {
            msg = "the worker ran out of Java heap (" + msg + "); raise -Xmx in the target's JVM flags or lower"
                    + " train_limit";
        }
        ctx.emit(new RunError(msg, e.getClass().getName() + (e.getCause() == null ? "" : ": " + e.getCause()),
                sw.toString()));
        ctx.emit(new RunFinished(RunFinished.FAILED, (System.nanoTime() - start) / 1e9, Map.of("exit_code", code)));
        return code;
    }

    private ExperimentSpec parseSpec(WorkerRequest req) {
        JsonNode tree = EventCodec.JSON.valueToTree(req.spec());
        JsonNode domains = tree.get("domains");
        if (domains != null && domains.isArray()) {
            // the request carries a descriptor for each domain; the loader's "unknown domain" would
            // list the request's (incomplete) set as if it were the workspace's
            for (JsonNode d : domains) {
                if (d.isTextual() && !req.datasets().containsKey(d.asText())) {
                    throw new SpecException("request " + req.runId(), "datasets", "has no descriptor for domain '"
                            + d.asText() + "' of spec.domains; a request carries one for each domain it trains");
                }
            }
        }
        ExperimentSpec spec = new SpecLoader(req.datasets().keySet()).fromTree("request " + req.runId(), tree);
        if (spec.methods().size() != 1) {
            throw new SpecException("request " + req.runId(), "methods", "a worker runs exactly one method");
        }
        return spec;
    }

    private WorkerRequest readRequest() throws java.io.IOException {
        if (request != null) {
            byte[] bytes;
            if (request.equals("-")) {
                try (InputStream in = System.in) {
                    bytes = in.readAllBytes();
                }
            } else {
                Path file = Path.of(request);
                if (Files.isDirectory(file)) {
                    throw new IllegalArgumentException("--request " + request + ": is a folder; give the request's"
                            + " JSON file, or - for standard input");
                }
                if (!Files.isRegularFile(file)) {
                    throw new IllegalArgumentException("--request " + request + ": no such file");
                }
                bytes = Files.readAllBytes(file);
            }
            String what = "--request " + request;
            try {
                return EventCodec.JSON.readValue(bytes, WorkerRequest.class);
            } catch (com.fasterxml.jackson.databind.exc.ValueInstantiationException e) {
                // a required field left out (the record's checks name it)
                Throwable c = e.getCause() != null ? e.getCause() : e;
                if (c instanceof IllegalArgumentException) {
                    // a field out of its range (the record's checks say which and why)
                    throw new IllegalArgumentException(what + ": " + c.getMessage(), e);
                }
                throw new IllegalArgumentException(what + ": field " + c.getMessage() + " is missing", e);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
                throw new IllegalArgumentException(what + ": not a valid worker request"
                        + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")") + ": "
                        + e.getOriginalMessage(), e);
            }
        }
        if (specFile == null) {
            throw new IllegalArgumentException("give a worker request (--request FILE|-) or a spec file");
        }
        Workspace ws = Workspace.locate(specFile);
        ExperimentSpec spec = ws.datasets().specLoader().load(specFile);
        ExperimentRunner runner = new ExperimentRunner(ws);
        PlannedRun run = ExperimentRunner.plan(spec).get(0);
        if (output != null && Files.isDirectory(output)) {
            try (var entries = Files.list(output)) {
                if (entries.findAny().isPresent()) {
                    // a finished run's patches and events would be overwritten by another run's
                    throw new IllegalArgumentException("--output " + output + ": is not empty"
                            + (Files.exists(output.resolve("events.jsonl")) ? " (it holds a run: events.jsonl)" : "")
                            + "; give a new or empty folder");
                }
            }
        } else if (output != null && Files.exists(output)) {
            throw new IllegalArgumentException("--output " + output + ": is a file; give a new or empty folder");
        }
        RunDirectory dir = output == null ? RunDirectory.create(ws, run.spec())
                : new RunDirectory(output.toAbsolutePath(), output.getFileName().toString());
        return runner.request(run, dir);
    }
}
