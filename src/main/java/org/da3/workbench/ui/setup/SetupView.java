package org.da3.workbench.ui.setup;

import atlantafx.base.theme.Styles;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.geometry.Pos;
import javafx.scene.Parent;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputDialog;
import javafx.scene.control.Tooltip;
import javafx.scene.control.cell.CheckBoxTableCell;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;
import javafx.stage.Window;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.da3.workbench.ui.FieldControls;
import org.da3.workbench.ui.StyleClasses;
import org.da3.workbench.ui.ViewLoader;
import org.da3.workbench.ui.field.ValidatedField;

/**
 * The Setup view: binds {@code Setup.fxml} to a {@link SetupViewModel}. It only binds and opens
 * dialogs; every decision is the view model's.
 */
public final class SetupView {
    private final SetupViewModel vm;
    private final Parent root;

    @FXML private VBox nameBox;
    @FXML private TextField descriptionField;
    @FXML private Label problemLabel;
    @FXML private CheckBox resumeBox;
    @FXML private Button launchButton;
    @FXML private Button stopButton;
    @FXML private Button saveButton;
    @FXML private TableView<DomainItem> domainTable;
    @FXML private TableColumn<DomainItem, Boolean> domainUseColumn;
    @FXML private TableColumn<DomainItem, String> domainNameColumn;
    @FXML private TableColumn<DomainItem, String> domainKindColumn;
    @FXML private TableColumn<DomainItem, DomainItem> domainStatusColumn;
    @FXML private TableColumn<DomainItem, String> domainClassesColumn;
    @FXML private TableColumn<DomainItem, String> domainSizesColumn;
    @FXML private Button upButton;
    @FXML private Button downButton;
    @FXML private VBox methodsBox;
    @FXML private GridPane backboneGrid;
    @FXML private GridPane trainingGrid;
    @FXML private GridPane runGrid;
    @FXML private javafx.scene.control.ScrollPane formScroll;

    /**
     * Loads the view.
     *
     * @param vm its view model
     */
    public SetupView(SetupViewModel vm) {
        this.vm = vm;
        this.root = ViewLoader.load(this, "Setup.fxml");
    }

    /** @return the view's root node */
    public Parent root() {
        return root;
    }

    @FXML
    private void initialize() {
        nameBox.getChildren().add(FieldControls.create(vm.name(), "experiment name"));
        descriptionField.textProperty().bindBidirectional(vm.descriptionProperty());
        problemLabel.textProperty().bind(vm.problemProperty());
        problemLabel.setId("setup-problem");
        problemLabel.visibleProperty().bind(vm.problemProperty().isNotEmpty());
        problemLabel.managedProperty().bind(problemLabel.visibleProperty());
        launchButton.setId("launch");
        resumeBox.setId("resume");
        resumeBox.selectedProperty().bindBidirectional(vm.resumeProperty());
        resumeBox.setTooltip(new Tooltip("Continue from this experiment's earlier runs (da3 run --resume): a"
                + " method and seed with a completed run of the same resolved spec (target and description aside)"
                + " and weights is not run again (it shows in the queue and in Results); one whose runs stopped"
                + " part-way picks up from the domains they finished, reusing their saved patches, and continues the"
                + " domain it stopped in from its last finished epoch. Edited dataset files are not noticed."));
        stopButton.setId("stop");
        launchButton.getStyleClass().add(Styles.ACCENT);
        stopButton.getStyleClass().add(Styles.DANGER);
        launchButton.disableProperty().bind(vm.canLaunchProperty().not());
        stopButton.disableProperty().bind(vm.runningProperty().not());
        saveButton.disableProperty().bind(vm.specProperty().isNull());

        setUpDomains();
        vm.methods().addListener((ListChangeListener<MethodItem>) c -> {
            boolean structural = false;
            while (c.next()) {
                structural |= c.wasAdded() || c.wasRemoved() || c.wasPermutated() || c.wasReplaced();
            }
            if (structural) {
                buildMethods();
            }
        });
        buildMethods();
        buildBackbone();
        buildTraining();
        buildRun();
    }

