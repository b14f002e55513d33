package org.explainj.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.explainj.model.script.Parser;
import org.explainj.model.script.Stmt;

/**
 * The contract between the code a prepared copy runs and the Java that reads its result: both sides live here.
 *
 * <p>The copy's entry method {@code <P>explain(x, ctl)} takes a control tensor {@code [selection, relu, attention]}
 * and returns {@code [header, outputs..., records...]}: {@code header = [number of outputs]}, then the forward's
 * outputs as tensors (a dict's values in key order, a tuple's elements), then the records appended while the forward
 * ran. Each record is an int64 tensor {@code [kind, module id, extra...]} followed by {@link Kind#values} tensors:
 * <ul>
 * <li>{@link Kind#RELU} (relu = 1): the ReLU's input z and a leaf t = relu(z) (a stage for staged backprop);</li>
 * <li>{@link Kind#LAYER_STAGE} (the selected module's output, relu = 1, or every module with {@link #ALL_MODULES}):
 * the value before the cut and the leaf after it;</li>
 * <li>{@link Kind#LAYER_LEAF} (the selected module's output, relu = 0): the leaf, whose gradient is dY/dA;</li>
 * <li>{@link Kind#SHAPE} (selection {@link #SHAPES}): no tensor, the output shape in {@code extra};</li>
 * <li>{@link Kind#ATTENTION} (attention = 1): a softmax output (attention probabilities).</li>
 * </ul>
 * {@code <P>} is a name prefix that no identifier of the model's code starts with ({@code ej_}, else
 * {@code ej1_}, ...), so generated names never collide.
 */
public final class TapProtocol {

    /** What a record holds. */
    public enum Kind {
        RELU(1, 2), LAYER_STAGE(2, 2), SHAPE(3, 0), LAYER_LEAF(4, 1), ATTENTION(5, 1);

        final int code;
        final int values;

        Kind(int code, int values) {
            this.code = code;
            this.values = values;
        }

        static Kind of(long code) {
            for (Kind k : values()) {
                if (k.code == code) {
                    return k;
                }
            }
            throw new IllegalStateException("unknown tap record kind " + code);
        }
    }

    /** Selection: no module. */
    public static final int NONE = -1;
    /** Selection: every module records its output shape (the layer catalogue). */
    public static final int SHAPES = -2;
    /** Selection: every module's output is cut (a stage), so one staged backward gives every dY/dA. */
    public static final int ALL_MODULES = -3;

    /** One record. */
    public record Record(Kind kind, int module, long[] extra, List<NDArray> values) {
    }

    /** A decoded result: the forward's outputs and the records in the order they were appended. */
    public record Result(List<NDArray> outputs, List<Record> records) {
        /** The records of one kind. */
        public List<Record> of(Kind kind) {
            List<Record> out = new ArrayList<>();
            for (Record r : records) {
                if (r.kind == kind) {
                    out.add(r);
                }
            }
            return out;
        }
    }

    private final String prefix;

    TapProtocol(String prefix) {
        this.prefix = prefix;
    }

    String prefix() {
        return prefix;
    }

    /** A generated name: the prefix and {@code name}. */
    String name(String name) {
        return prefix + name;
    }

    /** The entry method's name. */
    String entry() {
        return name("explain");
    }

    static NDArray control(NDManager manager, int selection, boolean relu, boolean attention) {
        return HostArrays.longs(manager, new long[] {selection, relu ? 1 : 0, attention ? 1 : 0});
    }

