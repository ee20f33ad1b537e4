using Sparsify.Core.Ir;

namespace Sparsify.Core.Sparsity;

/// <summary>How one global sparsity target is spread over the layers.</summary>
public enum SparsityAllocation
{
    /// <summary>
    /// By measured sensitivity (<see cref="SensitivityAnalysis"/>): layers whose pruning disturbs the
    /// output least take the most sparsity. The default.
    /// </summary>
    Sensitivity,

    /// <summary>Every free layer gets the same sparsity, chosen so the model hits the target. Cheap; no calibration runs.</summary>
    Uniform,
}

/// <summary>What <see cref="ModelPruner"/> prunes and how much.</summary>
/// <remarks>
/// Sparsity is counted over the prunable weights (Conv and Gemm weights, not biases); layers left
/// dense count as 0% in the total. A layer gets, in this order: dense if it is in
/// <see cref="ExcludedLayers"/>; its value in <see cref="LayerSparsities"/> if listed; dense if it is the
/// first convolution and <see cref="KeepFirstConvDense"/> is set; dense if it is a depthwise convolution
/// and <see cref="KeepDepthwiseDense"/> is set; else its share of
/// <see cref="Sparsity"/> as <see cref="Allocation"/> decides; else dense.
/// </remarks>
public sealed record ModelPruningOptions
{
    /// <summary>The PE array the schemes shape the weights for.</summary>
    public SchemeSettings Settings { get; init; } = SchemeSettings.Default;

    /// <summary>One global target over all prunable weights, in [0, 1); null prunes only <see cref="LayerSparsities"/>.</summary>
    public double? Sparsity { get; init; }

    /// <summary>Sparsity per layer name, in [0, 1); these layers are fixed and the global target is met by the others.</summary>
    public IReadOnlyDictionary<string, double>? LayerSparsities { get; init; }

    /// <summary>
    /// Keeps the first convolution dense (default): it holds a tiny share of the weights (0.06% of
    /// AlexNet's), is the most sensitive, and its few input channels give little to skip. SSL's
    /// AlexNet and the FCCM 2017 paper keep it dense too.
    /// </summary>
    public bool KeepFirstConvDense { get; init; } = true;

    /// <summary>
    /// Keeps depthwise convolutions dense (default; <see cref="Ir.Layers.ConvLayer.IsDepthwise"/>): each output reads
    /// one channel's k×k window, so skipping weights saves little and costs accuracy, and they hold a small
    /// share of a model's weights. A layer listed in <see cref="LayerSparsities"/> is pruned all the same.
    /// </summary>
    public bool KeepDepthwiseDense { get; init; } = true;

    /// <summary>Layers left dense, by name.</summary>
    public IReadOnlyCollection<string> ExcludedLayers { get; init; } = [];

    /// <summary>How <see cref="Sparsity"/> is spread over the free layers.</summary>
    public SparsityAllocation Allocation { get; init; } = SparsityAllocation.Sensitivity;

    /// <summary>The calibration and limits of the sensitivity analysis.</summary>
    public SensitivityOptions Sensitivity { get; init; } = new();
}

/// <summary>How <see cref="SensitivityAnalysis"/> measures and how far <see cref="SparsityAllocator"/> may go.</summary>
public sealed record SensitivityOptions
{
    /// <summary>Sparsities each layer is pruned to alone, each in (0, 1). <see cref="MaxLayerSparsity"/> is measured too.</summary>
    public IReadOnlyList<double> Sparsities { get; init; } = [0.5, 0.75, 0.9, 0.95];

    /// <summary>No layer is given more sparsity than this, in (0, 1) (default 0.98): past it a layer barely passes a signal.</summary>
    public double MaxLayerSparsity { get; init; } = 0.98;

    /// <summary>
    /// Inputs to measure on, one tensor per graph input with the batch first. Null: a seeded batch of
    /// <see cref="CalibrationBatch"/> uniform values in [0, 1) (the range of normalised pixels); real
    /// samples measure better.
    /// </summary>
    public IReadOnlyList<Tensor>? CalibrationInputs { get; init; }

    /// <summary>Batch of the seeded calibration inputs, 1 to 1024.</summary>
    public int CalibrationBatch { get; init; } = 4;

    /// <summary>Seed of the calibration inputs.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Threads the reference executor uses; results do not depend on it.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Sparsities);
        if (!(MaxLayerSparsity > 0 && MaxLayerSparsity < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxLayerSparsity), MaxLayerSparsity, $"MaxLayerSparsity must be in (0, 1), got {MaxLayerSparsity}");
        }

        foreach (var s in Sparsities)
        {
            if (!(s > 0 && s < 1))
            {
                throw new ArgumentOutOfRangeException(nameof(Sparsities), s, $"every sensitivity sparsity must be in (0, 1), got {s}");
            }
        }

        if (CalibrationBatch is < 1 or > 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(CalibrationBatch), CalibrationBatch, $"CalibrationBatch must be from 1 to 1024, got {CalibrationBatch}");
        }
    }
}
