package org.da3.workbench.method;

/**
 * BN + last: per-domain BatchNorm (affine parameters trained, statistics re-estimated per domain)
 * and the head; convolutions frozen. Its BN parameters sit on full-resolution activations, so the
 * step keeps every BN input.
 */
public final class BnAndLast implements Method {
    @Override
    public String name() {
        return "bn+last";
    }

    @Override
    public Patch create(PatchContext ctx) {
        return new PerDomainBnPatch(ctx) {};
    }
}
