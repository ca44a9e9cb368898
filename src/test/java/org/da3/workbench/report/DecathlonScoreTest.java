package org.da3.workbench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DecathlonScoreTest {

    @Test
    void eachDomainContributesAtMostAThousand() {
        assertThat(DecathlonScore.contribution(0, 0.3)).isEqualTo(1000, within(1e-9));
        assertThat(DecathlonScore.contribution(0.3, 0.3)).isEqualTo(250, within(1e-9));
        assertThat(DecathlonScore.contribution(0.6, 0.3)).isEqualTo(0, within(1e-9));
        assertThat(DecathlonScore.contribution(0.9, 0.3)).isEqualTo(0);
        // alpha = 1000 * 0.6^-2; (0.6 - 0.15)^2 * alpha = 562.5
        assertThat(DecathlonScore.contribution(0.15, 0.3)).isEqualTo(562.5, within(1e-9));
        assertThat(DecathlonScore.contribution(0, 0)).isEqualTo(1000);
        assertThat(DecathlonScore.contribution(0.1, 0)).isEqualTo(0);
    }

    @Test
    void scoreSumsOverDomainsAndNeedsEveryOne() {
        DecathlonScore.Reference ref = new DecathlonScore.Reference(Map.of("dtd", 0.4, "svhn", 0.1), "test");
        Map<String, Double> err = new LinkedHashMap<>(Map.of("dtd", 0.4, "svhn", 0.0));
        assertThat(DecathlonScore.score(err, List.of("dtd", "svhn"), ref)).isEqualTo(1250, within(1e-9));
        assertThat(DecathlonScore.score(Map.of("dtd", 0.4), List.of("dtd", "svhn"), ref)).isNaN();
    }

    @Test
    void recognisesDecathlonDomainNames() {
        assertThat(DecathlonScore.decathlonDomain("vgg-flowers")).isEqualTo("vgg-flowers");
        assertThat(DecathlonScore.decathlonDomain("decathlon-vgg_flowers")).isEqualTo("vgg-flowers");
        assertThat(DecathlonScore.decathlonDomain("VD_Aircraft")).isEqualTo("aircraft");
        assertThat(DecathlonScore.decathlonDomain("imagenet12")).isEqualTo("imagenet12");
        assertThat(DecathlonScore.decathlonDomain("tiny-shapes")).isNull();
        assertThat(DecathlonScore.isDecathlon(List.of("aircraft", "dtd", "ucf101"))).isTrue();
        assertThat(DecathlonScore.isDecathlon(List.of("aircraft", "shapes"))).isFalse();
        assertThat(DecathlonScore.isDecathlon(List.of())).isFalse();
        assertThat(DecathlonScore.DOMAINS).hasSize(10).allMatch(d -> DecathlonScore.decathlonDomain(d).equals(d));
    }

    @Test
    void rejectsReferenceErrorsOutOfRange() {
        assertThatThrownBy(() -> new DecathlonScore.Reference(Map.of("dtd", 40.0), "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dtd");
    }
}
