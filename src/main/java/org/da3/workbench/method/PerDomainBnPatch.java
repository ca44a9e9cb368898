package org.da3.workbench.method;

import ai.djl.ndarray.NDArray;
import java.util.HashMap;
import java.util.Map;
import org.da3.workbench.nn.BatchNormLayer;
import org.da3.workbench.nn.BnParams;

/**
 * A patch with its own copy of every backbone BatchNorm: affine parameters trained, statistics
 * from the batch while training and kept per domain (bn+last and the residual adapters).
 */
abstract class PerDomainBnPatch extends Patch {
    private final Map<String, BnParams> bns = new HashMap<>();

    PerDomainBnPatch(PatchContext ctx) {
        super(ctx);
        for (BatchNormLayer b : ctx.backbone().bns()) {
            BnParams f = b.frozen();
            String p = b.path();
            NDArray gamma = trainable(p + ".weight", copy(f.gamma()));
            NDArray beta = trainable(p + ".bias", copy(f.beta()));
            NDArray mean = buffer(p + ".running_mean", copy(f.runningMean()));
            NDArray var = buffer(p + ".running_var", copy(f.runningVar()));
            bns.put(p, new BnParams(gamma, beta, mean, var, true));
        }
    }

    /**
     * Copies a backbone array into this patch's manager.
     *
     * @param a the array
     * @return the copy
     */
    protected final NDArray copy(NDArray a) {
        NDArray c = a.duplicate();
        c.attach(manager);
        return c;
    }

    @Override
    public BnParams bn(BatchNormLayer bn) {
        return bns.get(bn.path());
    }
}