    /** Splits the entry method's result into outputs and records. */
    static Result decode(NDList list) {
        int outputs = (int) list.get(0).toLongArray()[0];
        List<NDArray> outs = new ArrayList<>(list.subList(1, 1 + outputs));
        List<Record> records = new ArrayList<>();
        int i = 1 + outputs;
        while (i < list.size()) {
            NDArray header = list.get(i);
            if (header.getDataType() != DataType.INT64) {
                throw new IllegalStateException("tap record " + i + " has no header");
            }
            long[] h = header.toLongArray();
            Kind kind = Kind.of(h[0]);
            List<NDArray> values = new ArrayList<>(list.subList(i + 1, i + 1 + kind.values));
            long[] extra = new long[h.length - 2];
            System.arraycopy(h, 2, extra, 0, extra.length);
            records.add(new Record(kind, (int) h[1], extra, Collections.unmodifiableList(values)));
            i += 1 + kind.values;
        }
        return new Result(outs, records);
    }

    // ------------------------------------------------------------------ the code side

    /** Parameters every copied method gets after its self: tap list, selection, module id, ReLU and attention modes. */
    String methodParams() {
        return n("taps") + ": List[Tensor], " + n("sel") + ": int, " + n("id") + ": int, " + n("mode") + ": int, "
                + n("attn") + ": int";
    }

    /** Parameters every copied free function gets first (no module id: functions hold no modules). */
    String functionParams() {
        return n("taps") + ": List[Tensor], " + n("mode") + ": int, " + n("attn") + ": int";
    }

    String methodArgs(String id) {
        return n("taps") + ", " + n("sel") + ", " + id + ", " + n("mode") + ", " + n("attn");
    }

    String functionArgs() {
        return n("taps") + ", " + n("mode") + ", " + n("attn");
    }

    private String n(String s) {
        return prefix + s;
    }

    /**
     * What replaces {@code return <value>} in the copy of a module's forward that returns a tensor: the cut at the
     * selected module (or at every module), or the shape record. When the module returns one of its arguments
     * modified in place (an in-place ReLU module), the caller may go on with its own reference to that tensor, so
     * the cut is made in that tensor itself: it is detached in place (its history, which earlier operations may have
     * saved, is no longer reachable from it) and takes the leaf's value with the leaf's gradient path, while the leaf
     * keeps storage of its own (later in-place operations of the caller do not change A).
     *
     * @param tensorParams the method's tensor parameters (candidates for such an alias)
     */
    List<Stmt> returnTap(String valueSource, List<String> tensorParams) {
        StringBuilder alias = new StringBuilder();
        for (String p : tensorParams) {
            alias.append(alias.length() == 0 ? "" : " or ").append("$out is ").append(p);
        }
        String t = """
                $out = $VALUE
                if $sel == $id or $sel == -3:
                  $alias = $ALIAS
                  if $alias:
                    $pre = torch.clone($out)
                    $out = $out.detach_()
                    $leaf = torch.clone($out).requires_grad_()
                  else:
                    $leaf = $out.detach().requires_grad_()
                    $pre = $out
                  if $mode == 1 or $sel == -3:
                    $taps.append(torch.tensor([2, $id]))
                    $taps.append($pre)
                  else:
                    $taps.append(torch.tensor([4, $id]))
                  $taps.append($leaf)
                  if $alias:
                    $out = $out.copy_($leaf)
                  else:
                    $out = torch.clone($leaf)
                else:
                  if $sel == -2:
                    $taps.append(torch.tensor([3, $id] + $out.size()))
                  else:
                    pass
                return $out
                """;
        return parse(fill(t.replace("$ALIAS", alias.length() == 0 ? "False" : alias.toString()))
                .replace("$VALUE", valueSource));
    }

