using Sparsify.Core.Execution;
using Sparsify.Core.Onnx;
using Sparsify.Core.Tests.Support;
using static Sparsify.Core.Tests.Support.OnnxProtoBuilder;

using DataType = Sparsify.Core.Onnx.Protos.TensorProto.Types.DataType;

namespace Sparsify.Core.Tests.Onnx;

/// <summary>
/// What exporters compute from weights and static shapes is computed at import: each folded
/// operator feeds a layer's weights, bias or reshape target, and the model agrees with ONNX Runtime
/// on the same file while the folded nodes leave no layer behind.
/// </summary>
[TestClass]
public sealed class ConstantFoldingTests
{
    private static readonly Dictionary<string, (Func<OnnxProtoBuilder> Build, string[] Layers)> Cases = new()
    {
        ["flatten by Shape, Gather, Unsqueeze and Concat with a symbolic batch"] = (() => Model(13, [0, 2, 3, 4], b =>
        {
            b.Node("Shape", ["x"], "shape");
            b.Node("Gather", ["shape", b.Int64Scalar("zero", 0)], "n", Int("axis", 0));
            b.Node("Unsqueeze", ["n", b.Int64s("axes", 0)], "n1");
            b.Node("Concat", ["n1", b.Int64s("rest", -1)], "target", Int("axis", 0));
            b.Node("Reshape", ["x", "target"], "y");
        }), ["Reshape"]),
        ["opset 11 Unsqueeze and Squeeze by attribute, integer Mul and Div"] = (() => Model(11, [1, 2, 3, 4], b =>
        {
            b.Node("Shape", ["x"], "shape");
            b.Node("Gather", ["shape", b.Int64s("hw", 2, 3)], "sizes", Int("axis", 0));
            b.Node("Unsqueeze", ["sizes"], "wide", Ints("axes", 0, 2));
            b.Node("Squeeze", ["wide"], "sizes2", Ints("axes", 0, 2));
            b.Node("Mul", ["sizes2", b.Int64s("double", 2, 1)], "scaled");
            b.Node("Div", ["scaled", b.Int64s("half", 2, 2)], "halved");
            b.Node("Concat", [b.Int64s("lead", 1, 4), "halved"], "target", Int("axis", 0));
            b.Node("Reshape", ["x", "target"], "y");
        }), ["Reshape"]),
        ["conv weights by Reshape and Transpose of an initializer"] = (() => Model(13, [1, 2, 6, 6], b =>
        {
            b.Node("Reshape", [b.Weights("flat", [54]), b.Int64s("shape", 3, 3, 2, 3)], "w0");
            b.Node("Transpose", ["w0"], "w", Ints("perm", 0, 2, 1, 3));
            b.Node("Conv", ["x", "w"], "y");
        }), ["Conv"]),
        ["conv weights by a reversing Slice, Unsqueeze and Squeeze"] = (() => Model(13, [1, 3, 5, 5], b =>
        {
            b.Node("Slice", [b.Weights("w0", [4, 3, 3, 3]), b.Int64s("starts", -1), b.Int64s("ends", long.MinValue), b.Int64s("axes", 0), b.Int64s("steps", -1)], "reversed");
            b.Node("Unsqueeze", ["reversed", b.Int64s("lead", 0)], "wide");
            b.Node("Squeeze", ["wide", b.Int64s("lead2", 0)], "w");
            b.Node("Conv", ["x", "w"], "y");
        }), ["Conv"]),
        ["a bias by Range, Equal, Where, Expand, Cast, ConstantOfShape and float arithmetic"] = (() => Model(13, [1, 2, 4, 4], b =>
        {
            b.Node("Range", [b.Scalar("start", 0), b.Scalar("limit", 4), b.Scalar("delta", 1)], "channel");
            b.Node("Equal", ["channel", b.Scalar("two", 2)], "isTwo");
            b.Node("Expand", [b.Weights("one", [1], [1.5f]), b.Int64s("four", 4)], "ones");
            b.Node("ConstantOfShape", [b.Int64s("shape4", 4)], "fives", Tensor("value", new() { DataType = 7, Dims = { 1 }, Int64Data = { 5 } }));
            b.Node("Cast", ["fives"], "fivesF", Int("to", 1));
            b.Node("Where", ["isTwo", "ones", "fivesF"], "picked");
            b.Node("Pow", ["picked", b.Scalar("square", 2)], "squared");
            b.Node("Sqrt", ["squared"], "back");
            b.Node("Neg", ["back"], "negated");
            b.Node("Sub", ["negated", "channel"], "less");
            b.Node("Div", ["less", b.Scalar("ten", 10)], "bias0");
            b.Node("Reshape", ["bias0", b.Int64s("perChannel", 4, 1, 1)], "bias");
            b.Node("Conv", ["x", b.Weights("w", [4, 2, 3, 3])], "c");
            b.Node("Add", ["c", "bias"], "y");
        }), ["Conv"]),
        ["an If on a constant condition is its taken branch"] = (() => Model(13, [1, 3, 4, 4], b =>
        {
            b.Node("Shape", ["x"], "shape");
            b.Node("Gather", ["shape", b.Int64s("one", 1)], "channels", Int("axis", 0));
            b.Node("Equal", ["channels", b.Int64s("three", 3)], "isThree");
            b.Node("If", ["isThree"], "y",
                Branch("then_branch", "taken", t => t.Node("Relu", ["x"], "taken")),
                Branch("else_branch", "other", e => e.Node("Identity", ["x"], "other")));
        }), ["Relu"]),
        ["an If whose branch computes a constant"] = (() => Model(13, [1, 4], b =>
        {
            b.Node("Shape", ["x"], "shape");
            b.Node("Gather", ["shape", b.Int64s("zero", 0)], "batch", Int("axis", 0));
            b.Node("Equal", ["batch", b.Int64s("two", 2)], "isTwo");
            b.Node("If", ["isTwo"], "target",
                Branch("then_branch", "wrong", t => t.Node("Identity", [t.Int64s("two_by", 2, -1)], "wrong"), DataType.Int64),
                Branch("else_branch", "right", e => e.Node("Identity", [e.Int64s("one_by", 1, 2, 2)], "right"), DataType.Int64));
            b.Node("Reshape", ["x", "target"], "r");
            b.Node("Relu", ["r"], "y");
        }), ["Reshape", "Relu"]),
        ["an Identity of an initializer shares it"] = (() => Model(13, [1, 3, 4, 4], b =>
        {
            b.Node("Identity", [b.Weights("w", [2, 3, 1, 1])], "w2");
            b.Node("Conv", ["x", "w2"], "y");
        }), ["Conv"]),
    };

