package org.da3.workbench.train;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SGD with momentum, or Adam, updating arrays in place. State lives beside each parameter (same
 * manager) and is part of training memory: one buffer per parameter for SGD, two for Adam.
 * Weight decay applies to weights of rank 2 and more, not to biases, BN affine parameters or masks.
 */
public final class Optimizer implements AutoCloseable {
    private final String kind;
    private final double momentum;
    private final double weightDecay;
    private final Map<String, NDArray> params;
    private final Map<String, NDArray> first = new LinkedHashMap<>();
    private final Map<String, NDArray> second = new LinkedHashMap<>();
    private long steps;
    private final Map<String, Double> scales = new LinkedHashMap<>();

    /**
     * Sets per-array learning-rate multipliers.
     *
     * @param scale the multiplier of each array by name (arrays not named keep 1)
     * @return this optimizer
     */
    public Optimizer withLearningRateScales(java.util.function.ToDoubleFunction<String> scale) {
        for (String name : params.keySet()) {
            double v = scale.applyAsDouble(name);
            if (v != 1) {
                scales.put(name, v);
            }
        }
        return this;
    }

    /**
     * Creates an optimizer over named parameters.
     *
     * @param kind sgd or adam
     * @param params the arrays to update, by name
     * @param momentum SGD momentum (ignored by Adam)
     * @param weightDecay L2 weight decay
     */
    public Optimizer(String kind, Map<String, NDArray> params, double momentum, double weightDecay) {
        if (!kind.equals("sgd") && !kind.equals("adam")) {
            throw new IllegalArgumentException("unknown optimizer '" + kind + "'; allowed: sgd, adam");
        }
        this.kind = kind;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.params = new LinkedHashMap<>(params);
    }

    /** @return the number of optimizer state scalars (momentum buffers, Adam moments) */
    public long stateSize() {
        long perParam = kind.equals("adam") ? 2 : (momentum > 0 ? 1 : 0);
        long n = 0;
        for (NDArray p : params.values()) {
            n += p.size();
        }
        return n * perParam;
    }

