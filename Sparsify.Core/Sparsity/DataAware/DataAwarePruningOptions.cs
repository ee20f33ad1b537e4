namespace Sparsify.Core.Sparsity.DataAware;

/// <summary>How <see cref="DataAwarePruner"/> measures and refits.</summary>
public sealed record DataAwarePruningOptions
{
    /// <summary>
    /// Dampening of H as a fraction of its mean diagonal (default 0.01, as SparseGPT): keeps the
    /// refit near the dense weights where the calibration data say little, and H invertible.
    /// </summary>
    public double Dampening { get; init; } = 0.01;

    /// <summary>
    /// Samples per column of H at most (default 64): a layer with many output pixels takes an even
    /// stride of them, so every layer costs about the same whatever its resolution.
    /// </summary>
    public int MaxSamplesPerColumn { get; init; } = 64;

    /// <summary>How a global sparsity target is spread over the layers (default: by measured reconstruction error).</summary>
    public DataAwareAllocation Allocation { get; init; } = DataAwareAllocation.ReconstructionError;

    /// <summary>Calibration inputs the allocation measures on at most (default 64, evenly spaced): the curves need their shape, not every input.</summary>
    public int AllocationInputs { get; init; } = 64;

    /// <summary>Sparsities each layer's reconstruction error is measured at for the allocation (each in (0, 1)).</summary>
    public IReadOnlyList<double> AllocationSparsities { get; init; } = [0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];

    /// <summary>Threads; results do not depend on it.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (!(Dampening > 0 && Dampening <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Dampening), Dampening, "dampening must be in (0, 1]");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSamplesPerColumn, 1, nameof(MaxSamplesPerColumn));
        ArgumentOutOfRangeException.ThrowIfLessThan(AllocationInputs, 1, nameof(AllocationInputs));
        if (AllocationSparsities.Count == 0 || AllocationSparsities.Any(s => !(s > 0 && s < 1)))
        {
            throw new ArgumentOutOfRangeException(nameof(AllocationSparsities), "allocation sparsities must be in (0, 1), at least one");
        }
    }
}

/// <summary>How <see cref="DataAwarePruner"/> spreads a global sparsity target over the free layers.</summary>
public enum DataAwareAllocation
{
    /// <summary>
    /// Each layer's added output error is measured at a few sparsities on the dense network (the
    /// OBS sweep on the calibration inputs) and the layers share one error budget
    /// (<see cref="SparsityAllocator"/>): a layer that pruning harms little takes more.
    /// </summary>
    ReconstructionError,

    /// <summary>As <see cref="ModelPruningOptions.Allocation"/> decides, without data (uniform in a build).</summary>
    AsPlanned,
}

/// <summary>What the data-aware pruner did to one layer.</summary>
/// <param name="LayerName">The layer.</param>
/// <param name="Samples">Input samples its statistics were accumulated over.</param>
/// <param name="RelativeError">
/// The added output error of the layer relative to its output energy, on the calibration inputs as
/// the pruned network feeds them: Σ (v − u)ᵀH(v − u) / Σ uᵀHu over the rows, u the refit dense row.
/// </param>
/// <param name="Dampening">λ added to H's diagonal.</param>
public sealed record DataAwareLayerResult(string LayerName, long Samples, double RelativeError, double Dampening);

/// <summary>One layer pruned alone at one sparsity on the dense network's inputs.</summary>
/// <param name="Point">The sparsity asked and reached, and the added output error relative to the output energy.</param>
/// <param name="Weights">The swept rows per conv group (weights, then the bias column), or null when not kept.</param>
internal sealed record LayerVariant(SensitivityPoint Point, float[][]? Weights);
