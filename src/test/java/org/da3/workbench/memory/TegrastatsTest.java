package org.da3.workbench.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.da3.workbench.run.event.Event;
import org.da3.workbench.run.event.MemorySample;
import org.da3.workbench.run.event.Warning;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tegrastats lines recorded from Jetson Nano, Xavier and Orin formats, and the sampler. */
class TegrastatsTest {
    private static final long MB = 1024L * 1024L;

    private static List<String> fixture(String name) throws IOException {
        try (InputStream in = TegrastatsTest.class.getResourceAsStream("tegrastats-" + name + ".txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    @Test
    void parsesJetsonNanoLines() throws IOException {
        List<String> lines = fixture("nano");
        Tegrastats.Reading idle = Tegrastats.parse(lines.get(0));
        assertThat(idle.time()).isNull();
        assertThat(idle.ramUsedBytes()).isEqualTo(1596 * MB);
        assertThat(idle.ramTotalBytes()).isEqualTo(3964 * MB);
        assertThat(idle.swapUsedBytes()).isZero();
        assertThat(idle.swapTotalBytes()).isEqualTo(1982 * MB);
        assertThat(idle.swapCachedBytes()).isZero();
        assertThat(idle.cpus()).containsExactly(new Tegrastats.Core(12, 1479), new Tegrastats.Core(5, 1479),
                new Tegrastats.Core(9, 1479), new Tegrastats.Core(7, 1479));
        assertThat(idle.emcPercent()).isEqualTo(3);
        assertThat(idle.emcMhz()).isEqualTo(1600);
        assertThat(idle.gpuPercent()).isZero();
        assertThat(idle.gpuMhz()).containsExactly(921);
        assertThat(idle.temperaturesC()).containsEntry("GPU", 30.5).containsEntry("CPU", 32.0)
                .containsEntry("thermal", 31.0).hasSize(6);
        assertThat(idle.power()).containsEntry("POM_5V_IN", new Tegrastats.Rail(2914, 2914)).hasSize(3);

        Tegrastats.Reading busy = Tegrastats.parse(lines.get(1));
        assertThat(busy.ramUsedBytes()).isEqualTo(2208 * MB);
        assertThat(busy.swapUsedBytes()).isEqualTo(12 * MB);
        assertThat(busy.swapCachedBytes()).isEqualTo(MB);
        assertThat(busy.cpus()).extracting(Tegrastats.Core::online).containsExactly(true, true, false, false);
        assertThat(busy.cpuPercent()).isEqualTo(89.5);
        assertThat(busy.gpuPercent()).isEqualTo(99);
        assertThat(busy.power().get("POM_5V_GPU")).isEqualTo(new Tegrastats.Rail(2712, 1356));
    }

    @Test
    void parsesXavierLinesWithAndWithoutClocks() throws IOException {
        List<String> lines = fixture("xavier");
        Tegrastats.Reading nx = Tegrastats.parse(lines.get(0));
        assertThat(nx.ramUsedBytes()).isEqualTo(2738 * MB);
        assertThat(nx.emcPercent()).isZero();
        assertThat(nx.emcMhz()).isEqualTo(-1);
        assertThat(nx.gpuPercent()).isZero();
        assertThat(nx.gpuMhz()).isEmpty();
        assertThat(nx.cpus()).hasSize(6);
        assertThat(nx.power()).containsKeys("VDD_IN", "VDD_CPU_GPU_CV", "VDD_SOC");

        Tegrastats.Reading agx = Tegrastats.parse(lines.get(1));
        assertThat(agx.ramTotalBytes()).isEqualTo(15688 * MB);
        assertThat(agx.gpuPercent()).isEqualTo(76);
        assertThat(agx.gpuMhz()).containsExactly(1377);
        assertThat(agx.emcMhz()).isEqualTo(2133);
        assertThat(agx.temperaturesC()).containsEntry("Tdiode", 40.25).containsEntry("GPU", 41.0);
        assertThat(agx.power()).containsEntry("GPU", new Tegrastats.Rail(5432, 3024)).containsKey("SYS5V");
    }

    @Test
    void parsesOrinLinesWithTimestampsMilliwattsAndTwoGpcClocks() throws IOException {
        List<String> lines = fixture("orin");
        Tegrastats.Reading agx = Tegrastats.parse(lines.get(0));
        assertThat(agx.time()).isEqualTo(LocalDateTime.of(2023, 3, 17, 10, 26, 11));
        assertThat(agx.ramUsedBytes()).isEqualTo(2337 * MB);
        assertThat(agx.ramTotalBytes()).isEqualTo(30536 * MB);
        assertThat(agx.cpus()).hasSize(12);
        assertThat(agx.cpus().stream().filter(Tegrastats.Core::online).count()).isEqualTo(8);
        assertThat(agx.gpuMhz()).containsExactly(0, 0);
        assertThat(agx.temperaturesC()).doesNotContainKeys("CV0", "GPU").containsEntry("tj", 45.75);
        assertThat(agx.power()).containsEntry("VDD_GPU_SOC", new Tegrastats.Rail(2389, 2389))
                .containsEntry("VIN_SYS_5V0", new Tegrastats.Rail(3425, 3425));

        Tegrastats.Reading nano = Tegrastats.parse(lines.get(1));
        assertThat(nano.time()).isEqualTo(LocalDateTime.of(2024, 1, 2, 13, 5, 21));
        assertThat(nano.ramUsedBytes()).isEqualTo(1889 * MB);
        assertThat(nano.gpuPercent()).isEqualTo(54);
        assertThat(nano.gpuMhz()).containsExactly(624);
        assertThat(nano.emcPercent()).isEqualTo(12);
        assertThat(nano.temperaturesC()).containsEntry("gpu", 46.75);
        assertThat(nano.power()).containsOnlyKeys("VDD_IN", "VDD_CPU_GPU_CV", "VDD_SOC");
    }

    @Test
    void linesWithoutRamAreNotReadings() {
        assertThat(Tegrastats.parse("")).isNull();
        assertThat(Tegrastats.parse("tegrastats: command not found")).isNull();
        assertThat(Tegrastats.parse(null)).isNull();
    }

    @Test
    void aReadingBecomesAMemorySampleWithDetails() throws IOException {
        Tegrastats.Reading r = Tegrastats.parse(fixture("nano").get(1));
        MemorySample m = Tegrastats.toEvent(r, 3000 * MB);
        assertThat(m.phase()).isEqualTo("sample");
        assertThat(m.source()).isEqualTo("tegrastats");
        assertThat(m.currentBytes()).isEqualTo(2208 * MB);
        assertThat(m.peakBytes()).isEqualTo(3000 * MB);
        assertThat(m.baselineBytes()).isEqualTo(-1);
        assertThat(m.details()).containsEntry("ramTotalBytes", 3964 * MB).containsEntry("gpuPercent", 99)
                .containsEntry("emcPercent", 41).containsKeys("temperaturesC", "powerMw", "swapUsedBytes");
    }

    @Test
    void samplerEmitsOneEventPerLineWithARunningPeakAndNothingAfterClose(@TempDir Path dir) throws Exception {
        Path fake = dir.resolve("tegrastats");
        List<String> lines = fixture("nano");
        Files.writeString(fake, "printf '%s\\n' 'not a reading' '" + lines.get(1) + "' '" + lines.get(0)
                + "'\nexec sleep 30\n");
        List<Event> events = new CopyOnWriteArrayList<>();
        Tegrastats.Sampler s = new Tegrastats.Sampler(List.of("/bin/sh", fake.toString()), events::add).start();
        for (int i = 0; i < 100 && events.size() < 2; i++) {
            Thread.sleep(50);
        }
        s.close();
        Thread.sleep(100);
        assertThat(events).hasSize(2).allMatch(e -> e instanceof MemorySample);
        MemorySample first = (MemorySample) events.get(0);
        MemorySample second = (MemorySample) events.get(1);
        assertThat(first.currentBytes()).isEqualTo(2208 * MB);
        assertThat(second.currentBytes()).isEqualTo(1596 * MB);
        assertThat(second.peakBytes()).isEqualTo(2208 * MB);
    }

    @Test
    void aMissingTegrastatsGivesOneWarning() throws Exception {
        List<Event> events = new CopyOnWriteArrayList<>();
        try (Tegrastats.Sampler s = new Tegrastats.Sampler(List.of("/nonexistent/tegrastats"), events::add)) {
            s.start();
        }
        assertThat(events).singleElement().isInstanceOf(Warning.class);
        assertThat(((Warning) events.get(0)).message()).contains("tegrastats could not be started");
    }

    @Test
    void unknownProbesAreWarnedAboutNotFatal() throws Exception {
        List<Event> events = new CopyOnWriteArrayList<>();
        try (AutoCloseable c = Probes.start(List.of("thermometer"), events::add)) {
            assertThat(c).isNotNull();
        }
        assertThat(events).singleElement().isInstanceOf(Warning.class);
        assertThat(((Warning) events.get(0)).message()).contains("unknown probe 'thermometer'").contains("tegrastats");
    }
}
