package org.da3.workbench.ui.field;

import java.util.Objects;
import java.util.function.Function;
import javafx.beans.Observable;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/**
 * A text field's model: the text as typed, the value parsed from it, and an error message when it
 * does not parse. Parsing runs on every change, so an error shows while typing.
 *
 * <p>The parser throws {@link IllegalArgumentException} with a message that says what is allowed
 * (for example {@link org.da3.workbench.spec.OptionDef#parse}); that message becomes the error.
 * Listeners added to {@link #textProperty()} after construction see the new value and error.
 * A field may also carry an error set from outside ({@link #setExternalError}), for problems found
 * only when the whole spec is checked.
 *
 * @param <T> the parsed value type
 */
public final class ValidatedField<T> {
    private final String name;
    private final Function<String, T> parser;
    private final StringProperty text;
    private final ReadOnlyObjectWrapper<T> value;
    private final ReadOnlyStringWrapper error;
    private final ReadOnlyBooleanWrapper valid;
    private String parseError;
    private String externalError;

    /**
     * Creates a field.
     *
     * @param name the field's name, as in spec paths (for example {@code training.epochs})
     * @param initialText the text it starts with
     * @param parser turns text into a value, throwing IllegalArgumentException with a message
     */
    public ValidatedField(String name, String initialText, Function<String, T> parser) {
        this.name = Objects.requireNonNull(name);
        this.parser = Objects.requireNonNull(parser);
        this.text = new SimpleStringProperty(this, "text", initialText == null ? "" : initialText);
        this.value = new ReadOnlyObjectWrapper<>(this, "value");
        this.error = new ReadOnlyStringWrapper(this, "error", "");
        this.valid = new ReadOnlyBooleanWrapper(this, "valid", true);
        // an invalidation listener registered first runs before any listener added later, so
        // whoever listens to the text sees the value and error of the new text
        text.addListener((Observable o) -> revalidate());
        revalidate();
    }

    /** @return the field's name */
    public String name() {
        return name;
    }

    /** @return the text as typed */
    public StringProperty textProperty() {
        return text;
    }

    /** @return the text as typed */
    public String getText() {
        return text.get();
    }

    /** @param t the new text (validated at once) */
    public void setText(String t) {
        text.set(t == null ? "" : t);
    }

    /** @return the parsed value; null while the text is invalid */
    public ReadOnlyObjectProperty<T> valueProperty() {
        return value.getReadOnlyProperty();
    }

    /** @return the parsed value; null while the text is invalid */
    public T getValue() {
        return value.get();
    }

    /** @return the error message; empty when the field is valid */
    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    /** @return the error message; empty when the field is valid */
    public String getError() {
        return error.get();
    }

    /** @return whether the text parses and no external error is set */
    public ReadOnlyBooleanProperty validProperty() {
        return valid.getReadOnlyProperty();
    }

    /** @return whether the text parses and no external error is set */
    public boolean isValid() {
        return valid.get();
    }

    /**
     * Sets or clears an error found outside the field (a whole-spec check). It is cleared again
     * when the text changes.
     *
     * @param message the error, or null to clear it
     */
    public void setExternalError(String message) {
        externalError = message == null || message.isBlank() ? null : message;
        publish();
    }

    private void revalidate() {
        externalError = null;
        try {
            value.set(parser.apply(text.get().trim()));
            parseError = null;
        } catch (IllegalArgumentException e) {
            value.set(null);
            parseError = e.getMessage() == null ? "invalid value" : e.getMessage();
        }
        publish();
    }

    private void publish() {
        String msg = parseError != null ? parseError : externalError;
        error.set(msg == null ? "" : msg);
        valid.set(msg == null);
    }
}