    public static IEnumerable<object[]> CaseNames => Cases.Keys.Select(k => new object[] { k });

    [TestMethod]
    [DynamicData(nameof(CaseNames))]
    public void FoldedModelMatchesOnnxRuntime(string name)
    {
        var (build, layers) = Cases[name];
        var bytes = build().Bytes();
        var graph = OnnxModel.Load(bytes);
        var input = TestData.SeededInput(graph.Inputs[0].Shape, seed: name.Length);

        var actual = new ReferenceExecutor(graph).Run([input])[0];

        CollectionAssert.AreEqual(layers, graph.Layers.Select(l => l.OpType).ToArray(), name);
        AssertTensor.Close(OnnxRuntimeOracle.Run(bytes, input), actual.Data, 1e-5, name);
    }

    [TestMethod]
    [DataRow("Add", new long[] { 3 }, new long[] { 4 }, "do not broadcast")]
    [DataRow("Gather", new long[] { 3 }, new long[] { 1 }, "out of range")]
    public void FoldingRefusesBadOperands(string op, long[] left, long[] right, string reason)
    {
        var b = new OnnxProtoBuilder().Input("x", 1, 4);
        var index = op == "Gather" ? b.Int64s("index", 3) : b.Weights("r", right);
        b.Node(op, [b.Weights("l", left), index], "c").Name = "folded";
        b.Node("Reshape", ["x", b.Int64s("shape", 1, 4)], "r2");
        b.Node("Add", ["r2", "c"], "y");

        var e = Assert.ThrowsExactly<SparsifyModelException>(() => OnnxModel.Load(b.Output("y").Bytes()));

        StringAssert.Contains(e.Message, $"node 'folded' ({op})");
        StringAssert.Contains(e.Message, reason);
    }

    [TestMethod]
    public void AConstantTooLargeToFoldIsRefusedBeforeItIsMade()
    {
        var b = new OnnxProtoBuilder().Input("x", 1, 4);
        b.Node("ConstantOfShape", [b.Int64s("huge", 1 << 20, 1 << 20)], "c").Name = "fill";
        b.Node("Add", ["x", "c"], "y");

        var e = Assert.ThrowsExactly<SparsifyModelException>(() => OnnxModel.Load(b.Output("y").Bytes()));

        StringAssert.Contains(e.Message, "node 'fill' (ConstantOfShape)");
        StringAssert.Contains(e.Message, "more than the limit");
    }

    [TestMethod]
    public void AShapeOperatorOnComputedValuesSaysItNeedsConstants()
    {
        var b = new OnnxProtoBuilder().Input("x", 1, 4);
        b.Node("Gather", ["x", b.Int64s("indices", 0)], "y", OnnxProtoBuilder.Int("axis", 1)).Name = "pick";

        var e = Assert.ThrowsExactly<SparsifyModelException>(() => OnnxModel.Load(b.Output("y").Bytes()));

        StringAssert.Contains(e.Message, "node 'pick' (Gather)");
        StringAssert.Contains(e.Message, "supported only where its inputs are constant");
    }

    [TestMethod]
    public void ABranchThatRewritesAnOuterValueIsRefused()
    {
        var b = new OnnxProtoBuilder().Input("x", 1, 4);
        b.Node("Relu", ["x"], "r");
        b.Node("Equal", [b.Int64s("one", 1), b.Int64s("also_one", 1)], "yes");
        b.Node("If", ["yes"], "y",
            Branch("then_branch", "r", t => t.Node("Identity", ["x"], "r")),
            Branch("else_branch", "other", e => e.Node("Identity", ["x"], "other"))).Name = "choose";

        var e = Assert.ThrowsExactly<SparsifyModelException>(() => OnnxModel.Load(b.Output("y").Bytes()));

        StringAssert.Contains(e.Message, "node 'choose' (If)");
        StringAssert.Contains(e.Message, "writes 'r', a value the graph already has");
    }

    [TestMethod]
    public void FoldingIsDeterministicAndLeavesNotesForInlinedBranches()
    {
        var bytes = Cases["an If on a constant condition is its taken branch"].Build().Bytes();

        var graph = OnnxModel.Load(bytes);

        Assert.IsTrue(graph.Notes.Any(n => n.Contains("then_branch is imported in its place", StringComparison.Ordinal)), string.Join("; ", graph.Notes));
        CollectionAssert.AreEqual(graph.Notes.ToArray(), OnnxModel.Load(bytes).Notes.ToArray());
    }

    private static OnnxProtoBuilder Model(int opset, long[] inputDims, Action<OnnxProtoBuilder> body)
    {
        var builder = new OnnxProtoBuilder(opset).Input("x", inputDims);
        body(builder);
        return builder.Output("y");
    }
}
