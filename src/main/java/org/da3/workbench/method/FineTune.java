package org.da3.workbench.method;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.util.HashMap;
import java.util.Map;
import org.da3.workbench.nn.BatchNormLayer;
import org.da3.workbench.nn.BnParams;
import org.da3.workbench.nn.ConvLayer;

/**
 * Fine-tuning: every weight of a per-domain copy of the backbone trains, BN in training mode
 * (batch statistics, running statistics updated in the copy). The shared backbone is untouched;
 * the patch is a whole model, which is the cost fine-tuning pays per domain.
 */
public final class FineTune implements Method {
    @Override
    public String name() {
        return "finetune";
    }

    @Override
    public Patch create(PatchContext ctx) {
        return new FineTunePatch(ctx);
    }

    /** A full trainable copy of the backbone plus a head. */
    static final class FineTunePatch extends Patch {
        private final Map<String, NDArray> copies = new HashMap<>();

        FineTunePatch(PatchContext ctx) {
            super(ctx);
            for (Map.Entry<String, Parameter> e : ctx.backbone().stateDict().entrySet()) {
                NDArray copy = e.getValue().getArray().duplicate();
                copy.attach(manager);
                String name = e.getKey();
                if (name.endsWith("running_mean") || name.endsWith("running_var")) {
                    buffer(name, copy);
                } else {
                    trainable(name, copy);
                }
                copies.put(name, copy);
            }
        }

        @Override
        public NDArray convWeight(ConvLayer conv) {
            return copies.get(conv.path() + ".weight");
        }

        @Override
        public BnParams bn(BatchNormLayer bn) {
            String p = bn.path();
            return new BnParams(copies.get(p + ".weight"), copies.get(p + ".bias"),
                    copies.get(p + ".running_mean"), copies.get(p + ".running_var"), true);
        }
    }
}
