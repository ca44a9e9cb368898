package org.da3.workbench.ui.field;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The form field model: parsed as typed, errors inline, no FX toolkit needed. */
class ValidatedFieldTest {

    @Test
    void parsesAsTypedAndExplainsTheProblem() {
        ValidatedField<Integer> f = new ValidatedField<>("training.epochs", "3", Parsers.integer(1, 10_000));
        assertThat(f.isValid()).isTrue();
        assertThat(f.getValue()).isEqualTo(3);

        f.setText("0");
        assertThat(f.isValid()).isFalse();
        assertThat(f.getValue()).isNull();
        assertThat(f.getError()).contains("0 is out of range").contains("1 to 10000");

        f.setText("abc");
        assertThat(f.getError()).contains("'abc' is not a whole number");

        // what the spec loader says of them too: a long number is a whole number, just too big
        f.setText("99999999999999999999");
        assertThat(f.getError()).isEqualTo("99999999999999999999 is out of range; use a whole number from 1 to 10000");
        f.setText("\u0663"); // ARABIC-INDIC DIGIT THREE, which Long.parseLong took for 3
        assertThat(f.getError()).isEqualTo("'\u0663' is not a whole number; use a whole number from 1 to 10000");
        f.setText("+5");
        assertThat(f.getValue()).isEqualTo(5);

        f.setText(" 12 ");
        assertThat(f.isValid()).isTrue();
        assertThat(f.getValue()).isEqualTo(12);
        assertThat(f.getError()).isEmpty();
    }

    @Test
    void listenersAddedLaterSeeTheNewValue() {
        ValidatedField<Double> f = new ValidatedField<>("lr", "0.1", Parsers.number(1e-9, 10, "0.01"));
        List<String> seen = new ArrayList<>();
        f.textProperty().addListener(o -> seen.add(f.isValid() + ":" + f.getValue()));
        f.setText("-1");
        f.setText("0.5");
        assertThat(seen).containsExactly("false:null", "true:0.5");
    }

    @Test
    void externalErrorsShowUntilTheTextChanges() {
        ValidatedField<String> f = new ValidatedField<>("methods[0].label", "a", s -> s);
        f.setExternalError("listed twice");
        assertThat(f.isValid()).isFalse();
        assertThat(f.getError()).isEqualTo("listed twice");
        f.setText("b");
        assertThat(f.isValid()).isTrue();
    }

    @Test
    void seedListsRejectRepeatsAndJunk() {
        assertThat(Parsers.longList().apply("1, 2 3")).containsExactly(1L, 2L, 3L);
        ValidatedField<List<Long>> f = new ValidatedField<>("seeds", "1, 1", Parsers.longList());
        assertThat(f.getError()).contains("listed twice");
        f.setText("");
        assertThat(f.getError()).contains("at least one seed");
        f.setText("x");
        assertThat(f.getError()).contains("'x' is not a whole number");
    }
}
