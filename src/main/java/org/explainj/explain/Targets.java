package org.explainj.explain;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;

/**
 * The {@code target} key: {@code top}, a class index, a class name, {@code 3: name} (as the dialog lists them),
 * several of those separated by commas, {@code topK} (the K best classes of each image) or {@code all}.
 */
public final class Targets {

    private Targets() {
    }

    /**
     * The targets a spec asks for ({@code top}, an index, a class name, {@code topK}, {@code all}, a list); class
     * names are looked up in {@code labels}.
     *
     * @param region a target restricted to a region (its class is ignored), or null
     * @param output the model output read (a dict key or tuple index), or null/blank for the default
     */
    public static List<Target> parse(String spec, boolean counterfactual, Target region, String output,
                                     List<String> labels, TorchScriptModel model, ModelInput input) {
        String s = spec == null ? "" : spec.trim();
        String lower = s.toLowerCase(Locale.ROOT).replace(" ", "").replace("-", "");
        List<Target> targets = new ArrayList<>();
        if (lower.equals("all") || (lower.startsWith("top") && lower.length() > 3 && !lower.equals("top1"))) {
            float[] scores = GradientPass.resolve(model, input, withRegion(Target.TOP, region).fromOutput(output))
                    .scores();
            int k = scores.length;
            if (!lower.equals("all")) {
                try {
                    k = Math.min(scores.length, Integer.parseInt(lower.substring(3)));
                } catch (NumberFormatException e) {
                    throw new MethodException("The target \"" + spec + "\" is not understood: use top, topK (e.g. "
                            + "top3), all, a class index, a class name, or a comma-separated list of those.");
                }
                if (k < 1) {
                    throw new MethodException("topK needs K ≥ 1, got \"" + spec + "\".");
                }
            }
            Integer[] order = new Integer[scores.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            if (!lower.equals("all")) {
                java.util.Arrays.sort(order, (a, b) -> Float.compare(scores[b], scores[a]));
            }
            for (int i = 0; i < k; i++) {
                targets.add(withRegion(Target.index(order[i]), region).negated(counterfactual).fromOutput(output));
            }
            return targets;
        }
        for (String part : s.isEmpty() ? new String[] {"top"} : s.split(",")) {
            targets.add(withRegion(one(part.trim(), labels), region).negated(counterfactual).fromOutput(output));
        }
        return targets;
    }

    /** One target; {@code 3: name} (the dialog's form) is class 3. */
    private static Target one(String part, List<String> labels) {
        int colon = part.indexOf(':');
        if (colon > 0) {
            try {
                return Target.index(Integer.parseInt(part.substring(0, colon).trim()));
            } catch (NumberFormatException e) {
                // a class name that contains a colon
            }
        }
        Target t = Target.parse(part);
        return t.isNamed() ? Target.index(t.resolve(null, labels)) : t;
    }

    private static Target withRegion(Target t, Target region) {
        return region == null ? t : t.inRegionOf(region);
    }
}
