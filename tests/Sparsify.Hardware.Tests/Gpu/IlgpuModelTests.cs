using Sparsify.Core.Compilation;
using Sparsify.Core.Ir;
using Sparsify.Training.Models;
using Sparsify.Core.Sparsity;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Hardware.Tests.Gpu;

/// <summary>Whole compiled models on the ILGPU accelerator against the reference executor.</summary>
[TestClass]
public sealed class IlgpuModelTests
{
    private static readonly PlannerOptions TableOnly = PlannerOptions.Default with { UnrollBudget = 0 };

    [TestMethod]
    public void LeNet5DenseMatchesReference()
    {
        var plan = GpuComparison.CompileAndCompare(ModelBuilders.LeNet5(), new CompileOptions { Sparsity = 0 });
        Assert.IsTrue(plan.Any(p => p.StartsWith("conv2: dense conv", StringComparison.Ordinal)), string.Join("\n", plan));
        Assert.IsTrue(plan.Any(p => p.StartsWith("fc1: dense fully connected + relu", StringComparison.Ordinal)), string.Join("\n", plan));
    }

    [TestMethod]
    public void LeNet5LocalityTableUsesGroupFormat()
    {
        var plan = GpuComparison.CompileAndCompare(ModelBuilders.LeNet5(), new CompileOptions { Sparsity = 0.9, Scheme = "locality", Planner = TableOnly });
        Assert.IsTrue(plan.Any(p => p.StartsWith("conv2: group-format sparse conv, G=8", StringComparison.Ordinal)), string.Join("\n", plan));
        Assert.IsTrue(plan.Any(p => p.StartsWith("fc1: group-format sparse fully connected", StringComparison.Ordinal)), string.Join("\n", plan));
    }

    [TestMethod]
    public void LeNet5UnstructuredTableUsesCsr()
    {
        var plan = GpuComparison.CompileAndCompare(ModelBuilders.LeNet5(), new CompileOptions { Sparsity = 0.5, Scheme = "unstructured", Planner = TableOnly });
        Assert.IsTrue(plan.Any(p => p.StartsWith("conv2: CSR sparse conv", StringComparison.Ordinal)), string.Join("\n", plan));
        Assert.IsTrue(plan.Any(p => p.StartsWith("fc1: CSR sparse fully connected", StringComparison.Ordinal)), string.Join("\n", plan));
    }

    [TestMethod]
    public void LeNet5UnrolledLayersRunFromManifestWeights()
    {
        // At 90% every LeNet layer fits the default unroll budget: its weights live in the manifest only.
        var plan = GpuComparison.CompileAndCompare(ModelBuilders.LeNet5(), new CompileOptions { Sparsity = 0.9, Scheme = "locality" });
        Assert.IsTrue(plan.Any(p => p.StartsWith("conv2: group-format sparse conv", StringComparison.Ordinal)), string.Join("\n", plan));
    }

    [TestMethod]
    public void LeNet5PlanOverridesMixDenseTableAndUnrolled()
    {
        var overrides = new Dictionary<string, LayerExecution>
        {
            ["conv2"] = LayerExecution.Dense,
            ["fc1"] = LayerExecution.SparseTable,
            ["fc2"] = LayerExecution.SparseUnrolled,
        };
        var plan = GpuComparison.CompileAndCompare(ModelBuilders.LeNet5(), new CompileOptions { Sparsity = 0.5, Scheme = "unstructured", PlanOverrides = overrides });
        Assert.IsTrue(plan.Any(p => p.StartsWith("conv2: dense conv", StringComparison.Ordinal)), string.Join("\n", plan));
        Assert.IsTrue(plan.Any(p => p.StartsWith("fc1: CSR sparse fully connected", StringComparison.Ordinal)), string.Join("\n", plan));
        Assert.IsTrue(plan.Any(p => p.StartsWith("fc2: CSR sparse fully connected", StringComparison.Ordinal)), string.Join("\n", plan));
    }

    [TestMethod]
    [DataRow("locality", 0.9)]
    [DataRow("unstructured", 0.5)]
    [DataRow("locality", 0.0)]
    public void AlexNetLikeMatchesReference(string scheme, double sparsity)
    {
        var plan = GpuComparison.CompileAndCompare(AlexNetLike(), new CompileOptions { Sparsity = sparsity, Scheme = scheme, Planner = TableOnly });
        Assert.IsTrue(plan.Any(p => p.StartsWith("norm1: LRN", StringComparison.Ordinal)), string.Join("\n", plan));
        Assert.IsTrue(plan.Any(p => p.StartsWith("prob: softmax", StringComparison.Ordinal)), string.Join("\n", plan));
    }

    [TestMethod]
    public void LocalityGroupsTallerThanTheRegisterBlockAndShortLastGroupsMatch()
    {
        // G = 12 on 20 channels: groups of 12 and 8 rows, two register blocks, the last one partial.
        var graph = new GraphBuilder("tall", new Shape(1, 3, 12, 12), 5)
            .Conv("conv1", 20, 3, pad: 1).Relu()
            .Conv("conv2", 20, 3, stride: 2).Relu()
            .FullyConnected("fc", 20)
            .Build();
        var options = new CompileOptions
        {
            Sparsity = 0.75,
            Scheme = "locality",
            Settings = SchemeSettings.Default with { GroupSize = 12 },
            KeepFirstConvDense = false,
            PlanOverrides = new Dictionary<string, LayerExecution> { ["conv1"] = LayerExecution.SparseTable, ["conv2"] = LayerExecution.SparseTable, ["fc"] = LayerExecution.SparseTable },
        };
        var plan = GpuComparison.CompileAndCompare(graph, options);
        Assert.IsTrue(plan.Any(p => p.StartsWith("conv2: group-format sparse conv, G=12", StringComparison.Ordinal)), string.Join("\n", plan));
    }

    /// <summary>AlexNet's structure (grouped conv2/4/5, LRN, overlapping pools, softmax) at 67x67 with narrower layers, so the CPU accelerator runs it quickly.</summary>
    internal static ModelGraph AlexNetLike() =>
        new GraphBuilder("AlexNetLike", new Shape(1, 3, 67, 67), 3)
            .Conv("conv1", 48, 11, stride: 4).Relu().Lrn("norm1").MaxPool("pool1", 3, 2)
            .Conv("conv2", 64, 5, pad: 2, group: 2).Relu().Lrn("norm2").MaxPool("pool2", 3, 2)
            .Conv("conv3", 96, 3, pad: 1).Relu()
            .Conv("conv4", 96, 3, pad: 1, group: 2).Relu()
            .Conv("conv5", 64, 3, pad: 1, group: 2).Relu().MaxPool("pool5", 3, 2)
            .FullyConnected("fc6", 256).Relu()
            .FullyConnected("fc7", 256).Relu()
            .FullyConnected("fc8", 100).Softmax("prob")
            .Build();
}