    /**
     * Applies one update.
     *
     * @param grads the gradients by parameter name (missing names are skipped)
     * @param baseLr the learning rate for this step (times each array's multiplier)
     */
    public void step(Map<String, NDArray> grads, double baseLr) {
        steps++;
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray w = e.getValue();
            NDArray g = grads.get(e.getKey());
            if (g == null) {
                continue;
            }
            double lr = baseLr * scales.getOrDefault(e.getKey(), 1.0);
            NDArray gd = g;
            if (weightDecay > 0 && w.getShape().dimension() >= 2) {
                try (NDArray decay = w.mul((float) weightDecay)) {
                    gd = g.add(decay);
                }
            }
            if (kind.equals("sgd")) {
                if (momentum > 0) {
                    NDArray buf = first.get(e.getKey());
                    if (buf == null) {
                        buf = gd.duplicate();
                        buf.attach(w.getManager());
                        first.put(e.getKey(), buf);
                    } else {
                        buf.muli((float) momentum).addi(gd);
                    }
                    try (NDArray upd = buf.mul((float) lr)) {
                        w.subi(upd);
                    }
                } else {
                    try (NDArray upd = gd.mul((float) lr)) {
                        w.subi(upd);
                    }
                }
            } else {
                adam(e.getKey(), w, gd, lr);
            }
            if (gd != g) {
                gd.close();
            }
        }
    }

    private void adam(String name, NDArray w, NDArray g, double lr) {
        final double b1 = 0.9;
        final double b2 = 0.999;
        final double eps = 1e-8;
        NDArray m = first.get(name);
        NDArray v = second.get(name);
        if (m == null) {
            m = w.zerosLike();
            v = w.zerosLike();
            first.put(name, m);
            second.put(name, v);
        }
        try (NDArray g1 = g.mul((float) (1 - b1)); NDArray gsq = g.square(); NDArray g2 = gsq.muli((float) (1 - b2))) {
            m.muli((float) b1).addi(g1);
            v.muli((float) b2).addi(g2);
        }
        double c1 = 1 - Math.pow(b1, steps);
        double c2 = 1 - Math.pow(b2, steps);
        try (NDArray denom = v.div((float) c2); NDArray s = denom.sqrt(); NDArray d = s.addi((float) eps);
                NDArray num = m.mul((float) (lr / c1)); NDArray upd = num.divi(d)) {
            w.subi(upd);
        }
    }

    /** @return the steps applied so far (Adam's bias correction depends on it) */
    public long steps() {
        return steps;
    }

    /**
     * The optimizer's state, for an epoch checkpoint: {@code first.NAME} (SGD's momentum buffer or
     * Adam's first moment) and {@code second.NAME} (Adam's second moment) of each parameter updated
     * so far; the arrays themselves, not copies.
     *
     * @return the arrays by name
     */
    public Map<String, NDArray> state() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        first.forEach((k, v) -> out.put("first." + k, v));
        second.forEach((k, v) -> out.put("second." + k, v));
        return out;
    }

    /**
     * Restores the state {@link #state()} and {@link #steps()} gave, so the next update is the one an
     * optimizer that never stopped would apply, bit for bit.
     *
     * @param state the arrays by name, as {@link #state()} names them
     * @param stepCount the steps applied before they were saved
     * @param file the file they come from, for messages
     * @throws IllegalArgumentException naming the file and the array when a name is not one of this
     *     optimizer's parameters, a shape differs, or the state is not of this kind of optimizer
     */
    public void restore(Map<String, NDArray> state, long stepCount, String file) {
        for (Map.Entry<String, NDArray> e : state.entrySet()) {
            String key = e.getKey();
            boolean isFirst = key.startsWith("first.");
            if (!isFirst && !key.startsWith("second.")) {
                throw new IllegalArgumentException(file + ": optimizer state '" + key + "' is neither first.NAME nor"
                        + " second.NAME");
            }
            String name = key.substring(isFirst ? "first.".length() : "second.".length());
            NDArray w = params.get(name);
            if (w == null) {
                throw new IllegalArgumentException(file + ": optimizer state '" + key + "' is for '" + name
                        + "', which this method does not train with these options");
            }
            if (!isFirst && !kind.equals("adam") || isFirst && kind.equals("sgd") && momentum <= 0) {
                throw new IllegalArgumentException(file + ": optimizer state '" + key + "' does not belong to " + kind
                        + (kind.equals("sgd") ? " with momentum " + momentum : "") + "; it was saved by another optimizer");
            }
            NDArray src = e.getValue();
            if (!src.getShape().equals(w.getShape())) {
                throw new IllegalArgumentException(file + ": optimizer state '" + key + "' has shape " + src.getShape()
                        + ", expected " + w.getShape());
            }
            NDArray buf = w.zerosLike();
            buf.set(src.toByteBuffer());
            NDArray old = (isFirst ? first : second).put(name, buf);
            if (old != null) {
                old.close();
            }
        }
        if (kind.equals("adam") && first.keySet().stream().anyMatch(k -> !second.containsKey(k))) {
            throw new IllegalArgumentException(file + ": Adam's state has a first moment without its second");
        }
        this.steps = stepCount;
    }

    @Override
    public void close() {
        first.values().forEach(NDArray::close);
        second.values().forEach(NDArray::close);
        first.clear();
        second.clear();
    }

    /**
     * The learning rate of a step under a schedule.
     *
     * @param schedule constant, cosine or step
     * @param base the base rate
     * @param step the step (0-based)
     * @param total the total steps
     * @return the rate
     */
    public static double learningRate(String schedule, double base, long step, long total) {
        double t = total <= 1 ? 0 : (double) step / total;
        switch (schedule) {
            case "cosine":
                return base * 0.5 * (1 + Math.cos(Math.PI * t));
            case "step":
                return base * (t < 0.5 ? 1 : t < 0.75 ? 0.1 : 0.01);
            default:
                return base;
        }
    }
}
