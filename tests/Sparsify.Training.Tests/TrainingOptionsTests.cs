using Sparsify.Training;

namespace Sparsify.Training.Tests;

[TestClass]
public sealed class TrainingOptionsTests
{
    [TestMethod]
    public void CosineDecaysFromTheRateAfterALinearWarmup()
    {
        var options = new TrainingOptions { LearningRate = 0.1, MinLearningRate = 0.01, WarmupEpochs = 0.5 };

        // 10 steps per epoch, 100 in all: the first 5 ramp up.
        Assert.AreEqual(0.1 * 1 / 5 * (0.01 + (0.045 * (1 + Math.Cos(0)))) / 0.1, options.LearningRateAt(0, 0, 100, 10), 1e-12);
        Assert.AreEqual(0.01 + (0.045 * (1 + Math.Cos(Math.PI * 4 / 100))), options.LearningRateAt(0, 4, 100, 10), 1e-12);
        Assert.AreEqual(0.055, options.LearningRateAt(5, 50, 100, 10), 1e-12);
        Assert.AreEqual(0.01, options.LearningRateAt(9, 100, 100, 10), 1e-12);
    }

    [TestMethod]
    public void ConstantAndExponentialSchedules()
    {
        var constant = new TrainingOptions { Schedule = LearningRateSchedule.Constant, LearningRate = 0.03, WarmupEpochs = 0 };
        var exponential = new TrainingOptions { Schedule = LearningRateSchedule.Exponential, LearningRate = 0.1, LearningRateDecay = 0.5, WarmupEpochs = 0 };

        Assert.AreEqual(0.03, constant.LearningRateAt(3, 35, 100, 10));
        Assert.AreEqual(0.025, exponential.LearningRateAt(2, 25, 100, 10), 1e-12);
    }

    [TestMethod]
    public void EverySettingIsCheckedAndNamed()
    {
        var cases = new (TrainingOptions Options, string Setting)[]
        {
            (new() { Epochs = 0 }, "Epochs"),
            (new() { LearningRate = -1 }, "LearningRate"),
            (new() { MinLearningRate = 1 }, "MinLearningRate"),
            (new() { LearningRateDecay = 0 }, "LearningRateDecay"),
            (new() { WarmupEpochs = 11 }, "WarmupEpochs"),
            (new() { Schedule = (LearningRateSchedule)7 }, "Schedule"),
            (new() { WeightDecay = -1e-4 }, "WeightDecay"),
            (new() { AugmentShift = -1 }, "AugmentShift"),
            (new() { GroupLassoLambda = double.PositiveInfinity }, "GroupLassoLambda"),
            (new() { GroupLassoGroupSize = 0 }, "GroupLassoGroupSize"),
            (new() { Threads = 0 }, "Threads"),
        };

        foreach (var (options, setting) in cases)
        {
            var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(options.Validate, setting);
            Assert.AreEqual(setting, e.ParamName);
            StringAssert.Contains(e.Message, "must be");
        }

        new TrainingOptions().Validate();
        TrainingOptions.FineTune.Validate();
    }

    [TestMethod]
    public void ProgressPrintsOnOneLine()
    {
        var progress = new EpochProgress(2, 10, 0.1234, 0.95, 0.01, 0, 0.981, TimeSpan.FromSeconds(5.25));

        var text = progress.ToString();

        StringAssert.StartsWith(text, "epoch 2/10: loss 0.1234");
        StringAssert.Contains(text, "validation");
        Assert.DoesNotContain("lasso", text);
    }
}
