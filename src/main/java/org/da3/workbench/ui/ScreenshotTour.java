package org.da3.workbench.ui;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import javafx.animation.KeyFrame;
import javafx.animation.PauseTransition;
import javafx.animation.Timeline;
import javafx.application.Platform;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.image.WritableImage;
import javax.imageio.ImageIO;
import org.da3.workbench.ui.monitor.RunItem;
import org.da3.workbench.ui.monitor.RunStatus;

/**
 * Takes screenshots of every view during a real run, for the docs: launches the loaded spec,
 * waits until its last run is well under way (the others done), overlays the runs in the
 * Monitor, then writes {@code setup.png}, {@code setup-error.png}, {@code monitor.png} and
 * {@code memory.png}; waits for every run to finish, so the comparison has all its methods and
 * their ratios, writes {@code results.png} and quits. Run it under a real display or Xvfb:
 * {@code xvfb-run -a -s "-screen 0 1600x1000x24" java -jar target/da3-workbench.jar gui --screenshots docs/img}.
 */
final class ScreenshotTour {
    private static final Duration LIMIT = Duration.ofMinutes(30);
    private static final double UNDER_WAY = 0.4;

    private final Workbench wb;
    private final Path dir;
    private final Instant started = Instant.now();
    private Timeline poll;

    ScreenshotTour(Workbench wb, Path dir) {
        this.wb = wb;
        this.dir = dir;
    }

    void start() {
        MainViewModel vm = wb.viewModel();
        // wait for the dataset descriptions, then launch
        Timeline wait = new Timeline(new KeyFrame(javafx.util.Duration.millis(500), e -> {
            if (poll != null) {
                return;
            }
            if (vm.setup().canLaunch()) {
                vm.setup().launch();
                poll = new Timeline(new KeyFrame(javafx.util.Duration.seconds(1), x -> check()));
                poll.setCycleCount(Timeline.INDEFINITE);
                poll.play();
            } else if (Duration.between(started, Instant.now()).toSeconds() > 60) {
                fail("cannot launch the spec: " + vm.setup().getProblem());
            }
        }));
        wait.setCycleCount(120);
        wait.play();
    }

    private void check() {
        List<RunItem> runs = wb.viewModel().monitor().runs();
        boolean allDone = runs.stream().allMatch(r -> r.getStatus().isDone());
        RunItem last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
        boolean lastUnderWay = last != null && last.getStatus() == RunStatus.RUNNING && last.getProgress() >= UNDER_WAY;
        boolean timeUp = Duration.between(started, Instant.now()).compareTo(LIMIT) > 0;
        if (lastUnderWay || allDone || timeUp) {
            poll.stop();
            List<RunItem> shown = new ArrayList<>();
            for (RunItem r : runs) {
                if (!r.job().isPretraining() && r.getStatus() != RunStatus.QUEUED) {
                    shown.add(r);
                }
            }
            wb.viewModel().monitor().selected().setAll(shown);
            capture();
        }
    }

    private void capture() {
        MainViewModel vm = wb.viewModel();
        String epochs = vm.setup().epochs().getText();
        List<Step> steps = List.of(
                new Step("setup.png", () -> vm.setPage(MainViewModel.Page.SETUP)),
                new Step("setup-error.png", () -> {
                    vm.setup().epochs().setText("0");
                    wb.view().setupView().reveal(vm.setup().epochs());
                }),
                new Step("monitor.png", () -> {
                    vm.setup().epochs().setText(epochs);
                    wb.view().setupView().reveal(vm.setup().name());
                    vm.setPage(MainViewModel.Page.MONITOR);
                }),
                new Step("memory.png", () -> vm.setPage(MainViewModel.Page.MEMORY)));
        next(steps, 0, ok -> {
            if (!ok) {
                finish(false);
                return;
            }
            // the comparison once every run has finished: all methods, and their ratios to fine-tune
            poll = new Timeline(new KeyFrame(javafx.util.Duration.seconds(1), x -> {
                boolean allDone = vm.monitor().runs().stream().allMatch(r -> r.getStatus().isDone());
                if (allDone || Duration.between(started, Instant.now()).compareTo(LIMIT) > 0) {
                    poll.stop();
                    next(List.of(new Step("results.png", () -> vm.setPage(MainViewModel.Page.RESULTS))), 0,
                            this::finish);
                }
            }));
            poll.setCycleCount(Timeline.INDEFINITE);
            poll.play();
        });
    }

    private void finish(boolean ok) {
        wb.viewModel().monitor().stopAll();
        WorkbenchApp.setExitCode(ok ? 0 : 1);
        PauseTransition p = new PauseTransition(javafx.util.Duration.seconds(2));
        p.setOnFinished(e -> wb.stage().close());
        p.play();
    }

    private record Step(String file, Runnable before) {}

    private void next(List<Step> steps, int i, Consumer<Boolean> done) {
        if (i == steps.size()) {
            done.accept(true);
            return;
        }
        Step s = steps.get(i);
        s.before().run();
        PauseTransition p = new PauseTransition(javafx.util.Duration.millis(900));
        p.setOnFinished(e -> {
            try {
                Files.createDirectories(dir);
                WritableImage img = wb.stage().getScene().snapshot(null);
                Path file = dir.resolve(s.file());
                ImageIO.write(SwingFXUtils.fromFXImage(img, null), "png", file.toFile());
                System.out.println("wrote " + file);
                next(steps, i + 1, done);
            } catch (IOException ex) {
                System.err.println("cannot write " + s.file() + ": " + ex.getMessage());
                done.accept(false);
            }
        });
        p.play();
    }

    private void fail(String message) {
        System.err.println("screenshots: " + message);
        WorkbenchApp.setExitCode(1);
        Platform.runLater(() -> wb.stage().close());
    }
}
