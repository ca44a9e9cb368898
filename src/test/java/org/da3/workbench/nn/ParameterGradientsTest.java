package org.da3.workbench.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class ParameterGradientsTest {

    @Test
    void contributionsAreSummedAndOutliveTheManagersTheyWereMadeIn() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.zeros(new Shape(2));
            NDArray taken;
            try (ParameterGradients grads = new ParameterGradients(m.newSubManager())) {
                for (int chunk = 1; chunk <= 3; chunk++) {
                    try (NDManager scoped = m.newSubManager()) {
                        grads.add(w, scoped.create(new float[] {chunk, 10 * chunk}));
                    }
                }
                taken = grads.take(w);
                taken.attach(m);
                assertThat(grads.take(w)).isNull();
            }
            assertThat(taken.toFloatArray()).containsExactly(6f, 60f);
        }
    }

    @Test
    void aGradientOfTheWrongShapeIsRefusedByShape() {
        try (NDManager m = NDManager.newBaseManager(); ParameterGradients grads = new ParameterGradients(m)) {
            NDArray w = m.zeros(new Shape(2, 3));
            assertThatThrownBy(() -> grads.add(w, m.zeros(new Shape(3, 2))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(3, 2)").hasMessageContaining("(2, 3)");
        }
    }
}