    /** The entry method of the root class; {@code outputs} turns the forward's result {@code $y} into a list. */
    Stmt.FunctionDef entryMethod(String selfParam, String input, String outputsSource) {
        String t = """
                def $explain($SELF,
                    $INPUT: Tensor,
                    $ctl: Tensor) -> List[Tensor]:
                  $taps = annotate(List[Tensor], [])
                  $sel = int($ctl[0])
                  $mode = int($ctl[1])
                  $attn = int($ctl[2])
                  $y = ($SELF_NAME).$t_forward($taps, $sel, 0, $mode, $attn, $INPUT)
                  $outs = annotate(List[Tensor], [])
                $OUTPUTS
                  $result = [torch.tensor([len($outs)])]
                  $result = $result + $outs + $taps
                  return $result
                """;
        String selfName = selfParam.contains(":") ? selfParam.substring(0, selfParam.indexOf(':')).trim() : selfParam;
        String code = fill(t).replace("$SELF_NAME", selfName).replace("$SELF", selfParam)
                .replace("$INPUT", input).replace("$OUTPUTS", outputsSource.stripTrailing());
        return (Stmt.FunctionDef) parse(code).get(0);
    }

    /**
     * Lines (indented by two) that append the forward's outputs {@code $y} to {@code $outs}: a tensor, a tuple's
     * elements, a list, a dict's values in key order, or a named tuple's tensor fields ({@code fields}; a field
     * that is None gives an empty tensor, so that positions do not move).
     */
    String outputLines(OutputKind kind, int tupleSize, List<String[]> fields) {
        StringBuilder sb = new StringBuilder();
        switch (kind) {
            case TENSOR -> sb.append("  $outs.append($y)\n");
            case TUPLE -> {
                for (int i = 0; i < tupleSize; i++) {
                    sb.append("  $outs.append($y[").append(i).append("])\n");
                }
            }
            case LIST -> sb.append("  $outs = $y\n");
            case DICT -> sb.append("  $keys = list($y.keys())\n")
                    .append("  $keys.sort()\n")
                    .append("  for $k in $keys:\n")
                    .append("    $outs.append($y[$k])\n");
            case NAMEDTUPLE -> {
                for (int i = 0; i < fields.size(); i++) {
                    String[] f = fields.get(i);
                    if (f[1].equals("Tensor")) {
                        sb.append("  $outs.append($y.").append(f[0]).append(")\n");
                    } else {
                        sb.append("  $o").append(i).append(" = $y.").append(f[0]).append("\n")
                                .append("  if $o").append(i).append(" is not None:\n")
                                .append("    $outs.append($o").append(i).append(")\n")
                                .append("  else:\n")
                                .append("    $outs.append(torch.empty([0]))\n");
                    }
                }
            }
            default -> throw new IllegalArgumentException(kind.toString());
        }
        return fill(sb.toString());
    }

    /**
     * A method that runs the model's own (unchanged) forward and returns {@code [header, outputs...]} like the
     * entry method: the model's outputs in a form DJL can read when the forward's own result is not (a named tuple
     * with None fields).
     */
    Stmt.FunctionDef plainMethod(String selfParam, String input, String outputsSource) {
        String t = """
                def $plain($SELF,
                    $INPUT: Tensor) -> List[Tensor]:
                  $y = ($SELF_NAME).forward($INPUT)
                  $outs = annotate(List[Tensor], [])
                $OUTPUTS
                  $result = [torch.tensor([len($outs)])]
                  $result = $result + $outs
                  return $result
                """;
        String selfName = selfParam.contains(":") ? selfParam.substring(0, selfParam.indexOf(':')).trim() : selfParam;
        String code = fill(t).replace("$SELF_NAME", selfName).replace("$SELF", selfParam)
                .replace("$INPUT", input).replace("$OUTPUTS", outputsSource.stripTrailing());
        return (Stmt.FunctionDef) parse(code).get(0);
    }

    /** The name of the method {@link #plainMethod} makes. */
    String plain() {
        return name("plain");
    }

    enum OutputKind { TENSOR, TUPLE, LIST, DICT, NAMEDTUPLE }

