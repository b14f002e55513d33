package org.explainj.model.script;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The parser and printer on the constructs TorchScript's serializer writes; print(parse(s)) == s throughout. */
class ParserTest {

    private static void roundTrip(String src) {
        assertEquals(src, Printer.file(Parser.parseFile(src)));
    }

    @Test
    void expressionsKeepPrecedenceAndTheirExactSpelling() {
        for (String e : new String[] {
            "(conv1).forward(x, )", "torch.add_(out3, x)", "getattr(self, \"0\")", "x[:, 0]", "x[0:2:1]", "x[::2]",
            "x[1:]", "x[:-1]", "size[torch.add(i, 2)]", "a + b * c", "(a + b) * c", "-x ** 2", "not a and b or c",
            "a if c else b", "x is not None", "k not in d", "[0, 0]", "[\"weight\", \"bias\", ]", "(a, b)", "(a, )",
            "()", "{\"out\": x, \"aux\": y}", "torch.sum(x, [1], True, dtype=None)", "f(*args, **kw)",
            "1.0000000000000001e-05", "0.10000000000000001", "1.", "CONSTANTS.c0", "ops.prim.RaiseException(\"a\", \"b\")",
            "annotate(List[Tensor], [])", "unchecked_cast(List[int], stride)", "\"a\" \"b\"",
            "torch.format(\"expected {}D input (got {}D input)\", torch.dim(input))", "x @ w", "a // b % c",
            "~x", "a << 2 | b & c ^ d", "torch.tensor([3, ej_id] + ej_out.size())", "float(d) ** -0.5"}) {
            assertEquals(e, Printer.expression(Parser.parseExpression(e)), e);
        }
    }

    @Test
    void precedenceIsPythons() {
        Expr e = Parser.parseExpression("a + b * c");
        Expr.Binary plus = assertInstanceOf(Expr.Binary.class, e);
        assertEquals("+", plus.op());
        assertEquals("*", assertInstanceOf(Expr.Binary.class, plus.right()).op());
        Expr.Binary or = assertInstanceOf(Expr.Binary.class, Parser.parseExpression("not a and b or c"));
        assertEquals("or", or.op());
        Expr.Binary and = assertInstanceOf(Expr.Binary.class, or.left());
        assertEquals("not", assertInstanceOf(Expr.Unary.class, and.left()).op());
        Expr.Unary neg = assertInstanceOf(Expr.Unary.class, Parser.parseExpression("-x ** 2"));
        assertEquals("**", assertInstanceOf(Expr.Binary.class, neg.operand()).op()); // -(x ** 2)
    }

    @Test
    void callsKnowTheirArguments() {
        Expr.Call c = assertInstanceOf(Expr.Call.class,
                Parser.parseExpression("__torch__.torch.nn.functional.relu(input, inplace=True, )"));
        assertEquals("input", Printer.expression(c.positional(0)));
        assertEquals("True", Printer.expression(c.keyword("inplace")));
        assertEquals(", ", c.trailing());
        assertEquals("__torch__.torch.nn.functional.relu", Expr.dotted(c.func()));
    }

    @Test
    void classesMethodsAndBlocksRoundTrip() {
        roundTrip("""
                class BatchNorm2d(Module):
                  __parameters__ = ["weight", "bias", ]
                  __buffers__ = ["running_mean", ]
                  training : bool
                  num_features : Final[int] = 16
                  eps : Final[float] = 1.0000000000000001e-05
                  __annotations__["0"] = __torch__.torch.nn.modules.conv.Conv2d
                  def forward(self: __torch__.torch.nn.modules.batchnorm.BatchNorm2d,
                    input: Tensor) -> Tensor:
                    _0 = __torch__.torch.nn.functional.batch_norm
                    training = self.training
                    if training:
                      _1 = torch.add_(self.num_batches_tracked, 1)
                    else:
                      pass
                    dilation0: Optional[List[int]] = dilation
                    _2, _3, = torch.max(input, 1)
                    a, b = _2, _3
                    for i in range(torch.sub(torch.len(size), 2)):
                      size_prods1 = torch.mul(size_prods0, size[torch.add(i, 2)])
                    while _4:
                      _4, i0 = torch.lt(i0, 3), torch.add(i0, 1)
                    with torch.no_grad():
                      pass
                    if a:
                      b = 1
                    elif c:
                      b = 2
                    else:
                      b = 3
                    ops.prim.RaiseException("AssertionError: ")
                    return (self)._check(input, )
                def relu(input: Tensor,
                    inplace: bool=False) -> Tensor:
                  if inplace:
                    result = torch.relu_(input)
                  else:
                    result = torch.relu(input)
                  return result
                """);
    }

    @Test
    void stringsWithBracketsAndKeywordsAreOpaque() {
        roundTrip("""
                def f(x: Tensor,
                    mode: str="relu(a) + (b") -> Tensor:
                  _0 = "expected (N, C, H, W); \\"torch.relu(\\" \\\\ (torch.nn.functional.gelu(x)"
                  d = {"relu(x)": x, "(": x}
                  return d["relu(x)"]
                """);
        List<Stmt> file = Parser.parseFile("_0 = \"torch.relu(x)\"\n");
        Stmt.Assign a = assertInstanceOf(Stmt.Assign.class, file.get(0));
        assertInstanceOf(Expr.Constant.class, a.value());
    }

    @Test
    void syntaxErrorsNameTheLineAndColumn() {
        ScriptSyntaxException e = assertThrows(ScriptSyntaxException.class,
                () -> Parser.parseFile("class A(Module):\n  def f(self: A) -> Tensor:\n    return (x\n"));
        assertTrue(e.getMessage().contains("unclosed bracket"), e.getMessage());
        e = assertThrows(ScriptSyntaxException.class, () -> Parser.parseFile("x = $y\n"));
        assertTrue(e.getMessage().contains("line 1, column 5") && e.getMessage().contains("'$'"), e.getMessage());
        e = assertThrows(ScriptSyntaxException.class, () -> Parser.parseFile("if x:\n    a = 1\n  b = 2\n"));
        assertTrue(e.getMessage().contains("indentation"), e.getMessage());
    }
}
