package org.da3.workbench.ui.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.da3.workbench.memory.MemoryProfile;
import org.da3.workbench.spec.ExperimentSpec;
import org.da3.workbench.spec.SpecLoader;
import org.da3.workbench.test.TestWorkspace;
import org.da3.workbench.ui.task.CurrentThreadTaskExecutor;
import org.junit.jupiter.api.Test;

/** The Memory view model: the analytic profiler run for the Setup view's spec, without the FX toolkit. */
class MemoryViewModelTest {
    private final MemoryViewModel vm = new MemoryViewModel(new CurrentThreadTaskExecutor(), () -> 10);

    private static ExperimentSpec spec(String methods) {
        return new SpecLoader(null).parse("t.yaml", TestWorkspace.tinySpec("t", methods, "a, b")
                .replace("width: 8", "width: 16").replace("image_size: 16", "image_size: 32"));
    }

    @Test
    void profilesEveryMethodOfTheSpec() {
        vm.setSpec(spec("finetune, linear, da3"));
        assertThat(vm.profiles()).extracting(MemoryProfile::label).containsExactly("finetune", "linear", "da3");
        MemoryProfile ft = vm.profiles().get(0);
        MemoryProfile da3 = vm.profiles().get(2);
        assertThat(ft.stepBytes()).as("fine-tuning keeps every activation").isGreaterThan(da3.stepBytes());
        assertThat(ft.batch()).isEqualTo(16);
        assertThat(ft.imageSize()).isEqualTo(32);
        assertThat(vm.getSelected()).isSameAs(da3);
        assertThat(vm.statusProperty().get()).contains("resnet26-16 · batch 16 · 32 px · 10 classes");

        Map<String, Long> blocks = MemoryViewModel.keptPerBlock(ft);
        assertThat(blocks.keySet()).startsWith("stem", "layer1.0").endsWith("head");
        assertThat(blocks.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(ft.keptBytes());
    }

    @Test
    void theGateOpenRatioIsAnInputValidatedAsTyped() {
        vm.setSpec(spec("da3"));
        long open = vm.profiles().get(0).stepBytes();
        vm.openRatio().setText("2");
        assertThat(vm.openRatio().getError()).contains("out of range");
        assertThat(vm.profiles().get(0).stepBytes()).as("the last valid profile stays").isEqualTo(open);
        vm.openRatio().setText("0.3");
        assertThat(vm.profiles().get(0).openRatio()).isEqualTo(0.3);
        assertThat(vm.profiles().get(0).stepBytes()).as("closed gates keep less").isLessThanOrEqualTo(open);
        vm.openRatio().setText("-0");
        assertThat(vm.statusProperty().get()).contains("gates 0% open");
    }

    @Test
    void keepsTheChosenMethodAcrossChanges() {
        vm.setSpec(spec("finetune, linear"));
        vm.setSelected(vm.profiles().get(0));
        vm.setSpec(spec("finetune, linear, da3"));
        assertThat(vm.getSelected().label()).isEqualTo("finetune");
        assertThat(MemoryViewModel.blockOf("layer3.1.conv2")).isEqualTo("layer3.1");
        assertThat(MemoryViewModel.blockOf("fc")).isEqualTo("head");
        assertThat(MemoryViewModel.blockOf("bn1")).isEqualTo("stem");
    }

    @Test
    void saysSoWhileTheSpecInSetupHasErrors(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        org.da3.workbench.Workspace ws = TestWorkspace.create(dir, 10, 10);
        org.da3.workbench.ui.task.TaskExecutor ex = new CurrentThreadTaskExecutor();
        var targets = new org.da3.workbench.ui.LocalTargetProvider();
        var setup = new org.da3.workbench.ui.setup.SetupViewModel(ws, ex, targets);
        var launcher = new org.da3.workbench.ui.monitor.TargetPoolLauncher(
                new org.da3.workbench.run.ExperimentRunner(ws), targets);
        new org.da3.workbench.ui.MainViewModel(setup, new org.da3.workbench.ui.monitor.MonitorViewModel(ex, launcher),
                new org.da3.workbench.ui.results.ResultsViewModel(ws, ex), vm);
        setup.refreshDomains();
        setup.load(java.nio.file.Files.writeString(ws.experimentsDir().resolve("t.yaml"),
                TestWorkspace.tinySpec("t", "finetune", "tiny-shapes")));
        assertThat(vm.statusProperty().get()).contains("batch 16");
        setup.batchSize().setText("sixty-four");
        assertThat(vm.statusProperty().get()).as("not the batch of 16 the form no longer holds")
                .isEqualTo("the spec in Setup has errors; the profile shows the last valid one");
        assertThat(vm.profiles()).as("the last valid profile stays").hasSize(1);
        setup.batchSize().setText("64");
        assertThat(vm.statusProperty().get()).contains("batch 64");
        launcher.shutdown();
    }
}
