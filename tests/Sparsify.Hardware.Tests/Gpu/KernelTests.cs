using Sparsify.Runtime.Kernels;
using Sparsify.Core.Compilation;
using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;
using Sparsify.Core.Sparsity;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Hardware.Tests.Gpu;

/// <summary>One kernel at a time, on small graphs whose shapes exercise its edge cases.</summary>
[TestClass]
public sealed class KernelTests
{
    [TestMethod]
    [DataRow("locality", LayerExecution.SparseTable, "group-format sparse conv, G=4")]
    [DataRow("unstructured", LayerExecution.SparseTable, "CSR sparse conv")]
    [DataRow("locality", LayerExecution.SparseUnrolled, "group-format sparse conv, G=4")]
    [DataRow("locality", LayerExecution.Dense, "dense conv")]
    public void GroupedConvWithStrideTwoAsymmetricPaddingAndDilation(string scheme, LayerExecution execution, string kernel)
    {
        var random = new Random(11);
        var window = new Window2D(3, 3, 2, 2, 2, 1, new Padding2D(2, 1, 0, 2));
        var conv = new ConvLayer("conv", "input", "conv", Weights(random, 16, 4, 3, 3), Bias(random, 16), window, group: 2);
        var graph = ModelGraph.Create("grouped", [new GraphValue("input", new Shape(1, 8, 11, 13))], [conv], ["conv"]);
        var plan = GpuComparison.CompileAndCompare(graph, Options(scheme, 0.6, 4, ("conv", execution)));
        StringAssert.StartsWith(plan.Single(), $"conv: {kernel}");
    }

    [TestMethod]
    public void GroupsStraddlingConvolutionGroupsFallBackToCsr()
    {
        // G = 3 does not divide the 8 output channels per convolution group.
        var random = new Random(12);
        var conv = new ConvLayer("conv", "input", "conv", Weights(random, 16, 4, 3, 3), Bias(random, 16), Window2D.Create(3, 1, Padding2D.Uniform(1)), group: 2);
        var graph = ModelGraph.Create("straddle", [new GraphValue("input", new Shape(1, 8, 7, 7))], [conv], ["conv"]);
        var plan = GpuComparison.CompileAndCompare(graph, Options("locality", 0.6, 3, ("conv", LayerExecution.SparseTable)));
        StringAssert.StartsWith(plan.Single(), "conv: CSR sparse conv");
    }

    [TestMethod]
    [DataRow(PoolKind.Max, false)]
    [DataRow(PoolKind.Average, false)]
    [DataRow(PoolKind.Average, true)]
    public void PoolingInCeilModeWithPadding(PoolKind kind, bool countIncludePad)
    {
        var random = new Random(13);
        var conv = new ConvLayer("conv", "input", "conv", Weights(random, 4, 3, 1, 1), Bias(random, 4), Window2D.Create(1, 1, Padding2D.Uniform(0)), group: 1);
        var pool = new PoolLayer("pool", "conv", "pool", kind, Window2D.Create(3, 2, new Padding2D(0, 1, 0, 0)), ceilMode: true, countIncludePad: countIncludePad);
        var graph = ModelGraph.Create("pool", [new GraphValue("input", new Shape(1, 3, 10, 9))], [conv, pool], ["pool"]);
        Assert.AreEqual(new Shape(1, 4, 5, 5), graph.ShapeOf("pool"), "ceil mode should add a partial window at the bottom and the right");
        var plan = GpuComparison.CompileAndCompare(graph, Options("unstructured", 0.0, 1));
        Assert.AreEqual($"pool: {(kind == PoolKind.Max ? "max" : "average")} pool (ceil mode)", plan[^1]);
    }

    [TestMethod]
    public void ResidualAddAndReluFuseIntoTheConvolution()
    {
        var random = new Random(14);
        var same = Window2D.Create(3, 1, Padding2D.Uniform(1));
        Layer[] layers =
        [
            new ConvLayer("a", "input", "a", Weights(random, 8, 8, 3, 3), Bias(random, 8), same, 1),
            new ReluLayer("a_relu", "a", "a_relu"),
            new ConvLayer("b", "a_relu", "b", Weights(random, 8, 8, 3, 3), null, same, 1),
            new AddLayer("sum", "b", "input", "sum"),
            new ReluLayer("sum_relu", "sum", "sum_relu"),
        ];
        var graph = ModelGraph.Create("residual", [new GraphValue("input", new Shape(1, 8, 6, 6))], layers, ["sum_relu"]);
        var plan = GpuComparison.CompileAndCompare(graph, Options("locality", 0.5, 4, ("a", LayerExecution.SparseTable), ("b", LayerExecution.SparseTable)));
        CollectionAssert.AreEqual(
            new[] { "a: group-format sparse conv, G=4", "b: group-format sparse conv, G=4" },
            plan.Select(p => p[..p.IndexOf(',', p.IndexOf(',', StringComparison.Ordinal) + 1)]).ToArray());
        StringAssert.EndsWith(plan[0], " + relu (a_relu)");
        StringAssert.EndsWith(plan[1], " + residual input (sum) + relu (sum_relu)");
    }

    [TestMethod]
    public void ConcatLrnGlobalAveragePoolAndSoftmax()
    {
        var random = new Random(15);
        var same = Window2D.Create(3, 1, Padding2D.Uniform(1));
        Layer[] layers =
        [
            new ConvLayer("left", "input", "left", Weights(random, 5, 3, 3, 3), Bias(random, 5), same, 1),
            new ConvLayer("right", "input", "right", Weights(random, 3, 3, 1, 1), Bias(random, 3), Window2D.Create(1, 1, Padding2D.Uniform(0)), 1),
            new ConcatLayer("cat", ["left", "right"], "cat", axis: 1),
            new LrnLayer("norm", "cat", "norm", size: 4, alpha: 0.5f, beta: 0.75f, bias: 2f),
            new SoftmaxLayer("soft", "norm", "soft", axis: 1),
            new GlobalAveragePoolLayer("gap", "soft", "gap"),
            new AddLayer("twice", "gap", "gap", "twice"),
        ];
        var graph = ModelGraph.Create("mixed", [new GraphValue("input", new Shape(1, 3, 5, 7))], layers, ["twice"]);
        var plan = GpuComparison.CompileAndCompare(graph, Options("unstructured", 0.0, 1));
        CollectionAssert.IsSubsetOf(new[] { "cat: concat of 2 along axis 1", "norm: LRN, size 4", "soft: softmax over 8", "gap: global average pool", "twice: add" }, plan.ToArray());
    }

    private static CompileOptions Options(string scheme, double sparsity, int groupSize, params (string Layer, LayerExecution Execution)[] overrides) => new()
    {
        Scheme = scheme,
        Sparsity = sparsity,
        Settings = SchemeSettings.Default with { GroupSize = groupSize },
        KeepFirstConvDense = false,
        PlanOverrides = overrides.ToDictionary(o => o.Layer, o => o.Execution),
    };

    private static Tensor Weights(Random random, params int[] shape) => TestModels.Uniform(random, shape);

    private static Tensor Bias(Random random, int count) => TestModels.Uniform(random, count);
}
