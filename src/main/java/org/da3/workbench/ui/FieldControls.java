package org.da3.workbench.ui;

import atlantafx.base.theme.Styles;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.VBox;
import org.da3.workbench.ui.field.ValidatedField;

/**
 * Builds and binds the text fields of the forms: a {@link TextField} bound both ways to a
 * {@link ValidatedField}'s text, marked with AtlantaFX's danger state while invalid, and an
 * inline error label under it that shows only when there is an error.
 */
public final class FieldControls {
    private FieldControls() {}

    /**
     * Creates a text field with its inline error.
     *
     * @param field the field's model
     * @param prompt the prompt text shown while empty (may be null)
     * @return the text field and error label in a box; the text field's id is derived from the
     *     field's name ({@link #idOf}), the label's id is that plus {@code -error}
     */
    public static VBox create(ValidatedField<?> field, String prompt) {
        TextField tf = new TextField();
        Label err = new Label();
        tf.setId(idOf(field.name()));
        err.setId(idOf(field.name()) + "-error");
        if (prompt != null) {
            tf.setPromptText(prompt);
        }
        bind(tf, err, field);
        VBox box = new VBox(2, tf, err);
        box.setFillWidth(true);
        return box;
    }

    /**
     * Binds an existing text field and error label to a field model.
     *
     * @param tf the text field
     * @param err the error label
     * @param field the model
     */
    public static void bind(TextField tf, Label err, ValidatedField<?> field) {
        tf.textProperty().bindBidirectional(field.textProperty());
        err.getStyleClass().add(StyleClasses.FIELD_ERROR);
        err.textProperty().bind(field.errorProperty());
        err.setWrapText(true);
        err.visibleProperty().bind(field.validProperty().not());
        err.managedProperty().bind(err.visibleProperty());
        Runnable mark = () -> {
            tf.pseudoClassStateChanged(Styles.STATE_DANGER, !field.isValid());
            tf.setTooltip(field.isValid() ? null : new Tooltip(field.getError()));
        };
        field.validProperty().addListener((o, a, b) -> mark.run());
        field.errorProperty().addListener((o, a, b) -> mark.run());
        mark.run();
    }

    /**
     * The node id of a field: its spec path with dots, underscores and brackets turned into
     * dashes, for example {@code training-learning-rate}.
     *
     * @param fieldName the field's name
     * @return the id
     */
    public static String idOf(String fieldName) {
        return fieldName.replaceAll("[._\\[\\]?]+", "-").replaceAll("-+$", "");
    }
}
