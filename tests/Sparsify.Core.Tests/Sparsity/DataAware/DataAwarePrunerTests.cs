using Sparsify.Core.Execution;
using Sparsify.Core.Ir;
using Sparsify.Core.Sparsity;
using Sparsify.Core.Sparsity.DataAware;
using Sparsify.Core.Tests.Support;
using Sparsify.Training.Models;

namespace Sparsify.Core.Tests.Sparsity.DataAware;

[TestClass]
public sealed class DataAwarePrunerTests
{
    private static readonly SchemeSettings Settings = SchemeSettings.Default with { GroupSize = 4, PeCount = 4, M = 4 };

    // A small network whose inputs are correlated like images: a smooth field plus noise.
    private static ModelGraph Network(int seed = 3) =>
        new GraphBuilder("Small", new Shape(1, 3, 10, 10), seed)
            .Conv("conv1", 8, 3, pad: 1).Relu()
            .Conv("conv2", 16, 3, pad: 1).Relu()
            .Conv("conv3", 16, 3, pad: 1, group: 2).Relu()
            .MaxPool("pool", 2, 2)
            .Flatten("flat")
            .FullyConnected("fc", 12)
            .Build();

    private static float[][] Inputs(int count, int seed) => SmoothInputs.Create(count, seed, channels: 3, side: 10);

    [TestMethod]
    [DataRow("unstructured", 0.7)]
    [DataRow("balanced", 0.7)]
    [DataRow("locality", 0.5)]
    [DataRow("nm", 0.5)]
    [DataRow("filter", 0.25)]
    public void KeepsTheOutputsCloserThanMagnitudePruningOnHeldOutInputs(string scheme, double sparsity)
    {
        var calibration = Inputs(48, seed: 1);
        var heldOut = Inputs(16, seed: 2);
        var dense = Outputs(Network(), heldOut);
        var options = new ModelPruningOptions { Sparsity = sparsity, Allocation = SparsityAllocation.Uniform, Settings = Settings };

        var magnitudeGraph = Network();
        ModelPruner.Prune(magnitudeGraph, scheme, options);
        var magnitudeError = RelativeError(dense, Outputs(magnitudeGraph, heldOut));

        var graph = Network();
        var pruning = DataAwarePruner.Prune(graph, SparsitySchemes.Get(scheme), options, calibration, new DataAwarePruningOptions { Allocation = DataAwareAllocation.AsPlanned }, out var results);
        var dataAwareError = RelativeError(dense, Outputs(graph, heldOut));

        Assert.IsLessThan(magnitudeError * 0.8, dataAwareError, $"{scheme}: data-aware {dataAwareError:F4}, magnitude {magnitudeError:F4}");
        Assert.AreEqual(3, results.Count, "conv1 stays dense; conv2, conv3 and fc are pruned");
        Assert.IsTrue(results.All(r => r.RelativeError >= 0 && double.IsFinite(r.RelativeError)));
        AssertSameStructureAsMagnitude(scheme, options, pruning);
    }

    [TestMethod]
    [DataRow("locality")]
    [DataRow("unstructured")]
    public void SpreadsTheTargetByMeasuredErrorAndStillMeetsIt(string scheme)
    {
        var graph = Network();
        var options = new ModelPruningOptions { Sparsity = 0.6, Allocation = SparsityAllocation.Uniform, Settings = Settings };
        var pruning = DataAwarePruner.Prune(graph, SparsitySchemes.Get(scheme), options, Inputs(32, 1), null, out _);

        var pruned = pruning.Report.Layers.Where(l => l.Scheme != ModelPruner.DenseScheme).ToArray();
        Assert.HasCount(3, pruned);
        Assert.IsGreaterThan(0.05, pruned.Max(l => l.Sparsity) - pruned.Min(l => l.Sparsity), "the layers get different shares");
        var firstConv = pruning.Report.Layers.Single(l => l.LayerName == "conv1");
        Assert.AreEqual(ModelPruner.DenseScheme, firstConv.Scheme);
        var target = 0.6 * pruning.Report.Weights;
        Assert.AreEqual(target, pruning.Report.Weights - pruning.Report.NonZeros, 0.02 * pruning.Report.Weights, "the global target is met to the schemes' granularity");
        Assert.AreEqual(0.6, pruning.Report.TargetSparsity);
        Assert.IsTrue(pruning.Report.Notes.Any(n => n.Contains("spread by reconstruction error", StringComparison.Ordinal)));
    }

    [TestMethod]
    public void AsPlannedAllocation_KeepsTheUniformShares()
    {
        var graph = Network();
        var options = new ModelPruningOptions { Sparsity = 0.6, Allocation = SparsityAllocation.Uniform, Settings = Settings };
        var pruning = DataAwarePruner.Prune(graph, SparsitySchemes.Get("unstructured"), options, Inputs(8, 1), new DataAwarePruningOptions { Allocation = DataAwareAllocation.AsPlanned }, out _);
        var shares = pruning.Report.Layers.Where(l => l.Scheme != ModelPruner.DenseScheme).Select(l => l.RequestedSparsity).Distinct().ToArray();
        Assert.HasCount(1, shares);
    }

