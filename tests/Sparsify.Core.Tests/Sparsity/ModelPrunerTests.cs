using Sparsify.Core.Execution;
using Sparsify.Core.Ir;
using Sparsify.Training.Models;
using Sparsify.Core.Sparsity;
using Sparsify.Core.Tests.Support;

namespace Sparsify.Core.Tests.Sparsity;

/// <summary>Whole-model pruning: explicit sparsities, masks without changes, running the result.</summary>
[TestClass]
public sealed class ModelPrunerTests
{
    [TestMethod]
    public void ExplicitSparsitiesArePrunedExactlyAndTheRestStaysDense()
    {
        var lenet = ModelBuilders.LeNet5();
        var pruning = ModelPruner.Prune(lenet, "unstructured", new ModelPruningOptions
        {
            LayerSparsities = new Dictionary<string, double> { ["conv2"] = 0.8, ["fc1"] = 0.9 },
        });
        var report = pruning.Report;

        CollectionAssert.AreEqual(new[] { "conv1", "conv2", "fc1", "fc2" }, report.Layers.Select(l => l.LayerName).ToArray());
        CollectionAssert.AreEqual(new[] { "dense", "unstructured", "unstructured", "dense" }, report.Layers.Select(l => l.Scheme).ToArray());
        Assert.AreEqual(0.8, report.Layers[1].Sparsity, 1e-12);
        Assert.AreEqual(0.9, report.Layers[2].Sparsity, 1e-12);
        Assert.AreEqual(430_500, report.Weights);
        Assert.AreEqual(500 + 5_000 + 40_000 + 5_000, report.NonZeros);
        StringAssert.Contains(report.Layers[0].Notes[0], "first convolution (KeepFirstConvDense)");
        StringAssert.Contains(report.Layers[3].Notes[0], "no sparsity given");

        // Applied in place: the layer's zeros are exactly the mask's removed weights.
        var fc1 = WeightMatrix.Of(lenet.Layers.Single(l => l.Name == "fc1"));
        Assert.AreEqual(SparsityMask.FromNonZeros(fc1), pruning["fc1"].Mask);
    }

    [TestMethod]
    public void MasksCanBeComputedWithoutTouchingTheWeights()
    {
        var lenet = ModelBuilders.LeNet5();
        var before = WeightMatrix.AllOf(lenet).Select(m => (float[])m.Values.Clone()).ToArray();

        var pruning = ModelPruner.ComputeMasks(lenet, "locality", new ModelPruningOptions { Sparsity = 0.9 });

        var after = WeightMatrix.AllOf(lenet).Select(m => m.Values).ToArray();
        for (var i = 0; i < before.Length; i++)
        {
            CollectionAssert.AreEqual(before[i], after[i]);
        }

        Assert.HasCount(4, pruning.Masks);
        Assert.AreEqual(0.9, pruning.Report.Sparsity, 0.005);
        pruning.Apply();
        Assert.AreEqual(SparsityMask.FromNonZeros(WeightMatrix.AllOf(lenet)[2]), pruning.Masks["fc1"]);
    }

    [TestMethod]
    public void APrunedModelStillRuns()
    {
        var lenet = ModelBuilders.LeNet5();
        var input = TestData.SeededInput(new Shape(2, 1, 28, 28), seed: 5);
        var dense = new ReferenceExecutor(lenet).Run([input])[0];

        foreach (var scheme in new[] { "unstructured", "balanced", "locality", "filter" })
        {
            var model = ModelBuilders.LeNet5();
            ModelPruner.Prune(model, scheme, new ModelPruningOptions { Sparsity = 0.5, Allocation = SparsityAllocation.Uniform });
            var output = new ReferenceExecutor(model).Run([input])[0];

            Assert.AreEqual(new Shape(2, 10), output.Shape);
            Assert.IsTrue(output.Data.All(float.IsFinite), scheme);
            Assert.IsFalse(output.Data.SequenceEqual(dense.Data), $"{scheme} changed nothing");
        }
    }

    [TestMethod]
    public void UniformAllocationMakesUpForTheDenseFirstConv()
    {
        var pruning = ModelPruner.ComputeMasks(ModelBuilders.LeNet5(), "unstructured", new ModelPruningOptions { Sparsity = 0.9, Allocation = SparsityAllocation.Uniform });

        Assert.AreEqual(0.9, pruning.Report.Sparsity, 1e-5);
        Assert.AreEqual(0.0, pruning.Report.Layers[0].Sparsity);
        Assert.AreEqual(0.9 * 430_500 / 430_000, pruning.Report.Layers[2].RequestedSparsity, 1e-12);
    }

    [TestMethod]
    public void KeepTakesTheZerosOfAPrunedModel()
    {
        var lenet = ModelBuilders.LeNet5();
        var locality = ModelPruner.Prune(lenet, "locality", new ModelPruningOptions { Sparsity = 0.75, Allocation = SparsityAllocation.Uniform });

        var kept = ModelPruner.ComputeMasks(lenet, "keep", new ModelPruningOptions { Sparsity = 0.3, KeepFirstConvDense = false });

        foreach (var layer in locality.Layers.Skip(1))
        {
            Assert.AreEqual(layer.Mask, kept.Masks[layer.Matrix.LayerName]);
        }

        Assert.IsTrue(kept.Report.Notes.Any(n => n.Contains("requested sparsities are ignored", StringComparison.Ordinal)));
        Assert.AreEqual(PartitionLayout.Groups, kept.Report.Layers[2].Layout);
    }

    [TestMethod]
    public void NmPrunesEveryFreeLayerToItsPattern()
    {
        var pruning = ModelPruner.ComputeMasks(ModelBuilders.LeNet5(), "nm", new ModelPruningOptions { Sparsity = 0.5 });

        Assert.AreEqual(0.5, pruning.Report.Layers[2].Sparsity);
        Assert.IsTrue(pruning.Report.Notes.Any(n => n.Contains("fixes each layer's sparsity", StringComparison.Ordinal)));
    }

    [TestMethod]
    public void AlexNetAtTheSslSparsitiesIsBalancedOnTheDefaultArray()
    {
        // The hardware issue's case: conv1 dense, SSL's per-layer sparsity, locality pruning.
        var alexnet = ModelBuilders.AlexNet();
        var sparsities = new Dictionary<string, double>
        {
            ["conv2"] = 0.856, ["conv3"] = 0.931, ["conv4"] = 0.918, ["conv5"] = 0.885, ["fc6"] = 0.903, ["fc7"] = 0.844, ["fc8"] = 0.738,
        };

        var report = ModelPruner.ComputeMasks(alexnet, "locality", new ModelPruningOptions { LayerSparsities = sparsities }).Report;

        foreach (var layer in report.Layers.Skip(1))
        {
            Assert.AreEqual(sparsities[layer.LayerName], layer.Sparsity, 0.5 / layer.Columns, layer.LayerName);
            Assert.AreEqual(PartitionLayout.Groups, layer.Layout);
            Assert.AreEqual(0, layer.PaddedRows);
        }

        // conv2..conv5 and fc6/fc7 have a multiple of 16 groups: perfectly balanced; fc8's 125 groups nearly.
        Assert.IsTrue(report.Layers.Skip(1).Take(6).All(l => l.LoadImbalance == 1.0));
        Assert.IsLessThan(1.03, report.Layers[^1].LoadImbalance);
        Assert.IsTrue(report.Layers.Skip(1).Take(4).All(l => l.FitsInBuffer));
        Assert.IsFalse(report.Layers.Single(l => l.LayerName == "fc6").FitsInBuffer);
        StringAssert.Contains(report.ToText(), "conv3");
    }
}
