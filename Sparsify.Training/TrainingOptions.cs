using Sparsify.Core.Sparsity;

namespace Sparsify.Training;

/// <summary>How the learning rate moves over a run.</summary>
public enum LearningRateSchedule
{
    /// <summary>The same rate every step.</summary>
    Constant,

    /// <summary>Half a cosine from the rate down to <see cref="TrainingOptions.MinLearningRate"/>, step by step.</summary>
    Cosine,

    /// <summary>Multiplied by <see cref="TrainingOptions.LearningRateDecay"/> after every epoch.</summary>
    Exponential,
}

/// <summary>
/// Settings of one training run: mini-batch SGD with momentum and weight decay, optional group lasso
/// on the locality groups, optional random shifts of the input. The defaults train LeNet-5 from
/// scratch on the 8,000 MNIST training digits (about 98.7% on the 2,000 test digits);
/// <see cref="FineTune"/> is the preset for masked fine-tuning after pruning.
/// </summary>
/// <remarks>
/// For the locality scheme the sparse structure is best grown during training, as SSL does: train
/// from scratch with <see cref="GroupLassoLambda"/> = 0.01 (G as the scheme's), prune, then
/// fine-tune with the masks. The plain dense model is the baseline for every other scheme.
/// </remarks>
public sealed record TrainingOptions
{
    /// <summary>Passes over the training set.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Samples per SGD step. The last step of an epoch takes what is left.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Learning rate at the start.</summary>
    public double LearningRate { get; init; } = 0.05;

    /// <summary>How the rate changes over the run.</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Cosine;

    /// <summary>Where <see cref="LearningRateSchedule.Cosine"/> ends.</summary>
    public double MinLearningRate { get; init; }

    /// <summary>Per-epoch factor of <see cref="LearningRateSchedule.Exponential"/>.</summary>
    public double LearningRateDecay { get; init; } = 0.8;

    /// <summary>
    /// The rate ramps up linearly over this many epochs (fractions allowed) before the schedule takes
    /// over: from scratch, a full rate on the first steps can throw LeNet-5 into a state it never leaves.
    /// </summary>
    public double WarmupEpochs { get; init; } = 0.5;

    /// <summary>Momentum μ: v ← μ·v + g, w ← w − lr·v.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>L2 weight decay added to the weights' gradients (biases are not decayed).</summary>
    public double WeightDecay { get; init; } = 5e-4;

    /// <summary>
    /// Each training image is shifted by a random whole number of pixels in [−n, n] along each axis
    /// (zero filled) every time it is used; 0 turns this off.
    /// </summary>
    public int AugmentShift { get; init; } = 2;

    /// <summary>
    /// λ of the group lasso λ·Σ‖w_g‖₂ (see <see cref="GroupLasso"/>), applied as a proximal step after
    /// every SGD step; 0 turns it off. For LeNet-5 trained from scratch with the other defaults, 0.01
    /// on conv2 and fc1 zeroes about 75% of fc1's group columns at a cost of about 0.3 points.
    /// </summary>
    public double GroupLassoLambda { get; init; }

    /// <summary>G: output channels per lasso group, as in the locality scheme.</summary>
    public int GroupLassoGroupSize { get; init; } = PeArrayDefaults.GroupSize;

    /// <summary>Layers the lasso applies to, by name; null means every Conv and Gemm layer.</summary>
    public IReadOnlyList<string>? GroupLassoLayers { get; init; }

    /// <summary>Seeds the shuffling and the shifts: the same seed and thread count give the same bits.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>
    /// Threads. Each batch is cut into max(4, Threads) shards whose gradients are summed in a fixed
    /// order, so any thread count up to 4 gives bitwise the same weights.
    /// </summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Called after every epoch, on the calling thread.</summary>
    public Action<EpochProgress>? Progress { get; init; }

    /// <summary>
    /// The preset for masked fine-tuning of a pruned LeNet-5: a few epochs from a lower rate. Set
    /// <see cref="Seed"/>, <see cref="Threads"/> and <see cref="Progress"/> as needed.
    /// </summary>
    public static TrainingOptions FineTune { get; } = new()
    {
        Epochs = 6,
        LearningRate = 0.03,
        WarmupEpochs = 0,
    };

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting out of range and its valid values.</summary>
    public void Validate()
    {
        Check(Epochs >= 1, nameof(Epochs), Epochs, "an integer >= 1");
        Check(BatchSize >= 1, nameof(BatchSize), BatchSize, "an integer >= 1");
        Check(double.IsFinite(LearningRate) && LearningRate > 0, nameof(LearningRate), LearningRate, "a number > 0");
        Check(double.IsFinite(MinLearningRate) && MinLearningRate >= 0 && MinLearningRate <= LearningRate, nameof(MinLearningRate), MinLearningRate, "a number in [0, LearningRate]");
        Check(double.IsFinite(LearningRateDecay) && LearningRateDecay > 0 && LearningRateDecay <= 1, nameof(LearningRateDecay), LearningRateDecay, "a number in (0, 1]");
        Check(double.IsFinite(WarmupEpochs) && WarmupEpochs >= 0 && WarmupEpochs <= Epochs, nameof(WarmupEpochs), WarmupEpochs, "a number in [0, Epochs]");
        Check(Enum.IsDefined(Schedule), nameof(Schedule), Schedule, string.Join(", ", Enum.GetNames<LearningRateSchedule>()));
        Check(double.IsFinite(Momentum) && Momentum >= 0 && Momentum < 1, nameof(Momentum), Momentum, "a number in [0, 1)");
        Check(double.IsFinite(WeightDecay) && WeightDecay >= 0, nameof(WeightDecay), WeightDecay, "a number >= 0");
        Check(AugmentShift >= 0, nameof(AugmentShift), AugmentShift, "an integer >= 0");
        Check(double.IsFinite(GroupLassoLambda) && GroupLassoLambda >= 0, nameof(GroupLassoLambda), GroupLassoLambda, "a number >= 0");
        Check(GroupLassoGroupSize >= 1, nameof(GroupLassoGroupSize), GroupLassoGroupSize, "an integer >= 1");
        Check(Threads >= 1, nameof(Threads), Threads, "an integer >= 1");
    }

    /// <summary>
    /// The learning rate of step <paramref name="step"/> (from 0, in epoch <paramref name="epoch"/>) of a
    /// run of <paramref name="totalSteps"/> steps, <paramref name="stepsPerEpoch"/> per epoch: the
    /// schedule times the warm-up ramp.
    /// </summary>
    public double LearningRateAt(int epoch, long step, long totalSteps, int stepsPerEpoch)
    {
        var rate = Schedule switch
        {
            LearningRateSchedule.Cosine => MinLearningRate + (0.5 * (LearningRate - MinLearningRate) * (1 + Math.Cos(Math.PI * step / totalSteps))),
            LearningRateSchedule.Exponential => LearningRate * Math.Pow(LearningRateDecay, epoch),
            _ => LearningRate,
        };
        var warmupSteps = WarmupEpochs * stepsPerEpoch;
        return step + 1 < warmupSteps ? rate * (step + 1) / warmupSteps : rate;
    }

    private static void Check(bool ok, string setting, object value, string valid)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(setting, value, $"training setting {setting} is {value}; it must be {valid}");
        }
    }
}