    /**
     * The free functions every prepared copy gets (ReLU stages, attention taps, differentiable attention), for the
     * code module {@code module} (e.g. {@code __torch__}) that will hold them: serialized code names functions by
     * their qualified names.
     */
    List<Stmt> helperFunctions(String module) {
        String t = """
                def $relu($taps: List[Tensor],
                    $mode: int,
                    $z: Tensor) -> Tensor:
                  if $mode == 1:
                    $taps.append(torch.tensor([1, 0]))
                    $taps.append($z)
                    $t = torch.relu($z).detach().requires_grad_()
                    $taps.append($t)
                    $r = torch.clone($t)
                  else:
                    $r = torch.relu($z)
                  return $r
                def $relu_($taps: List[Tensor],
                    $mode: int,
                    $z: Tensor) -> Tensor:
                  if $mode == 1:
                    $zc = torch.clone($z)
                    $taps.append(torch.tensor([1, 0]))
                    $taps.append($zc)
                    $t = torch.relu($zc).detach().requires_grad_()
                    $taps.append($t)
                    $r = $z.copy_($t)
                  else:
                    $r = torch.relu_($z)
                  return $r
                def $relu_dyn($taps: List[Tensor],
                    $mode: int,
                    $z: Tensor,
                    $inplace: bool) -> Tensor:
                  if $inplace:
                    $r = @relu_($taps, $mode, $z)
                  else:
                    $r = @relu($taps, $mode, $z)
                  return $r
                def $attention($taps: List[Tensor],
                    $attn: int,
                    $p: Tensor) -> Tensor:
                  if $attn == 1:
                    $taps.append(torch.tensor([5, 0]))
                    $taps.append($p)
                  else:
                    pass
                  return $p
                def $mha($taps: List[Tensor],
                    $attn: int,
                    query: Tensor,
                    key: Tensor,
                    value: Tensor,
                    embed_dim: int,
                    num_heads: int,
                    qkv_weight: Tensor,
                    qkv_bias: Optional[Tensor],
                    proj_weight: Tensor,
                    proj_bias: Optional[Tensor],
                    mask: Optional[Tensor],
                    need_weights: bool,
                    average_weights: bool,
                    mask_type: Optional[int]) -> Tuple[Tensor, Tensor]:
                  b = query.size(0)
                  t = query.size(1)
                  s = key.size(1)
                  d = embed_dim // num_heads
                  w = qkv_weight.chunk(3)
                  if qkv_bias is None:
                    q = torch.linear(query, w[0])
                    k = torch.linear(key, w[1])
                    v = torch.linear(value, w[2])
                  else:
                    bias = qkv_bias.chunk(3)
                    q = torch.linear(query, w[0], bias[0])
                    k = torch.linear(key, w[1], bias[1])
                    v = torch.linear(value, w[2], bias[2])
                  q = q.view([b, t, num_heads, d]).transpose(1, 2)
                  k = k.view([b, s, num_heads, d]).transpose(1, 2)
                  v = v.view([b, s, num_heads, d]).transpose(1, 2)
                  scores = torch.matmul(q * float(d) ** -0.5, k.transpose(-2, -1))
                  if mask is not None:
                    if mask_type is not None:
                      if mask_type == 1:
                        mask = mask.view([b, 1, 1, s])
                    if mask.dtype == 11:
                      scores = scores.masked_fill(mask, float("-inf"))
                    else:
                      scores = scores + mask
                  probs = @attention($taps, $attn, torch.softmax(scores, -1))
                  out = torch.matmul(probs, v).transpose(1, 2).reshape([b, t, embed_dim])
                  out = torch.linear(out, proj_weight, proj_bias)
                  if need_weights:
                    if average_weights:
                      weights = probs.mean(1)
                    else:
                      weights = probs
                  else:
                    weights = torch.empty([0])
                  return (out, weights)
                """;
        return parse(fill(t.replace("@", module + ".$")));
    }

    private String fill(String template) {
        return template.replaceAll("\\$(?=[a-z_])", java.util.regex.Matcher.quoteReplacement(prefix));
    }

    private static List<Stmt> parse(String code) {
        return Parser.parseFile(code);
    }
}