    private void setUpDomains() {
        domainTable.setId("domains");
        domainTable.setEditable(true);
        domainTable.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        domainTable.setItems(vm.domains());
        domainTable.setPlaceholder(new Label("No datasets/*.yaml in this workspace"));
        domainUseColumn.setCellValueFactory(c -> c.getValue().selectedProperty());
        domainUseColumn.setCellFactory(CheckBoxTableCell.forTableColumn(domainUseColumn));
        domainUseColumn.setEditable(true);
        domainNameColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().name()));
        domainKindColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().kind()));
        domainStatusColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue()));
        domainStatusColumn.setCellFactory(col -> new TableCell<>() {
            @Override
            protected void updateItem(DomainItem d, boolean empty) {
                super.updateItem(d, empty);
                getStyleClass().removeAll("domain-found", "domain-missing");
                if (empty || d == null) {
                    setText(null);
                    setTooltip(null);
                    return;
                }
                setText(d.usable() ? "found" : d.found() ? "problem" : "missing");
                getStyleClass().add(d.usable() ? "domain-found" : "domain-missing");
                String tip = d.title() + (d.location().isEmpty() ? "" : "\n" + d.location())
                        + (d.problems().isEmpty() ? "" : "\n" + String.join("\n", d.problems()));
                setTooltip(new Tooltip(tip));
            }
        });
        domainClassesColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(
                c.getValue().classes() < 0 ? "-" : Integer.toString(c.getValue().classes())));
        domainClassesColumn.getStyleClass().add(StyleClasses.NUMERIC);
        domainSizesColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().sizesText()));
        domainSizesColumn.getStyleClass().add(StyleClasses.NUMERIC);
        upButton.disableProperty().bind(domainTable.getSelectionModel().selectedItemProperty().isNull());
        downButton.disableProperty().bind(domainTable.getSelectionModel().selectedItemProperty().isNull());
    }

    private void buildMethods() {
        methodsBox.getChildren().clear();
        java.util.Map<String, Integer> seen = new java.util.HashMap<>();
        for (MethodItem m : vm.methods()) {
            int n = seen.merge(m.info().name(), 1, Integer::sum);
            methodsBox.getChildren().add(methodCard(m, n == 1 ? m.info().name() : m.info().name() + "-" + n, n > 1));
        }
    }

    private VBox methodCard(MethodItem m, String id, boolean variant) {
        CheckBox check = new CheckBox(m.info().title() + "  (" + m.info().name() + ")");
        check.setId("method-" + id);
        check.selectedProperty().bindBidirectional(m.selectedProperty());
        Label summary = new Label(m.info().summary());
        summary.getStyleClass().add(StyleClasses.HINT);
        summary.setWrapText(true);
        Button addVariant = new Button("Add variant");
        addVariant.getStyleClass().addAll(Styles.SMALL, Styles.FLAT);
        addVariant.setTooltip(new Tooltip("Run this method again with other options, to compare them"));
        addVariant.setOnAction(e -> vm.addVariant(m));
        Pane spacer = new Pane();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox header = new HBox(8, check, spacer, addVariant);
        header.setAlignment(Pos.CENTER_LEFT);
        if (variant) {
            Button remove = new Button("Remove");
            remove.getStyleClass().addAll(Styles.SMALL, Styles.FLAT, Styles.DANGER);
            remove.setOnAction(e -> vm.removeVariant(m));
            header.getChildren().add(remove);
        }
        GridPane grid = new GridPane();
        grid.setHgap(10);
        grid.setVgap(4);
        grid.getColumnConstraints().addAll(new ColumnConstraints(130), new ColumnConstraints(150, 170, 220),
                hgrow());
        int row = 0;
        addOptionRow(grid, row++, "label", m.label(), "default " + m.info().name(),
                "a name that tells this entry apart from another of the same method", "method-" + id + "-label");
        for (OptionItem o : m.options()) {
            addOptionRow(grid, row++, o.def().name(), o.field(), o.promptText(), o.helpText(),
                    "method-" + id + "-" + o.def().name().replace('_', '-'));
        }
        grid.visibleProperty().bind(m.selectedProperty());
        grid.managedProperty().bind(grid.visibleProperty());
        VBox card = new VBox(6, header, summary, grid);
        card.getStyleClass().add(StyleClasses.METHOD_CARD);
        Runnable mark = () -> {
            card.getStyleClass().remove(StyleClasses.METHOD_CARD_SELECTED);
            if (m.isSelected()) {
                card.getStyleClass().add(StyleClasses.METHOD_CARD_SELECTED);
            }
        };
        m.selectedProperty().addListener((o, a, b) -> mark.run());
        mark.run();
        return card;
    }

    private static void addOptionRow(GridPane grid, int row, String name, ValidatedField<?> field, String prompt,
            String help, String id) {
        Label l = new Label(name);
        l.getStyleClass().add(StyleClasses.FIELD_LABEL);
        l.setTooltip(new Tooltip(help));
        VBox box = FieldControls.create(field, prompt);
        box.getChildren().get(0).setId(id);
        box.getChildren().get(1).setId(id + "-error");
        Label h = new Label(help);
        h.getStyleClass().add(StyleClasses.HINT);
        h.setWrapText(true);
        grid.addRow(row, l, box, h);
        GridPane.setValignment(l, javafx.geometry.VPos.TOP);
        GridPane.setValignment(h, javafx.geometry.VPos.TOP);
    }

    private static ColumnConstraints hgrow() {
        ColumnConstraints c = new ColumnConstraints();
        c.setHgrow(Priority.ALWAYS);
        return c;
    }

    private void buildBackbone() {
        ChoiceBox<String> arch = new ChoiceBox<>();
        arch.setId("backbone-name");
        arch.getItems().setAll(vm.backboneChoices());
        arch.valueProperty().bindBidirectional(vm.backboneProperty());
        Button browse = new Button("Browse…");
        browse.setOnAction(e -> browseWeights());
        Label note = new Label();
        note.setId("backbone-weights-note");
        note.getStyleClass().add(StyleClasses.HINT);
        note.textProperty().bind(vm.weightsNoteProperty());
        VBox weightsBox = FieldControls.create(vm.weights(), "empty: random initialisation");
        HBox weightsRow = new HBox(6, weightsBox, browse);
        HBox.setHgrow(weightsBox, Priority.ALWAYS);
        backboneGrid.getColumnConstraints().addAll(new ColumnConstraints(130), new ColumnConstraints(120, 160, 200),
                new ColumnConstraints(110), hgrow());
        backboneGrid.addRow(0, label("architecture"), arch, label("width"), FieldControls.create(vm.width(), null));
        backboneGrid.add(label("weights"), 0, 1);
        backboneGrid.add(weightsRow, 1, 1, 3, 1);
        backboneGrid.add(note, 1, 2, 3, 1);
    }

    private void buildTraining() {
        trainingGrid.getColumnConstraints().addAll(new ColumnConstraints(130), new ColumnConstraints(120, 160, 220),
                new ColumnConstraints(130), new ColumnConstraints(120, 160, 220));
        ChoiceBox<String> opt = new ChoiceBox<>();
        opt.setId("training-optimizer");
        opt.getItems().setAll(vm.optimizerChoices());
        opt.valueProperty().bindBidirectional(vm.optimizerProperty());
        ChoiceBox<String> sched = new ChoiceBox<>();
        sched.setId("training-schedule");
        sched.getItems().setAll(vm.scheduleChoices());
        sched.valueProperty().bindBidirectional(vm.scheduleProperty());
        ChoiceBox<String> alloc = new ChoiceBox<>();
        alloc.setId("training-allocator");
        alloc.getItems().setAll(vm.allocatorChoices());
        alloc.valueProperty().bindBidirectional(vm.allocatorProperty());
        alloc.setTooltip(new javafx.scene.control.Tooltip("exact: freed tensors go back to the OS at once, so the"
                + " measured memory is the live tensors' (training runs slower);\nreuse: the allocator keeps them"
                + " for reuse (faster; measured memory includes its pool). See docs/memory.md."));
        CheckBox crop = new CheckBox("random crop");
        crop.setId("training-random-crop");
        crop.selectedProperty().bindBidirectional(vm.randomCropProperty());
        CheckBox flip = new CheckBox("horizontal flip");
        flip.setId("training-flip");
        flip.selectedProperty().bindBidirectional(vm.flipProperty());
        int r = 0;
        trainingGrid.addRow(r++, label("epochs"), field(vm.epochs()), label("batch size"), field(vm.batchSize()));
        trainingGrid.addRow(r++, label("optimizer"), opt, label("learning rate"), field(vm.learningRate()));
        trainingGrid.addRow(r++, label("momentum"), field(vm.momentum()), label("weight decay"), field(vm.weightDecay()));
        trainingGrid.addRow(r++, label("schedule"), sched, label("image size (px)"), field(vm.imageSize()));
        trainingGrid.addRow(r++, label("augmentation"), crop, label("padding (px)"), field(vm.padding()));
        trainingGrid.addRow(r++, label(""), flip, label("log every (steps)"), field(vm.logEvery()));
        trainingGrid.addRow(r++, label("train limit"), FieldControls.create(vm.trainLimit(), "0: all"),
                label("test limit"), FieldControls.create(vm.testLimit(), "0: all"));
        trainingGrid.addRow(r++, label("eval batch size"), field(vm.evalBatchSize()), label("threads"),
                FieldControls.create(vm.threads(), "0: all cores"));
        trainingGrid.addRow(r++, label("allocator"), alloc, label(""), label(""));
        for (javafx.scene.Node n : trainingGrid.getChildren()) {
            GridPane.setValignment(n, javafx.geometry.VPos.TOP);
        }
    }

    private void buildRun() {
        runGrid.getColumnConstraints().addAll(new ColumnConstraints(130), new ColumnConstraints(160, 220, 300), hgrow());
        ComboBox<String> target = new ComboBox<>(vm.targetNames());
        target.setId("target");
        target.valueProperty().bindBidirectional(vm.targetProperty());
        Button test = new Button("Test connection");
        test.setId("test-connection");
        test.setOnAction(e -> vm.testConnection());
        Label status = new Label();
        status.setId("target-status");
        status.getStyleClass().add(StyleClasses.HINT);
        status.textProperty().bind(vm.targetStatusProperty());
        // what answered (or why not) can be long: it wraps in the space left, and its tooltip holds it whole
        status.setWrapText(true);
        status.setMinWidth(0);
        Tooltip whole = new Tooltip();
        whole.setWrapText(true);
        whole.setMaxWidth(600);
        whole.textProperty().bind(vm.targetStatusProperty());
        status.tooltipProperty().bind(javafx.beans.binding.Bindings.when(vm.targetStatusProperty().isEmpty())
                .then((Tooltip) null).otherwise(whole));
        HBox targetRow = new HBox(8, target, test, status);
        HBox.setHgrow(status, javafx.scene.layout.Priority.ALWAYS);
        targetRow.setAlignment(Pos.CENTER_LEFT);
        runGrid.addRow(0, label("seeds"), FieldControls.create(vm.seeds(), "for example 1, 2, 3"),
                hint("one run per method and seed"));
        runGrid.add(label("target"), 0, 1);
        runGrid.add(targetRow, 1, 1, 2, 1);
    }

    private static VBox field(ValidatedField<?> f) {
        return FieldControls.create(f, null);
    }

    private static Label label(String text) {
        Label l = new Label(text);
        l.getStyleClass().add(StyleClasses.FIELD_LABEL);
        l.setPadding(new javafx.geometry.Insets(5, 0, 0, 0));
        return l;
    }

    private static Label hint(String text) {
        Label l = new Label(text);
        l.getStyleClass().add(StyleClasses.HINT);
        l.setPadding(new javafx.geometry.Insets(5, 0, 0, 0));
        return l;
    }

    /**
     * Scrolls the form so a field shows (for the screenshot tour, and a place to start when a
     * field's error is reported elsewhere).
     *
     * @param field the field's model
     */
    public void reveal(ValidatedField<?> field) {
        javafx.scene.Node node = root.lookup("#" + FieldControls.idOf(field.name()));
        javafx.scene.Node content = formScroll.getContent();
        if (node == null || content == null) {
            return;
        }
        double y = content.sceneToLocal(node.localToScene(node.getBoundsInLocal())).getMinY();
        double range = content.getBoundsInLocal().getHeight() - formScroll.getViewportBounds().getHeight();
        formScroll.setVvalue(range <= 0 ? 0 : Math.min(1, Math.max(0, (y - 120) / range)));
        node.requestFocus();
    }

    // ---------------------------------------------------------------- actions

    private Window window() {
        return root.getScene() == null ? null : root.getScene().getWindow();
    }

    @FXML
    private void onLaunch() {
        vm.launch();
    }

    @FXML
    private void onStop() {
        vm.stop();
    }

    @FXML
    private void onLoad() {
        FileChooser fc = specChooser("Open experiment spec");
        File f = fc.showOpenDialog(window());
        if (f != null) {
            try {
                vm.load(f.toPath());
            } catch (RuntimeException e) {
                error("Cannot open " + f.getName(), e.getMessage());
            }
        }
    }

    @FXML
    private void onSave() {
        if (vm.getSpecFile() == null) {
            onSaveAs();
            return;
        }
        save(vm.getSpecFile());
    }

    @FXML
    private void onSaveAs() {
        FileChooser fc = specChooser("Save experiment spec");
        fc.setInitialFileName(vm.name().getText() + ".yaml");
        File f = fc.showSaveDialog(window());
        if (f == null) {
            return;
        }
        // the dialog asked about the name typed; with .yaml added it may name another file
        Path file = SetupViewModel.withSpecEnding(f.toPath());
        if (!file.equals(f.toPath()) && Files.exists(file)) {
            Alert ask = new Alert(Alert.AlertType.CONFIRMATION, file + " exists. Replace it?",
                    javafx.scene.control.ButtonType.OK, javafx.scene.control.ButtonType.CANCEL);
            ask.setHeaderText("Replace " + file.getFileName() + "?");
            ask.initOwner(window());
            if (ask.showAndWait().filter(b -> b == javafx.scene.control.ButtonType.OK).isEmpty()) {
                return;
            }
        }
        save(file);
    }

    private void save(Path file) {
        try {
            vm.save(file);
        } catch (Exception e) {
            error("Cannot save " + file.getFileName(), e.getMessage());
        }
    }

    private FileChooser specChooser(String title) {
        FileChooser fc = new FileChooser();
        fc.setTitle(title);
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("Experiment specs (*.yaml)", "*.yaml", "*.yml"));
        Path dir = vm.getSpecFile() != null ? vm.getSpecFile().getParent() : vm.experimentsDir();
        if (dir != null && Files.isDirectory(dir)) {
            fc.setInitialDirectory(dir.toFile());
        }
        return fc;
    }

    private void browseWeights() {
        FileChooser fc = new FileChooser();
        fc.setTitle("Backbone weights");
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("Weights (*.safetensors, *.npz)",
                "*.safetensors", "*.npz"));
        Path dir = vm.workspace().pretrainedDir();
        if (Files.isDirectory(dir)) {
            fc.setInitialDirectory(dir.toFile());
        }
        File f = fc.showOpenDialog(window());
        if (f != null) {
            Path p = f.toPath().toAbsolutePath().normalize();
            Path rootDir = vm.workspace().root();
            vm.weights().setText(p.startsWith(rootDir) ? rootDir.relativize(p).toString() : p.toString());
        }
    }

    @FXML
    private void onUp() {
        DomainItem d = domainTable.getSelectionModel().getSelectedItem();
        if (d != null) {
            vm.moveDomain(d, -1);
            domainTable.getSelectionModel().select(d);
        }
    }

    @FXML
    private void onDown() {
        DomainItem d = domainTable.getSelectionModel().getSelectedItem();
        if (d != null) {
            vm.moveDomain(d, +1);
            domainTable.getSelectionModel().select(d);
        }
    }

    @FXML
    private void onRefresh() {
        vm.refreshDomains();
    }

    @FXML
    private void onAddImageFolder() {
        DirectoryChooser dc = new DirectoryChooser();
        dc.setTitle("ImageFolder dataset (train/<class>/*.jpg, test/<class>/*.jpg)");
        File dir = dc.showDialog(window());
        if (dir == null) {
            return;
        }
        TextInputDialog ask = new TextInputDialog(SetupViewModel.suggestDatasetName(dir.toPath()));
        ask.setTitle("Add ImageFolder dataset");
        ask.setHeaderText("Name for datasets/<name>.yaml (" + dir + ")");
        ask.initOwner(window());
        Optional<String> name = ask.showAndWait();
        if (name.isPresent()) {
            try {
                vm.addImageFolder(dir.toPath(), name.get());
            } catch (Exception e) {
                error("Cannot add the dataset", e.getMessage());
            }
        }
    }

    private void error(String header, String message) {
        Alert a = new Alert(Alert.AlertType.ERROR, message);
        a.setHeaderText(header);
        a.initOwner(window());
        a.show();
    }
}
