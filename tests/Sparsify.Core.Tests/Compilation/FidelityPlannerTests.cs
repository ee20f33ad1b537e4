using Sparsify.Core.Compilation;
using Sparsify.Core.Execution;
using Sparsify.Core.Ir;
using Sparsify.Core.Sparsity;
using Sparsify.Core.Tests.Support;
using Sparsify.Training.Models;

namespace Sparsify.Core.Tests.Compilation;

[TestClass]
public sealed class FidelityPlannerTests
{
    private static readonly SchemeSettings Settings = SchemeSettings.Default with { GroupSize = 4, PeCount = 4, M = 4 };

    private static ModelGraph Network() =>
        new GraphBuilder("Small", new Shape(1, 3, 12, 12), seed: 5)
            .Conv("conv1", 8, 3, pad: 1).Relu()
            .Conv("conv2", 32, 3, pad: 1).Relu()
            .Conv("conv3", 32, 3, pad: 1).Relu()
            .MaxPool("pool", 2, 2)
            .Flatten("flat")
            .FullyConnected("fc", 16)
            .Build();

    private static float[][] Inputs(int count, int seed) => SmoothInputs.Create(count, seed, channels: 3, side: 12);

    private static (ModelGraph Graph, FidelityPlan Plan, OutputFidelity Fidelity, ModelSparsityReport Report) Plan(string scheme, double target, double? bound = 0.9)
    {
        var graph = Network();
        var validation = Inputs(12, seed: 2);
        var dense = Run(graph, validation);
        var options = new CompileOptions { Scheme = scheme, Sparsity = bound, Settings = Settings, FidelityTarget = target };
        var planned = FidelityPlanner.Prune(graph, SparsitySchemes.Get(scheme), options, target, Inputs(40, seed: 1), validation, dense, threads: 2, progress: null);
        return (graph, planned.Plan, planned.Fidelity, planned.Pruning.Report);
    }

    private static float[][] Run(ModelGraph graph, float[][] inputs)
    {
        var executor = new ReferenceExecutor(graph, new ExecutorOptions { MaxDegreeOfParallelism = 2 });
        return inputs.Select(executor.Run).ToArray();
    }

    [TestMethod]
    [DataRow("unstructured")]
    [DataRow("locality")]
    public void KeepsTheTargetOnTheValidationInputs_AndIsFasterThanDense(string scheme)
    {
        var (graph, plan, fidelity, report) = Plan(scheme, 0.9);

        Assert.IsGreaterThanOrEqualTo(0.9, fidelity.MeanCosine);
        Assert.AreEqual(fidelity.MeanCosine, plan.Fidelity);
        var remeasured = OutputFidelity.Compare(Run(Network(), Inputs(12, seed: 2)), Run(graph, Inputs(12, seed: 2)));
        Assert.AreEqual(fidelity.MeanCosine, remeasured.MeanCosine, 1e-9, "the graph holds the kept plan's weights");
        Assert.IsLessThan(plan.DenseMicroseconds, plan.Microseconds);
        Assert.IsTrue(plan.LayerSparsities.Values.Any(s => s > 0), "some layer is sparse");
        Assert.AreEqual(3, plan.LayerSparsities.Count, "conv1 stays dense; conv2, conv3 and fc are planned");
        foreach (var (layer, sparsity) in plan.LayerSparsities)
        {
            Assert.AreEqual(sparsity, report.Layers.Single(l => l.LayerName == layer).RequestedSparsity, 1e-12, layer);
        }
    }

    [TestMethod]
    public void ALowerTarget_NeverPlansSlower()
    {
        var strict = Plan("unstructured", 0.99).Plan;
        var loose = Plan("unstructured", 0.7).Plan;

        Assert.IsLessThanOrEqualTo(strict.Microseconds, loose.Microseconds);
        Assert.IsGreaterThanOrEqualTo(0.99, strict.Fidelity);
    }

    [TestMethod]
    public void TheSparsityBound_IsKept()
    {
        var (_, _, _, report) = Plan("unstructured", 0.5, bound: 0.3);

        Assert.IsLessThanOrEqualTo(0.3 + 1e-6, report.Sparsity);
    }

    [TestMethod]
    public void ATargetNoPrunedPlanReaches_ThrowsWithTheBestFidelity()
    {
        var error = Assert.ThrowsExactly<FidelityTargetException>(() => Plan("unstructured", 1.0));

        Assert.AreEqual(1.0, error.Target);
        Assert.IsLessThan(1.0, error.BestFidelity);
        StringAssert.Contains(error.Message, "FidelityTarget 1 is not reached");
    }

    [TestMethod]
    public void IsDeterministic()
    {
        var (first, plan1, _, _) = Plan("locality", 0.9);
        var (second, plan2, _, _) = Plan("locality", 0.9);

        CollectionAssert.AreEqual(plan1.LayerSparsities.ToArray(), plan2.LayerSparsities.ToArray());
        foreach (var (a, b) in WeightMatrix.AllOf(first).Zip(WeightMatrix.AllOf(second)))
        {
            CollectionAssert.AreEqual(a.Values, b.Values, a.LayerName);
        }
    }
}
