package org.da3.workbench.ui.setup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.da3.workbench.Workspace;
import org.da3.workbench.data.DatasetCatalog;
import org.da3.workbench.spec.ExperimentSpec;
import org.da3.workbench.spec.MethodSpec;
import org.da3.workbench.spec.SpecLoader;
import org.da3.workbench.test.TestWorkspace;
import org.da3.workbench.ui.LocalTargetProvider;
import org.da3.workbench.ui.task.CurrentThreadTaskExecutor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Setup view model without the FX toolkit: every field validated as typed, Launch only for valid specs. */
class SetupViewModelTest {
    @TempDir
    Path dir;

    private Workspace ws;
    private SetupViewModel vm;
    private Path specFile;

    @BeforeEach
    void setUp() throws Exception {
        ws = TestWorkspace.create(dir, 20, 10);
        specFile = Files.writeString(ws.experimentsDir().resolve("tiny.yaml"),
                TestWorkspace.tinySpec("tiny", "linear", "tiny-textures, tiny-shapes"));
        vm = new SetupViewModel(ws, new CurrentThreadTaskExecutor(), new LocalTargetProvider());
        vm.refreshDomains();
        vm.load(specFile);
    }

    private MethodItem method(String name) {
        return vm.methods().stream().filter(m -> m.info().name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void loadingASpecFillsTheFormAndAllowsLaunch() {
        assertThat(vm.name().getText()).isEqualTo("tiny");
        assertThat(vm.selectedDomainNames()).containsExactly("tiny-textures", "tiny-shapes");
        assertThat(vm.domains()).extracting(DomainItem::name).startsWith("tiny-textures", "tiny-shapes");
        DomainItem shapes = vm.domains().get(1);
        assertThat(shapes.usable()).isTrue();
        assertThat(shapes.classes()).isEqualTo(10);
        assertThat(shapes.sizesText()).isEqualTo("20 / 10");
        assertThat(method("linear").isSelected()).isTrue();
        assertThat(method("finetune").isSelected()).isFalse();
        assertThat(vm.methods().get(0).info().name()).as("chosen methods lead the list").isEqualTo("linear");
        assertThat(vm.methods()).extracting(m -> m.info().name()).contains("da3", "piggyback");
        assertThat(vm.epochs().getText()).isEqualTo("1");
        assertThat(vm.imageSize().getText()).isEqualTo("16");
        assertThat(vm.seeds().getText()).isEqualTo("7");
        assertThat(vm.getProblem()).isEmpty();
        assertThat(vm.canLaunch()).isTrue();
        ExperimentSpec s = vm.getSpec();
        assertThat(s.backbone().width()).isEqualTo(8);
        assertThat(s.training().logEvery()).isEqualTo(5);
    }

    /**
     * Values separated by commas sweep an option, as a list does in a spec file: the entry runs
     * once per value, Save writes the list, and each value is checked as typed.
     */
    @Test
    void commasInAnOptionFieldSweepIt() throws Exception {
        MethodItem ft = method("finetune");
        ft.setSelected(true);
        OptionItem lr = ft.option("learning_rate");
        lr.field().setText("0.01, 0.02");
        assertThat(vm.canLaunch()).as(vm.getProblem()).isTrue();
        assertThat(vm.getSpec().methods()).extracting(MethodSpec::displayLabel).containsExactly("linear",
                "finetune[learning_rate=0.01]", "finetune[learning_rate=0.02]");
        Path saved = ws.experimentsDir().resolve("swept.yaml");
        vm.save(saved);
        assertThat(Files.readString(saved)).contains("learning_rate:").doesNotContain("finetune[");
        assertThat(new org.da3.workbench.spec.SpecLoader(null).load(saved).methods()).isEqualTo(vm.getSpec().methods());

        lr.field().setText("0.01, 100");
        assertThat(lr.field().getError()).contains("100").contains("out of range");
        assertThat(vm.canLaunch()).isFalse();
        lr.field().setText("0.01, 0.01");
        assertThat(lr.field().getError()).isEqualTo("lists 0.01 a second time; sweep each value once");
        lr.field().setText("0.01,");
        assertThat(lr.field().getError()).startsWith("a value between commas is empty; to sweep, give the values"
                + " separated by commas, such as 0.01, 0.05");
        ft.option("optimizer").field().setText("sgd, adam");
        lr.field().setText("");
        assertThat(vm.canLaunch()).as(vm.getProblem()).isTrue();
        assertThat(vm.getSpec().methods()).extracting(MethodSpec::displayLabel).containsExactly("linear",
                "finetune[optimizer=sgd]", "finetune[optimizer=adam]");
    }

    /** A spec opened from outside the workspace says whose datasets, weights and runs it uses. */
    @Test
    void aSpecFromOutsideTheWorkspaceSaysWhichWorkspaceItUses(@TempDir Path elsewhere) throws Exception {
        Path outside = Files.writeString(elsewhere.resolve("other.yaml"),
                TestWorkspace.tinySpec("other", "linear", "tiny-shapes"));
        vm.load(outside);
        assertThat(vm.statusProperty().get()).isEqualTo("loaded " + outside + " (from outside this workspace, "
                + ws.root() + ": its domains, weights and runs are this workspace's)");
        vm.load(specFile);
        assertThat(vm.statusProperty().get()).isEqualTo("loaded experiments/tiny.yaml");
    }

    /** A spec that sweeps an option opens with each variant as an entry of its own, and launches them all. */
    @Test
    void aSweepOpensAsOneEntryPerVariant() throws Exception {
        Path sweep = Files.writeString(ws.experimentsDir().resolve("sweep.yaml"), TestWorkspace.tinySpec("sweep",
                "linear, {name: finetune, label: ft, options: {learning_rate: [0.01, 0.02]}}", "tiny-shapes"));
        vm.load(sweep);
        assertThat(vm.methods().stream().filter(MethodItem::isSelected).map(m -> m.label().getText()))
                .containsExactly("", "ft[learning_rate=0.01]", "ft[learning_rate=0.02]");
        assertThat(vm.canLaunch()).as(vm.getProblem()).isTrue();
        assertThat(vm.getSpec().methods()).extracting(MethodSpec::displayLabel).containsExactly("linear",
                "ft[learning_rate=0.01]", "ft[learning_rate=0.02]");
        assertThat(vm.getSpec().methods().get(2).options()).containsEntry("learning_rate", 0.02);
    }

    @Test
    void anotherArchitectureBringsItsInputSizeUnlessTheUserChoseOne() {
        vm.imageSize().setText("64");
        vm.backboneProperty().set("resnet18");
        assertThat(vm.imageSize().getText()).as("resnet26's 64 becomes resnet18's 224").isEqualTo("224");
        vm.backboneProperty().set("resnet26");
        assertThat(vm.imageSize().getText()).isEqualTo("64");
        vm.imageSize().setText("48");
        vm.backboneProperty().set("resnet50");
        assertThat(vm.imageSize().getText()).as("a size of the user's own stays").isEqualTo("48");
    }

    @Test
    void aBadValueShowsAnInlineErrorAndDisablesLaunch() {
        vm.epochs().setText("0");
        assertThat(vm.epochs().getError()).contains("out of range").contains("1 to 10000");
        assertThat(vm.canLaunch()).isFalse();
        assertThat(vm.getSpec()).isNull();
        assertThat(vm.getProblem()).contains("training.epochs");

        vm.epochs().setText("2");
        assertThat(vm.canLaunch()).isTrue();
        assertThat(vm.getSpec().training().epochs()).isEqualTo(2);

        vm.learningRate().setText("fast");
        assertThat(vm.learningRate().getError()).contains("'fast' is not a number");
        assertThat(vm.canLaunch()).isFalse();
        vm.learningRate().setText("0.1");
        vm.name().setText("no spaces allowed");
        assertThat(vm.name().getError()).contains("not a usable experiment name");
        assertThat(vm.canLaunch()).isFalse();
    }

    @Test
    void methodOptionsAreValidatedAsTypedWithTheCatalogsRules() {
        MethodItem ft = method("finetune");
        ft.setSelected(true);
        OptionItem lr = ft.option("learning_rate");
        assertThat(lr.promptText()).isEqualTo("inherit");
        lr.field().setText("100");
        assertThat(lr.field().getError()).contains("out of range").contains("1e-9 to 10");
        assertThat(vm.canLaunch()).isFalse();
        lr.field().setText("0.02");
        ft.option("optimizer").field().setText("adam");
        assertThat(vm.canLaunch()).isTrue();
        assertThat(vm.getSpec().methods()).as("the loaded spec's methods first, in its order")
                .extracting(m -> m.displayLabel())
                .containsExactly("linear", "finetune[learning_rate=0.02,optimizer=adam]");

        ft.setSelected(false);
        assertThat(vm.getSpec().methods()).hasSize(1);
    }

    /**
     * A number typed in a field is read as the same text in quotes in a spec file: what the loader
     * refuses (Java's own spellings, hexadecimal, '_' between digits) is refused as typed, and what
     * it reads gives the same value.
     */
    @Test
    void numberFieldsReadWhatASpecFileReads() {
        org.da3.workbench.spec.SpecLoader loader = new org.da3.workbench.spec.SpecLoader(null);
        MethodItem da3 = method("da3");
        da3.setSelected(true);
        for (String text : new String[] {"0x1p-3", "1d", "0.5f", "0x10", "1_000", "0.0_1", "0b1", "1e-3", "5.0e-4",
            ".5", "+0.5", "0.05", "NaN", "Infinity"}) {
            Object file;
            try {
                file = loader.parse("demo.yaml", "name: d\ndomains: [shapes]\nmethods: [da3]\ntraining: {learning_rate: '"
                        + text + "'}\n").training().learningRate();
            } catch (org.da3.workbench.spec.SpecException e) {
                file = "refused";
            }
            vm.learningRate().setText(text);
            assertThat(vm.learningRate().isValid() ? vm.learningRate().getValue() : "refused").as("learning rate " + text)
                    .isEqualTo(file);
            try {
                file = loader.parse("demo.yaml", "name: d\ndomains: [shapes]\nmethods: [{name: da3, options: {rho: '"
                        + text + "'}}]\n").methods().get(0).options().get("rho");
            } catch (org.da3.workbench.spec.SpecException e) {
                file = "refused";
            }
            OptionItem rho = da3.option("rho");
            rho.field().setText(text);
            assertThat(rho.field().isValid() ? rho.field().getValue() : "refused").as("rho " + text).isEqualTo(file);
        }
        vm.learningRate().setText("0x1p-3");
        assertThat(vm.learningRate().getError()).isEqualTo("'0x1p-3' is not a number; use one such as 0.01");
    }

    @Test
    void variantsOfAMethodNeedDistinctLabels() {
        MethodItem lin = method("linear");
        MethodItem variant = vm.addVariant(lin);
        assertThat(vm.canLaunch()).isTrue();
        variant.label().setText("");
        assertThat(variant.label().getError()).as("the CLI's check names the duplicate").contains("listed twice");
        assertThat(vm.canLaunch()).isFalse();
        variant.option("learning_rate").field().setText("0.2");
        assertThat(vm.canLaunch()).isTrue();
        vm.removeVariant(variant);
        assertThat(vm.methods()).doesNotContain(variant);
    }

    @Test
    void aNewVariantTakesALabelNoEntryUses() {
        MethodItem lin = method("linear");
        MethodItem two = vm.addVariant(lin);
        MethodItem three = vm.addVariant(lin);
        assertThat(two.label().getText()).isEqualTo("linear-2");
        assertThat(three.label().getText()).isEqualTo("linear-3");
        vm.removeVariant(two);
        MethodItem again = vm.addVariant(lin);
        assertThat(again.label().getText()).isEqualTo("linear-2");
        assertThat(vm.addVariant(lin).label().getText()).isEqualTo("linear-4");
        assertThat(vm.canLaunch()).isTrue();
    }

    @Test
    void domainsNeedChoosingAndKeepTheirOrder() {
        for (DomainItem d : vm.domains()) {
            d.setSelected(false);
        }
        assertThat(vm.getProblem()).isEqualTo("choose at least one domain");
        assertThat(vm.canLaunch()).isFalse();
        DomainItem glyphs = vm.domains().stream().filter(d -> d.name().equals("tiny-glyphs")).findFirst().orElseThrow();
        DomainItem signs = vm.domains().stream().filter(d -> d.name().equals("tiny-signs")).findFirst().orElseThrow();
        signs.setSelected(true);
        glyphs.setSelected(true);
        assertThat(vm.selectedDomainNames()).containsExactly("tiny-glyphs", "tiny-signs");
        vm.moveDomain(signs, -1);
        assertThat(vm.selectedDomainNames()).containsExactly("tiny-signs", "tiny-glyphs");
        assertThat(vm.canLaunch()).isTrue();
    }

    @Test
    void missingWeightsWithoutARecipeAreAnError() throws Exception {
        vm.weights().setText("pretrained/none.txt");
        assertThat(vm.weights().getError()).contains("not a weights file");
        vm.weights().setText("pretrained/none.safetensors");
        assertThat(vm.weights().getError()).contains("does not exist");
        assertThat(vm.canLaunch()).isFalse();
        // a recipe that appears is taken on the next check, without editing the weights field
        Files.writeString(ws.pretrainedDir().resolve("none.yaml"), TestWorkspace.tinySpec("src", "finetune", "tiny-shapes"));
        vm.epochs().setText("2");
        assertThat(vm.weights().getError()).isEmpty();
        assertThat(vm.weightsNoteProperty().get()).contains("pretrained from none.yaml");
        assertThat(vm.canLaunch()).isTrue();
        // one that cannot pretrain is marked before Launch
        Files.writeString(ws.pretrainedDir().resolve("none.yaml"), "name: x\n");
        vm.weights().setText("pretrained/none.safetensors ");
        assertThat(vm.weights().getError()).contains("its recipe none.yaml cannot pretrain it: domains:");
        assertThat(vm.weightsNoteProperty().get()).as("the note agrees with the error")
                .isEqualTo("missing; its recipe none.yaml cannot pretrain it");
        assertThat(vm.canLaunch()).isFalse();
        // a folder where the weights file should be
        Files.createDirectories(ws.pretrainedDir().resolve("dir.safetensors"));
        vm.weights().setText("pretrained/dir.safetensors");
        assertThat(vm.weightsNoteProperty().get()).isEqualTo("not a file");
        assertThat(vm.canLaunch()).isFalse();
        // a file that is there but is no tensor file is marked before Launch
        Files.writeString(ws.pretrainedDir().resolve("text.safetensors"), "plain text");
        vm.weights().setText("pretrained/text.safetensors");
        assertThat(vm.weights().getError()).contains("'pretrained/text.safetensors' is not a safetensors file");
        assertThat(vm.canLaunch()).isFalse();

        // weights of another backbone: told from the header, with what to set
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            org.da3.workbench.nn.ResNet r18 = org.da3.workbench.nn.ResNet.create("resnet18", 8);
            r18.allocate(m, 1);
            org.da3.workbench.nn.Weights.save(org.da3.workbench.nn.Weights.arrays(r18.stateDict()),
                    ws.pretrainedDir().resolve("r18.safetensors"));
        }
        vm.weights().setText("pretrained/r18.safetensors");
        assertThat(vm.weights().getError()).contains("'pretrained/r18.safetensors' does not fit resnet26 width")
                .contains("the file holds a resnet18 width 8: set backbone.name: resnet18");
        assertThat(vm.canLaunch()).isFalse();
    }

    @Test
    void savesWhatItLoadsAndTheCliReadsIt() throws Exception {
        vm.epochs().setText("4");
        vm.seeds().setText("1, 2");
        Path out = ws.experimentsDir().resolve("copy.yaml");
        List<String> said = new java.util.ArrayList<>();
        vm.statusProperty().addListener((o, was, now) -> {
            if (!now.isEmpty()) {
                said.add(now);
            }
        });
        vm.save(out);
        vm.save(out);
        assertThat(said).as("saving twice says so twice").containsExactly("saved experiments/copy.yaml",
                "saved experiments/copy.yaml");
        ExperimentSpec back = new SpecLoader(ws.datasets().names()).load(out);
        assertThat(back).isEqualTo(vm.getSpec());
        assertThat(back.seeds()).containsExactly(1L, 2L);
        assertThat(vm.getSpecFile()).isEqualTo(out.toAbsolutePath().normalize());

        SetupViewModel other = new SetupViewModel(ws, new CurrentThreadTaskExecutor(), new LocalTargetProvider());
        other.refreshDomains();
        other.load(out);
        assertThat(other.getSpec()).isEqualTo(back);
    }

    @Test
    void aSpecThatCannotBeSavedSaysWhyNamingTheChosenFile() throws Exception {
        Path aFile = Files.writeString(ws.experimentsDir().resolve("afile"), "x");
        assertThatThrownBy(() -> vm.save(aFile.resolve("s.yaml"))).isInstanceOf(java.io.IOException.class)
                .hasMessage("cannot write " + aFile.resolve("s.yaml") + ": " + aFile + " is a file, not a folder");
        Path aDir = Files.createDirectories(ws.experimentsDir().resolve("adir.yaml"));
        assertThatThrownBy(() -> vm.save(aDir)).hasMessage(aDir + " is a folder; give a file name");
        assertThat(vm.getSpecFile()).isNotEqualTo(aDir.toAbsolutePath().normalize());
    }

    /**
     * A run's spec.yaml is its record (what --skip-completed and --resume compare with): opened to
     * run it again and changed, Save does not write over it, nor over the workspace's targets.yaml;
     * a name chosen without an ending gets .yaml, so the Open dialog (*.yaml) finds it again.
     */
    @Test
    void savingNeverReplacesARunsRecordOrTheTargetsFile() throws Exception {
        Path run = Files.createDirectories(ws.runsDir("tiny").resolve("20260101-000000-linear-s7"));
        Files.writeString(run.resolve("events.jsonl"), "");
        Path runSpec = Files.writeString(run.resolve("spec.yaml"), Files.readString(specFile));
        String before = Files.readString(runSpec);
        vm.load(runSpec);
        vm.epochs().setText("3");
        assertThatThrownBy(() -> vm.save(vm.getSpecFile())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot save experiments/tiny/runs/20260101-000000-linear-s7/spec.yaml")
                .hasMessageContaining("run directory");
        assertThat(Files.readString(runSpec)).isEqualTo(before);

        Path targets = ws.experimentsDir().resolve("targets.yaml");
        assertThatThrownBy(() -> vm.save(targets)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("experiments/targets.yaml").hasMessageContaining("run targets");
        assertThat(targets).doesNotExist();

        assertThat(SetupViewModel.withSpecEnding(ws.experimentsDir().resolve("again"))).hasFileName("again.yaml");
        assertThat(SetupViewModel.withSpecEnding(ws.experimentsDir().resolve("v1.2"))).hasFileName("v1.2.yaml");
        assertThat(SetupViewModel.withSpecEnding(ws.experimentsDir().resolve("a.yml"))).hasFileName("a.yml");
        assertThat(SetupViewModel.withSpecEnding(ws.experimentsDir().resolve("a.YAML"))).hasFileName("a.YAML");
        vm.save(ws.experimentsDir().resolve("again.yaml"));
        assertThat(vm.getSpecFile()).hasFileName("again.yaml");
    }

    @Test
    void anUnknownDomainStaysListedAsMissing() throws Exception {
        Path bad = Files.writeString(ws.experimentsDir().resolve("bad.yaml"),
                TestWorkspace.tinySpec("bad", "linear", "tiny-shapes, nowhere"));
        vm.load(bad);
        DomainItem nowhere = vm.domains().stream().filter(d -> d.name().equals("nowhere")).findFirst().orElseThrow();
        assertThat(nowhere.usable()).isFalse();
        assertThat(vm.getProblem()).contains("nowhere");
        assertThat(vm.canLaunch()).isFalse();
    }

    @Test
    void addsAnImageFolderDescriptor() throws Exception {
        Path images = Files.createDirectories(dir.resolve("My Birds"));
        Files.createDirectories(images.resolve("train/robin"));
        assertThat(SetupViewModel.suggestDatasetName(images)).isEqualTo("my-birds");
        assertThat(SetupViewModel.suggestDatasetName(dir.resolve("Ünïcödé Vögel!"))).isEqualTo("unicode-vogel");
        assertThat(SetupViewModel.suggestDatasetName(dir.resolve("鳥"))).isEqualTo("images");
        vm.addImageFolder(images, "my-birds");
        Path file = ws.datasetsDir().resolve("my-birds.yaml");
        String text = Files.readString(file);
        assertThat(text).contains("kind: imagefolder").contains("path: '" + images.toAbsolutePath().normalize() + "'");
        assertThat(vm.selectedDomainNames()).contains("my-birds");
        assertThatThrownBy(() -> vm.addImageFolder(images, "my-birds")).hasMessageContaining("already exists");
        // the descriptor is the datasets engineer's format; this build may not know the kind yet
        DatasetCatalog catalog = ws.datasets();
        assertThat(catalog.names().contains("my-birds") || !catalog.problems().isEmpty()).isTrue();
    }

    @Test
    void anImageFolderNamedWithYamlsOwnCharactersReadsBackAsItIs() throws Exception {
        String[] names = {"birds: 2024", "[birds]", "{x}", "- dash", "@at", "%pct", "#1 set", "it's \"q\"", "two\nlines"};
        for (int i = 0; i < names.length; i++) {
            Path images = Files.createDirectories(dir.resolve("odd" + i).resolve(names[i]));
            Files.createDirectories(images.resolve("train/robin"));
            Path file = org.da3.workbench.data.DatasetCatalog.addImageFolder(ws.datasetsDir(), "odd" + i, images, "test");
            com.fasterxml.jackson.databind.JsonNode back = org.da3.workbench.spec.YamlNodes.readTree(file);
            assertThat(back.get("title").asText()).as(names[i]).isEqualTo(names[i]);
            assertThat(back.get("path").asText()).as(names[i]).isEqualTo(images.toString());
        }
    }

    @Test
    void launchHandsTheSpecOverOnlyWhenValid() {
        List<ExperimentSpec> launched = new ArrayList<>();
        vm.setOnLaunch(launched::add);
        vm.launch();
        assertThat(launched).hasSize(1);
        vm.runningProperty().set(true);
        assertThat(vm.canLaunch()).as("one experiment at a time").isFalse();
        vm.launch();
        assertThat(launched).hasSize(1);
        vm.runningProperty().set(false);
        vm.batchSize().setText("-3");
        vm.launch();
        assertThat(launched).hasSize(1);
    }

    @Test
    void testsTheTargetInTheBackground() {
        vm.testConnection();
        assertThat(vm.targetStatusProperty().get()).startsWith("OK: local");
    }

    @Test
    void showsTheChosenTargetsNoteFromTargetsYaml() throws Exception {
        Files.writeString(ws.experimentsDir().resolve("targets.yaml"), """
                targets:
                  local: {kind: local, description: this laptop}
                  nano: {kind: jetson, host: 127.0.0.1, port: 2222, user: me, description: '  the Nano on the desk '}
                  bare: {kind: linux, host: 127.0.0.1, port: 2223, user: me}
                """);
        SetupViewModel v = new SetupViewModel(ws, new CurrentThreadTaskExecutor(),
                new org.da3.workbench.ui.WorkspaceTargetProvider(ws));
        v.refreshDomains();
        assertThat(v.targetNames()).containsExactly("local", "nano", "bare");
        assertThat(v.targetStatusProperty().get()).isEqualTo("this laptop");
        v.targetProperty().set("nano");
        assertThat(v.targetStatusProperty().get()).isEqualTo("the Nano on the desk");
        v.targetProperty().set("bare");
        assertThat(v.targetStatusProperty().get()).isEmpty();

        // data that is not on this machine stops a launch here, not on a device that reads its own copy
        Files.writeString(ws.datasetsDir().resolve("ondevice.yaml"), "kind: imagefolder\npath: /data/on-the-nano\n");
        Path spec = Files.writeString(ws.experimentsDir().resolve("remote.yaml"),
                TestWorkspace.tinySpec("remote", "linear", "tiny-shapes, ondevice"));
        v.load(spec);
        v.refreshDomains();
        v.targetProperty().set("local");
        assertThat(v.getProblem()).startsWith("cannot use domain ondevice (missing");
        assertThat(v.canLaunch()).isFalse();
        v.targetProperty().set("nano");
        assertThat(v.getProblem()).isEmpty();
        assertThat(v.canLaunch()).isTrue();
        // a name no descriptor provides cannot be sent anywhere
        Files.writeString(spec, TestWorkspace.tinySpec("remote", "linear", "tiny-shapes, nowhere"));
        v.load(spec);
        v.targetProperty().set("nano");
        assertThat(v.getProblem()).contains("nowhere");
        assertThat(v.canLaunch()).isFalse();
    }

    @Test
    void aTargetThatTargetsYamlDoesNotNameKeepsLaunchDisabled() throws Exception {
        // a spec from another machine names a target this workspace does not define: every run would fail
        Path spec = Files.writeString(ws.experimentsDir().resolve("elsewhere.yaml"),
                TestWorkspace.tinySpec("elsewhere", "linear", "tiny-shapes") + "target: nano\n");
        SetupViewModel v = new SetupViewModel(ws, new CurrentThreadTaskExecutor(),
                new org.da3.workbench.ui.WorkspaceTargetProvider(ws));
        v.refreshDomains();
        v.load(spec);
        assertThat(v.targetNames()).as("shown, so it can be seen and changed").contains("nano");
        assertThat(v.getProblem()).startsWith("target: 'nano' is not a known target; choose one of local")
                .contains("experiments/targets.yaml");
        assertThat(v.canLaunch()).isFalse();
        // defined and read again (Refresh): Launch is back
        Files.writeString(ws.experimentsDir().resolve("targets.yaml"), """
                targets:
                  local: {kind: local}
                  nano: {kind: jetson, host: 127.0.0.1, port: 2222, user: me}
                """);
        v.refreshDomains();
        assertThat(v.getProblem()).isEmpty();
        assertThat(v.canLaunch()).isTrue();
        // an address needs no entry
        v.targetProperty().set("ssh://me@127.0.0.1:2222");
        assertThat(v.getProblem()).isEmpty();
    }
}
