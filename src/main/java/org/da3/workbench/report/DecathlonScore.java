package org.da3.workbench.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Visual Decathlon score (Rebuffi et al. 2017): {@code S = Σ_d α_d · max(0, E_max,d − E_d)^γ}
 * with γ = 2, {@code E_max,d = 2 ×} a reference error of domain d and {@code α_d = 1000 ·
 * E_max,d^−γ}, so each domain contributes at most 1000 (zero error) and a method as good as the
 * reference scores 250 on that domain. Errors are fractions (1 − accuracy).
 */
public final class DecathlonScore {

    /** The exponent γ. */
    public static final double GAMMA = 2;

    /** The most a domain contributes. */
    public static final double PER_DOMAIN = 1000;

    /** The ten Visual Decathlon domains, by their canonical names. */
    public static final List<String> DOMAINS = List.of("aircraft", "cifar100", "daimlerpedcls", "dtd", "gtsrb",
            "imagenet12", "omniglot", "svhn", "ucf101", "vgg-flowers");

    private static final Map<String, String> ALIASES = Map.ofEntries(
            Map.entry("aircraft", "aircraft"), Map.entry("fgvcaircraft", "aircraft"),
            Map.entry("cifar100", "cifar100"), Map.entry("daimlerpedcls", "daimlerpedcls"),
            Map.entry("daimler", "daimlerpedcls"), Map.entry("dped", "daimlerpedcls"), Map.entry("dtd", "dtd"),
            Map.entry("gtsrb", "gtsrb"), Map.entry("imagenet12", "imagenet12"), Map.entry("imagenet", "imagenet12"),
            Map.entry("omniglot", "omniglot"), Map.entry("svhn", "svhn"), Map.entry("ucf101", "ucf101"),
            Map.entry("ucf", "ucf101"), Map.entry("vggflowers", "vgg-flowers"), Map.entry("flowers", "vgg-flowers"));

    private DecathlonScore() {}

    /**
     * Reference errors per domain, and where they come from (for the table's caption).
     *
     * @param errors reference error per domain, as fractions
     * @param source for the caption, for example "finetune in this run set"
     */
    public record Reference(Map<String, Double> errors, String source) {
        /** Copies and checks the errors. */
        public Reference {
            Map<String, Double> m = new LinkedHashMap<>();
            for (Map.Entry<String, Double> e : errors.entrySet()) {
                double v = e.getValue();
                if (!(v >= 0 && v <= 1)) {
                    throw new IllegalArgumentException("reference error of " + e.getKey() + " is " + v
                            + "; give an error between 0 and 1 (or a percentage such as 25%)");
                }
                m.put(e.getKey(), v);
            }
            errors = Collections.unmodifiableMap(m);
        }
    }

    /**
     * The canonical Decathlon name of a domain name, accepting prefixes such as {@code decathlon-}
     * and {@code vd-} and spellings such as {@code vgg_flowers}.
     *
     * @param name a domain name
     * @return the canonical name, or null if it is not a Decathlon domain
     */
    public static String decathlonDomain(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (String p : new String[] {"visual-decathlon", "visual_decathlon", "decathlon", "vd"}) {
            if (n.startsWith(p + "-") || n.startsWith(p + "_") || n.startsWith(p + "/")) {
                n = n.substring(p.length() + 1);
                break;
            }
        }
        return ALIASES.get(n.replaceAll("[^a-z0-9]", ""));
    }

    /**
     * Whether domains are the Decathlon's (every one of them is a Decathlon domain).
     *
     * @param domains domain names
     * @return true if there is at least one and all are Decathlon domains
     */
    public static boolean isDecathlon(List<String> domains) {
        return !domains.isEmpty() && domains.stream().allMatch(d -> decathlonDomain(d) != null);
    }

    /**
     * One domain's contribution.
     *
     * @param error the method's error (fraction)
     * @param referenceError the reference error (fraction)
     * @return from 0 to 1000; NaN if either is NaN
     */
    public static double contribution(double error, double referenceError) {
        if (Double.isNaN(error) || Double.isNaN(referenceError)) {
            return Double.NaN;
        }
        double eMax = 2 * referenceError;
        if (eMax <= 0) {
            return error <= 0 ? PER_DOMAIN : 0;
        }
        double alpha = PER_DOMAIN * Math.pow(eMax, -GAMMA);
        return alpha * Math.pow(Math.max(0, eMax - error), GAMMA);
    }

    /**
     * The score of a run over domains.
     *
     * @param errors the run's error per domain
     * @param domains the domains scored
     * @param reference the reference errors
     * @return the sum of the contributions; NaN if a domain has no error or no reference
     */
    public static double score(Map<String, Double> errors, List<String> domains, Reference reference) {
        double s = 0;
        for (String d : domains) {
            Double e = errors.get(d);
            Double r = reference.errors().get(d);
            if (e == null || r == null || e.isNaN()) {
                return Double.NaN;
            }
            s += contribution(e, r);
        }
        return s;
    }
}
