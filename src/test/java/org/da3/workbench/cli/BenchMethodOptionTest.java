package org.da3.workbench.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.da3.workbench.spec.MethodSpec;
import org.junit.jupiter.api.Test;

/** How the benchmarks read a method with options from the command line. */
class BenchMethodOptionTest {

    @Test
    void readsAPlainMethodTheAutogradAblationAndOptionsAfterColons() {
        assertThat(BenchCommand.parseMethod("linear", "--methods").displayLabel()).isEqualTo("linear");
        MethodSpec autograd = BenchCommand.parseMethod("da3-autograd", "--methods");
        assertThat(autograd.name()).isEqualTo("da3");
        assertThat(autograd.options()).isEqualTo(Map.of("engine", "autograd"));
        MethodSpec m = BenchCommand.parseMethod("da3:micro_batch=16:gates=false:rho=0.5:attention=channel", "--methods");
        assertThat(m.options()).containsEntry("micro_batch", 16).containsEntry("gates", false)
                .containsEntry("rho", 0.5).containsEntry("attention", "channel");
        assertThat(m.displayLabel()).isEqualTo("da3[micro_batch=16,gates=false,rho=0.5,attention=channel]");
    }

    @Test
    void namesTheBadPartAndWhatIsAllowed() {
        assertThatThrownBy(() -> BenchCommand.parseMethod("da4", "--methods"))
                .hasMessageStartingWith("--methods: unknown method 'da4'; allowed: finetune, ")
                .hasMessageEndingWith(", da3-autograd");
        assertThatThrownBy(() -> BenchCommand.parseMethod("da3:micro_batch", "--methods"))
                .hasMessage("--methods: 'micro_batch' in 'da3:micro_batch' is not KEY=VALUE, for example da3:micro_batch=0");
        assertThatThrownBy(() -> BenchCommand.parseMethod("da3:micro_bach=16", "--methods"))
                .hasMessageStartingWith("--methods: 'micro_bach' is not an option of method 'da3'; its options: ");
        assertThatThrownBy(() -> BenchCommand.parseMethod("da3:rho=2", "--methods"))
                .hasMessageStartingWith("--methods: da3 option rho: 2 is out of range; ");
    }
}
