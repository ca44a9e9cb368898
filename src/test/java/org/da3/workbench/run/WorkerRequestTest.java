package org.da3.workbench.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.da3.workbench.run.event.EventCodec;
import org.junit.jupiter.api.Test;

/** The request's JSON: probes and the events file are optional both ways, relocation keeps them. */
class WorkerRequestTest {
    @Test
    void probesAreWrittenOnlyWhenAskedForAndReadWhenAbsent() throws Exception {
        WorkerRequest plain = new WorkerRequest("r1", Map.of("name", "x"), Map.of(), null, "/out");
        String json = EventCodec.JSON.writeValueAsString(plain);
        assertThat(json).contains("\"run_id\":\"r1\"", "\"output_dir\":\"/out\"").doesNotContain("probes");
        assertThat(EventCodec.JSON.readValue(json, WorkerRequest.class)).isEqualTo(plain);

        WorkerRequest probed = plain.withProbes(List.of("tegrastats"));
        String json2 = EventCodec.JSON.writeValueAsString(probed);
        assertThat(json2).contains("\"probes\":[\"tegrastats\"]");
        WorkerRequest back = EventCodec.JSON.readValue(json2, WorkerRequest.class);
        assertThat(back.probes()).containsExactly("tegrastats");

        WorkerRequest moved = probed.relocated("/remote/weights/ab.safetensors", "/remote/runs/r1");
        assertThat(moved.weights()).isEqualTo("/remote/weights/ab.safetensors");
        assertThat(moved.outputDir()).isEqualTo("/remote/runs/r1");
        assertThat(moved.probes()).containsExactly("tegrastats");
        assertThat(moved.runId()).isEqualTo("r1");
    }

    @Test
    void theEventsFileIsWrittenOnlyWhenSetAndKeptThroughCopies() throws Exception {
        WorkerRequest plain = new WorkerRequest("r1", Map.of("name", "x"), Map.of(), null, "/out");
        assertThat(EventCodec.JSON.writeValueAsString(plain)).doesNotContain("events_file");
        WorkerRequest copying = plain.relocated(null, "/remote/runs/r1").withEventsFile("/remote/runs/r1/events.jsonl");
        String json = EventCodec.JSON.writeValueAsString(copying);
        assertThat(json).contains("\"events_file\":\"/remote/runs/r1/events.jsonl\"");
        WorkerRequest back = EventCodec.JSON.readValue(json, WorkerRequest.class);
        assertThat(back).isEqualTo(copying);
        assertThat(back.withProbes(List.of("tegrastats")).resuming(null).eventsFile())
                .isEqualTo("/remote/runs/r1/events.jsonl");
    }
}
