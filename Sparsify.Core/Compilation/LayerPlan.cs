namespace Sparsify.Core.Compilation;

/// <summary>How one layer runs on the CPU target. Names are written into the manifest, so they must never change.</summary>
public enum LayerExecution
{
    /// <summary>Dense loops over raw fp32 arrays (or no weights at all: pooling, ReLU, …).</summary>
    Dense,

    /// <summary>Loops specialised per layer shape over compressed arrays read from the weight blob.</summary>
    SparseTable,

    /// <summary>Nonzero weights as immediates and input offsets as constants in generated code.</summary>
    SparseUnrolled,
}

/// <summary>The planner's decision for one layer and the one-line reason for it.</summary>
/// <param name="LayerName">The layer.</param>
/// <param name="Execution">How it runs.</param>
/// <param name="Reason">Why, for the manifest and the report (one line, human-readable).</param>
/// <param name="Overridden">True when a per-layer override chose it rather than the cost model.</param>
public sealed record LayerPlan(string LayerName, LayerExecution Execution, string Reason, bool Overridden);

/// <summary>
/// The thresholds of <see cref="LayerPlanner"/>'s cost model. Defaults are for a modern x64 core:
/// sparse kernels only pay off once most weights are gone, and unrolled code must stay small enough
/// for the JIT to optimise (about 60,000 bytes of IL per method, so it is split, but the whole layer's
/// code still costs compile time and instruction cache).
/// </summary>
public sealed record PlannerOptions
{
    /// <summary>Default options.</summary>
    public static PlannerOptions Default { get; } = new();

    /// <summary>
    /// Below this sparsity a layer stays dense (default 0.5): SIMD dense loops do ~8–16 MACs per cycle,
    /// sparse ones pay an index load and a gather per nonzero, so they need at least ~2x fewer MACs to win.
    /// </summary>
    public double MinSparseSparsity { get; init; } = 0.5;

    /// <summary>
    /// Most nonzeros a layer may unroll into code (default 50,000): each is one FMA with an immediate,
    /// ~10–15 bytes of IL, so 50,000 keeps a layer's generated code near 0.75 MB of IL, split into
    /// methods under the JIT's limits, and a build's first-call JIT time in the tens of milliseconds.
    /// </summary>
    public int UnrollBudget { get; init; } = 50_000;

    /// <summary>
    /// Layers with fewer dense MACs than this stay dense (default 2,048): the work is too small for a
    /// sparse kernel's setup to be repaid.
    /// </summary>
    public long TinyLayerMacs { get; init; } = 2_048;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (!(MinSparseSparsity >= 0 && MinSparseSparsity <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(MinSparseSparsity), MinSparseSparsity, "MinSparseSparsity must be in [0, 1]");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(UnrollBudget, nameof(UnrollBudget));
        ArgumentOutOfRangeException.ThrowIfNegative(TinyLayerMacs, nameof(TinyLayerMacs));
    }
}
