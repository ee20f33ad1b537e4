namespace Sparsify.Training;

/// <summary>What one epoch of training did.</summary>
/// <param name="Epoch">The epoch just finished, from 1.</param>
/// <param name="Epochs">Epochs in the run.</param>
/// <param name="Loss">Mean cross-entropy over the epoch's training samples (as seen, i.e. shifted).</param>
/// <param name="TrainAccuracy">Fraction of the epoch's training samples classified right while training.</param>
/// <param name="LearningRate">The rate of the epoch's last step.</param>
/// <param name="GroupLassoPenalty">λ·Σ‖w_g‖₂ at the end of the epoch (0 without group lasso).</param>
/// <param name="ValidationAccuracy">Top-1 accuracy on the validation set, when one was given.</param>
/// <param name="Elapsed">Time since the run started.</param>
public sealed record EpochProgress(int Epoch, int Epochs, double Loss, double TrainAccuracy, double LearningRate, double GroupLassoPenalty, double? ValidationAccuracy, TimeSpan Elapsed)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"epoch {Epoch}/{Epochs}: loss {Loss:F4}, train {TrainAccuracy:P2}" +
        (ValidationAccuracy is { } v ? $", validation {v:P2}" : string.Empty) +
        (GroupLassoPenalty > 0 ? $", lasso {GroupLassoPenalty:G4}" : string.Empty) +
        $", lr {LearningRate:G3}, {Elapsed.TotalSeconds:F1} s";
}

/// <summary>The outcome of <see cref="Trainer.Train"/>; the weights themselves were updated in the graph.</summary>
/// <param name="Epochs">One entry per epoch.</param>
/// <param name="Steps">SGD steps taken.</param>
/// <param name="Elapsed">Wall time of the run.</param>
public sealed record TrainingResult(IReadOnlyList<EpochProgress> Epochs, long Steps, TimeSpan Elapsed)
{
    /// <summary>The last epoch's mean training loss.</summary>
    public double FinalLoss => Epochs[^1].Loss;
}

/// <summary>Top-1 accuracy of a model on a dataset.</summary>
/// <param name="Correct">Samples whose highest output is the label.</param>
/// <param name="Count">Samples evaluated.</param>
public sealed record EvaluationResult(int Correct, int Count)
{
    /// <summary>Correct / Count, in [0, 1].</summary>
    public double Accuracy => Count == 0 ? 0 : (double)Correct / Count;

    /// <summary>The accuracy in percent.</summary>
    public double Percent => 100 * Accuracy;

    /// <inheritdoc />
    public override string ToString() => $"{Correct}/{Count} = {Percent:F2}%";
}