    [TestMethod]
    public void IsDeterministic()
    {
        var options = new ModelPruningOptions { Sparsity = 0.6, Allocation = SparsityAllocation.Uniform, Settings = Settings };
        var first = Network();
        var second = Network();
        DataAwarePruner.Prune(first, SparsitySchemes.Get("locality"), options, Inputs(20, 1), new DataAwarePruningOptions { MaxDegreeOfParallelism = 1 }, out _);
        DataAwarePruner.Prune(second, SparsitySchemes.Get("locality"), options, Inputs(20, 1), new DataAwarePruningOptions { MaxDegreeOfParallelism = 2 }, out _);
        foreach (var (a, b) in WeightMatrix.AllOf(first).Zip(WeightMatrix.AllOf(second)))
        {
            CollectionAssert.AreEqual(a.Values, b.Values, a.LayerName);
        }
    }

    [TestMethod]
    public void SurvivesDeadInputsAndFewSamples()
    {
        // All-zero inputs in one channel and two samples only: H is far from full rank.
        var inputs = Inputs(2, 5);
        foreach (var x in inputs)
        {
            x.AsSpan(0, 100).Clear();
        }

        var graph = Network();
        var options = new ModelPruningOptions { Sparsity = 0.8, Allocation = SparsityAllocation.Uniform, Settings = Settings };
        DataAwarePruner.Prune(graph, SparsitySchemes.Get("unstructured"), options, inputs, null, out var results);
        Assert.IsTrue(WeightMatrix.AllOf(graph).All(m => m.Values.All(float.IsFinite)));
        Assert.IsTrue(Outputs(graph, Inputs(4, 9)).All(float.IsFinite));
        Assert.AreEqual(3, results.Count);
    }

    [TestMethod]
    public void RefusesSchemesWithoutADataAwareFormAndEmptyData()
    {
        var options = new ModelPruningOptions { Sparsity = 0.5, Settings = Settings };
        Assert.ThrowsExactly<ArgumentException>(() => DataAwarePruner.Prune(Network(), SparsitySchemes.Get("keep"), options, Inputs(2, 1), null, out _));
        Assert.ThrowsExactly<ArgumentException>(() => DataAwarePruner.Prune(Network(), SparsitySchemes.Get("locality"), options, [], null, out _));
        Assert.ThrowsExactly<ArgumentException>(() => DataAwarePruner.Prune(Network(), SparsitySchemes.Get("locality"), options, [new float[5]], null, out _));
    }

    // The data-aware masks obey the scheme as the magnitude ones do: the same counts per layer, group and PE.
    private static void AssertSameStructureAsMagnitude(string scheme, ModelPruningOptions options, ModelPruning pruning)
    {
        var magnitude = ModelPruner.ComputeMasks(Network(), scheme, options);
        foreach (var (ours, theirs) in pruning.Layers.Zip(magnitude.Layers))
        {
            SparsityFixtures.AssertReportMatches(ours);
            Assert.AreEqual(theirs.Report.NonZeros, ours.Report.NonZeros, ours.Report.LayerName);
            if (scheme is "balanced" or "locality")
            {
                CollectionAssert.AreEqual(theirs.Report.PartitionNonZeros.ToArray(), ours.Report.PartitionNonZeros.ToArray(), ours.Report.LayerName);
            }

            Assert.AreEqual(theirs.Report.Layout, ours.Report.Layout);
            var mask = ours.Mask;
            var values = ours.Matrix.Values;
            for (var i = 0; i < values.Length; i++)
            {
                if (!mask.IsKept(i / mask.Columns, i % mask.Columns))
                {
                    Assert.AreEqual(0f, values[i]);
                }
            }

            if (scheme == "locality" && ours.Report.Layout == PartitionLayout.Groups)
            {
                Assert.IsTrue(KeepScheme.SharesGroupPatterns(mask, ChannelGroups.Of(ours.Matrix, Settings.GroupSize)), ours.Report.LayerName);
            }

            if (scheme == "nm" && ours.Report.Scheme == "nm")
            {
                for (var r = 0; r < mask.Rows; r++)
                {
                    for (var start = 0; start < mask.Columns; start += 4)
                    {
                        var kept = Enumerable.Range(start, Math.Min(4, mask.Columns - start)).Count(c => mask.IsKept(r, c));
                        Assert.AreEqual(Math.Min(2, mask.Columns - start), kept);
                    }
                }
            }
        }
    }

    private static float[] Outputs(ModelGraph graph, float[][] inputs)
    {
        var executor = new ReferenceExecutor(graph);
        return inputs.SelectMany(executor.Run).ToArray();
    }

    private static double RelativeError(float[] expected, float[] actual)
    {
        double difference = 0, norm = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            difference += Math.Pow(expected[i] - actual[i], 2);
            norm += Math.Pow(expected[i], 2);
        }

        return Math.Sqrt(difference / norm);
    }
}
