using Sparsify.Training.Data;
using Sparsify.Training.Experiments;
using Sparsify.Training.Tests.Data;
using Sparsify.Training;

namespace Sparsify.Training.Tests.Experiments;

[TestClass]
public sealed class AccuracyExperimentTests
{
    [TestMethod]
    public void SmallTableHasARowPerSchemeAndSparsityWithConsistentNumbers()
    {
        var data = new MnistSplit(MnistFixture.Train.Subsample(600), MnistFixture.Test.Subsample(300));
        var quick = new TrainingOptions { Epochs = 1, BatchSize = 32 };
        var options = new AccuracyExperimentOptions
        {
            Schemes = ["unstructured", "locality", "nm"],
            Sparsities = [0.5, 0.9],
            Dense = quick,
            FineTune = quick with { LearningRate = 0.02, WarmupEpochs = 0 },
            Threads = 2,
            CalibrationSamples = 16,
            DataAwareSamples = 48,
        };

        var table = AccuracyExperiment.Run(data, options);

        Assert.HasCount(6, table.Rows);
        Assert.IsTrue(table.Dense > 50, $"dense {table.Dense}");
        foreach (var row in table.Rows)
        {
            Assert.AreEqual(row.Sparsity, row.AchievedSparsity, 0.02, row.ToString());
            Assert.IsTrue(row.FineTuned >= row.OneShot - 1, $"fine-tuning should not lose accuracy: {row}");
        }

        // Pruned on training digits, the one-shot model keeps more than the magnitude one at 90%.
        foreach (var row in table.Rows.Where(r => r.Sparsity == 0.9))
        {
            Assert.IsTrue(row.OneShotCalibrated >= row.OneShot - 1, $"calibrated one-shot: {row}");
        }

        // At 90% every format is far smaller than dense 16-bit weights (at 50% CSR's indices cost as much as the zeros save).
        Assert.IsTrue(table.Rows.Where(r => r.Sparsity == 0.9).All(r => r.Bytes < table.DenseBytes / 3), string.Join("; ", table.Rows));

        Assert.AreEqual("2:4", table.Rows.Single(r => r.Scheme == "nm" && r.Sparsity == 0.5).Pattern);
        Assert.AreEqual("1:10", table.Rows.Single(r => r.Scheme == "nm" && r.Sparsity == 0.9).Pattern);
        // Locality balances by construction; what is left comes from the short last group of conv2's 50 rows.
        var locality = table.Rows.Where(r => r.Scheme == "locality").Max(r => r.Imbalance);
        var unstructured = table.Rows.Where(r => r.Scheme == "unstructured").Min(r => r.Imbalance);
        Assert.IsTrue(locality <= 1.125 && locality < unstructured, string.Join("; ", table.Rows));
    }

    [TestMethod]
    [DataRow(0.5, 2, 4)]
    [DataRow(0.75, 1, 4)]
    [DataRow(0.9, 1, 10)]
    [DataRow(0.95, 1, 20)]
    public void NmPatternIsTheSmallestBlockThatFits(double sparsity, int n, int m) =>
        Assert.AreEqual((n, m), AccuracyExperiment.NmPattern(sparsity));
}
