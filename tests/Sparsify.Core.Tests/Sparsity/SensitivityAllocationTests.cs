using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;
using Sparsify.Training.Models;
using Sparsify.Core.Sparsity;

namespace Sparsify.Core.Tests.Sparsity;

/// <summary>Sensitivity analysis and the allocation of one global target over the layers.</summary>
[TestClass]
public sealed class SensitivityAllocationTests
{
    [TestMethod]
    [DataRow("locality", 0.9)]
    [DataRow("unstructured", 0.75)]
    [DataRow("filter", 0.5)]
    public void TheGlobalTargetIsMetWithTheFirstConvDense(string scheme, double target)
    {
        var lenet = ModelBuilders.LeNet5();
        var pruning = ModelPruner.Prune(lenet, scheme, new ModelPruningOptions { Sparsity = target });

        Assert.AreEqual(target, pruning.Report.Sparsity, 0.005);
        Assert.AreEqual("dense", pruning.Report.Layers[0].Scheme);
        Assert.AreEqual(0.0, pruning.Report.Layers[0].Sparsity);
        Assert.AreEqual(SparsityAllocation.Sensitivity, pruning.Report.Allocation);
        Assert.IsNotNull(pruning.Sensitivity);
        Assert.HasCount(3, pruning.Sensitivity);
        Assert.IsTrue(pruning.Sensitivity.All(s => s.Points.Count == 5), "4 sparsities + the cap");
    }

    [TestMethod]
    public void TheFirstConvIsPrunedWhenNotKept()
    {
        var pruning = ModelPruner.ComputeMasks(ModelBuilders.LeNet5(), "unstructured", new ModelPruningOptions
        {
            Sparsity = 0.8,
            KeepFirstConvDense = false,
            ExcludedLayers = ["fc2"],
        });

        Assert.AreEqual("unstructured", pruning.Report.Layers[0].Scheme);
        Assert.AreEqual("dense", pruning.Report.Layers[3].Scheme);
        Assert.AreEqual(0.8, pruning.Report.Sparsity, 0.005);
    }

    [TestMethod]
    public void SensitiveLayersGetLessAndTheCountIsExact()
    {
        // Same size; b's error grows twice as fast as a's.
        var a = new LayerSensitivity("a", 1000, [new(0.5, 0.5, 0.1), new(0.9, 0.9, 0.3)]);
        var b = new LayerSensitivity("b", 1000, [new(0.5, 0.5, 0.2), new(0.9, 0.9, 0.6)]);

        var shares = SparsityAllocator.Allocate([a, b], 1200, 0.98);

        Assert.IsGreaterThan(shares["b"], shares["a"]);
        Assert.AreEqual(1200, (shares["a"] * 1000) + (shares["b"] * 1000), 1e-6);
        Assert.AreEqual(0.5, shares["b"], 0.01); // a at 0.7 has error 0.2 = b's at 0.5
    }

    [TestMethod]
    public void ErrorsThatFallWithSparsityAreTreatedAsFlat()
    {
        // Noisy measurements: a non-monotone curve still gives a valid, exact allocation.
        var noisy = new LayerSensitivity("n", 100, [new(0.5, 0.5, 0.3), new(0.75, 0.75, 0.1), new(0.98, 0.98, 0.4)]);
        var plain = new LayerSensitivity("p", 100, [new(0.5, 0.5, 0.3), new(0.98, 0.98, 0.4)]);

        var shares = SparsityAllocator.Allocate([noisy, plain], 150, 0.98);

        Assert.AreEqual(150, (shares["n"] * 100) + (shares["p"] * 100), 1e-6);
        Assert.IsTrue(shares.Values.All(s => s is >= 0 and <= 0.98));
    }

    [TestMethod]
    public void MeasuringRestoresTheWeightsAndErrorGrowsWithSparsity()
    {
        var lenet = ModelBuilders.LeNet5();
        var before = WeightMatrix.AllOf(lenet).Select(m => (float[])m.Values.Clone()).ToArray();

        var fc1 = SensitivityAnalysis.Measure(lenet, new UnstructuredScheme(), ["fc1"], options: new SensitivityOptions { Sparsities = [0.3, 0.9] }).Single();

        CollectionAssert.AreEqual(before[2], WeightMatrix.AllOf(lenet)[2].Values);
        CollectionAssert.AreEqual(new[] { 0.3, 0.9, 0.98 }, fc1.Points.Select(p => p.RequestedSparsity).ToArray());
        Assert.IsTrue(fc1.Points[0].RelativeError > 0 && fc1.Points[0].RelativeError < fc1.Points[2].RelativeError);
    }

    [TestMethod]
    public void ErrorIsMeasuredBeforeAFinalSoftmax()
    {
        // Large logits saturate the softmax: its output hardly moves, the logits do.
        var model = new GraphBuilder("tiny", new Shape(1, 3, 8, 8), seed: 2)
            .Conv("conv", 8, 3).Relu().FullyConnected("fc", 10).Softmax("prob").Build();
        var fc = (FullyConnectedLayer)model.Layers.Single(l => l.Name == "fc");
        for (var i = 0; i < fc.Weights.Length; i++)
        {
            fc.Weights.Data[i] *= 100;
        }

        var point = SensitivityAnalysis.Measure(model, new UnstructuredScheme(), ["fc"], options: new SensitivityOptions { Sparsities = [0.5] }).Single().Points[0];

        Assert.IsGreaterThan(0.1, point.RelativeError);
        Assert.AreEqual("prob", model.Outputs[0].Name);
    }
}
