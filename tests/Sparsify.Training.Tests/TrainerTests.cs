using Sparsify.Training.Models;
using Sparsify.Core.Onnx;
using Sparsify.Core.Sparsity;
using Sparsify.Training;

namespace Sparsify.Training.Tests;

[TestClass]
public sealed class TrainerTests
{
    private static readonly TrainingOptions Quick = new() { Epochs = 1, BatchSize = 32, Threads = 2, Seed = 9 };

    [TestMethod]
    public void OneEpochOnFiveHundredDigitsIsFarAboveChance()
    {
        var lenet = ModelBuilders.LeNet5(seed: 1);
        var before = Trainer.Evaluate(lenet, TrainingFixture.TestSlice, threads: 2);
        var epochs = new List<EpochProgress>();

        var result = Trainer.Train(lenet, TrainingFixture.TrainSlice.Subsample(500), Quick with { BatchSize = 16, Progress = epochs.Add }, validationSet: TrainingFixture.TestSlice);

        // About 75% here; chance is 10%.
        var after = Trainer.Evaluate(lenet, TrainingFixture.TestSlice, threads: 2);
        Assert.IsLessThan(0.3, before.Accuracy, $"untrained: {before}");
        Assert.IsGreaterThan(0.5, after.Accuracy, $"after one epoch: {after}");
        Assert.HasCount(1, epochs);
        Assert.AreEqual(after.Accuracy, epochs[0].ValidationAccuracy);
        Assert.AreEqual(32, result.Steps);
        Assert.IsLessThan(Math.Log(10), result.FinalLoss, "the epoch's mean loss is below that of guessing");
    }

    [TestMethod]
    public void TheSameSeedGivesTheSameBitsForOneTwoAndFourThreads()
    {
        var data = TrainingFixture.TrainSlice.Subsample(192);
        byte[] Run(int threads, int seed)
        {
            var lenet = ModelBuilders.LeNet5(seed: 2);
            Trainer.Train(lenet, data, Quick with { Threads = threads, Seed = seed, GroupLassoLambda = 1e-3 });
            return OnnxModel.ToBytes(lenet);
        }

        var reference = Run(2, 9);
        CollectionAssert.AreEqual(reference, Run(2, 9), "same seed, same threads");
        CollectionAssert.AreEqual(reference, Run(1, 9), "1 thread");
        CollectionAssert.AreEqual(reference, Run(4, 9), "4 threads");
        CollectionAssert.AreNotEqual(reference, Run(2, 10), "another seed shuffles differently");
    }

    [TestMethod]
    public void MaskedWeightsStayExactlyZero()
    {
        var lenet = TrainingFixture.TrainedLeNet();
        var random = new Random(4);
        var masks = WeightMatrix.AllOf(lenet).ToDictionary(m => m.LayerName, m => new SparsityMask(m.Rows, m.Columns, (_, _) => random.NextDouble() < 0.2));
        var before = WeightMatrix.AllOf(lenet).ToDictionary(m => m.LayerName, m => m.Values.ToArray());

        Trainer.Train(lenet, TrainingFixture.TrainSlice.Subsample(256), Quick with { GroupLassoLambda = 1e-3, WeightDecay = 1e-3 }, masks);

        foreach (var matrix in WeightMatrix.AllOf(lenet))
        {
            var mask = masks[matrix.LayerName];
            var changed = 0;
            for (var r = 0; r < matrix.Rows; r++)
            {
                for (var c = 0; c < matrix.Columns; c++)
                {
                    var i = (r * matrix.Columns) + c;
                    if (!mask.IsKept(r, c))
                    {
                        Assert.AreEqual(0, BitConverter.SingleToInt32Bits(matrix.Values[i]), $"{matrix.LayerName}[{r},{c}] must be +0, is {matrix.Values[i]}");
                    }
                    else if (matrix.Values[i] != before[matrix.LayerName][i])
                    {
                        changed++;
                    }
                }
            }

            Assert.IsGreaterThan(mask.NonZeros / 2, changed, $"{matrix.LayerName}: kept weights must train");
            Assert.IsLessThanOrEqualTo(mask.NonZeros, SparsityMask.FromNonZeros(matrix).NonZeros, $"{matrix.LayerName}: only kept weights are nonzero (the lasso may zero some of them too)");
        }
    }

    [TestMethod]
    public void GroupLassoZeroesWholeColumnsOfAGroupTogether()
    {
        var lenet = TrainingFixture.TrainedLeNet();
        const int g = 8;

        var result = Trainer.Train(lenet, TrainingFixture.TrainSlice.Subsample(256), Quick with { GroupLassoLambda = 1.0, GroupLassoGroupSize = g, GroupLassoLayers = ["conv2", "fc1"] });

        Assert.IsGreaterThan(0, result.Epochs[0].GroupLassoPenalty);
        foreach (var name in new[] { "conv2", "fc1" })
        {
            var matrix = WeightMatrix.AllOf(lenet).Single(m => m.LayerName == name);
            int zeroColumns = 0, total = 0;
            foreach (var group in ChannelGroups.Of(matrix, g))
            {
                for (var c = 0; c < matrix.Columns; c++, total++)
                {
                    var zeros = Enumerable.Range(group.FirstRow, group.RowCount).Count(r => matrix.Values[(r * matrix.Columns) + c] == 0f);
                    Assert.IsTrue(zeros == 0 || zeros == group.RowCount, $"{name} group {group.Index} column {c}: {zeros} of {group.RowCount} zero");
                    zeroColumns += zeros == 0 ? 0 : 1;
                }
            }

            Assert.IsGreaterThan(total / 10, zeroColumns, $"{name}: a strong lasso removes many group columns ({zeroColumns} of {total})");
            Assert.IsLessThan(total, zeroColumns, $"{name}: but not all");
        }

        var conv1 = WeightMatrix.AllOf(lenet).Single(m => m.LayerName == "conv1");
        Assert.IsTrue(conv1.Values.All(v => v != 0f), "conv1 is not in GroupLassoLayers");
    }

    [TestMethod]
    public void MaskedFineTuningRecoversAccuracyAfterPruning()
    {
        var lenet = TrainingFixture.TrainedLeNet();
        var dense = Trainer.Evaluate(lenet, TrainingFixture.TestSlice, threads: 2);
        // 90% of every layer but the first, by magnitude.
        var masks = TrainingFixture.MagnitudeMasks(lenet, 0.9);
        masks.Remove("conv1");
        foreach (var matrix in WeightMatrix.AllOf(lenet).Where(m => masks.ContainsKey(m.LayerName)))
        {
            masks[matrix.LayerName].Apply(matrix.Values);
        }

        var pruned = Trainer.Evaluate(lenet, TrainingFixture.TestSlice, threads: 2);
        Trainer.Train(lenet, TrainingFixture.TrainSlice, TrainingOptions.FineTune with { Epochs = 1, BatchSize = 32, Threads = 2 }, masks);
        var tuned = Trainer.Evaluate(lenet, TrainingFixture.TestSlice, threads: 2);

        Assert.IsLessThan(dense.Accuracy - 0.05, pruned.Accuracy, $"90% one-shot pruning should hurt: dense {dense}, pruned {pruned}");
        Assert.IsGreaterThan(pruned.Accuracy + 0.1, tuned.Accuracy, $"fine-tuning should recover: pruned {pruned}, tuned {tuned}");
        Assert.IsTrue(WeightMatrix.AllOf(lenet).Where(m => masks.ContainsKey(m.LayerName)).All(m => SparsityMask.FromNonZeros(m).Equals(masks[m.LayerName])));
    }

    [TestMethod]
    public void BadSettingsAndMismatchedInputsAreNamed()
    {
        var lenet = ModelBuilders.LeNet5();
        var data = TrainingFixture.TrainSlice.Subsample(10);

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Trainer.Train(lenet, data, Quick with { Momentum = 1.5 }));
        StringAssert.Contains(e.Message, "Momentum");
        StringAssert.Contains(e.Message, "[0, 1)");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Trainer.Train(lenet, data, Quick with { BatchSize = 0 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Trainer.Train(lenet, data, Quick with { LearningRate = double.NaN }));

        var unknown = Assert.ThrowsExactly<ArgumentException>(() => Trainer.Train(lenet, data, Quick, new Dictionary<string, SparsityMask> { ["conv9"] = SparsityMask.Dense(1, 1) }));
        StringAssert.Contains(unknown.Message, "conv9");
        var wrongShape = Assert.ThrowsExactly<ArgumentException>(() => Trainer.Train(lenet, data, Quick, new Dictionary<string, SparsityMask> { ["conv1"] = SparsityMask.Dense(20, 24) }));
        StringAssert.Contains(wrongShape.Message, "20x25");
        var lasso = Assert.ThrowsExactly<ArgumentException>(() => Trainer.Train(lenet, data, Quick with { GroupLassoLambda = 1e-4, GroupLassoLayers = ["pool1"] }));
        StringAssert.Contains(lasso.Message, "pool1");

        var alexnetInput = Assert.ThrowsExactly<ArgumentException>(() => Trainer.Evaluate(ModelBuilders.AlexNet(), data));
        StringAssert.Contains(alexnetInput.Message, "1x28x28");
    }
}
