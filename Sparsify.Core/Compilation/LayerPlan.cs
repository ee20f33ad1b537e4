using Sparsify.Runtime.Manifests;

namespace Sparsify.Core.Compilation;

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
    /// Most nonzeros a convolution may unroll into code (default 8,192). Each becomes one FMA on a
    /// shared input load in the generated source (about 40 characters, 10–15 bytes of IL), and the whole
    /// model's unrolled code is compiled by Roslyn in the build and by the JIT on the first call: 8,192
    /// keeps a layer near 0.3 MB of source, so a ResNet18 at 90% builds in seconds, while the table-driven
    /// kernel runs the larger layers at the same speed (both load one input vector per tap and feed G
    /// register accumulators; unrolling only moves offsets and weights from data into the instruction stream).
    /// </summary>
    public int UnrollBudget { get; init; } = 8_192;

    /// <summary>
    /// Most nonzeros a fully connected layer may unroll (default 2,048): at batch 1 each weight is used once
    /// per call, so unrolling saves no loads and only grows the code.
    /// </summary>
    public int FullyConnectedUnrollBudget { get; init; } = 2_048;

    /// <summary>
    /// Layers with fewer dense MACs than this stay dense (default 2,048): the work is too small for a
    /// sparse kernel's setup to be repaid.
    /// </summary>
    public long TinyLayerMacs { get; init; } = 2_048;

    /// <summary>
    /// The cost model's speed of a dense layer, in GFLOP/s (default 114): ResNet18 dense through the
    /// generated code on 2 threads of the AMD EPYC VM of docs/benchmarks.md (56% of its FMA peak).
    /// Only the ratios of the three rates matter to a plan; they set which layers are worth pruning.
    /// </summary>
    public double DenseGflops { get; init; } = 114;

    /// <summary>
    /// The cost model's speed of a sparse layer on its nonzero MACs, in GFLOP/s (default 92):
    /// ResNet18's sparse convolutions at 70% in the same benchmark (45% of peak).
    /// </summary>
    public double SparseGflops { get; init; } = 92;

    /// <summary>
    /// The cost model's fixed work of a sparse layer per output value, in nanoseconds (default 0.4):
    /// re-layout, epilogue and threading, 0.3–0.5 ns per output in the per-layer profile of
    /// docs/benchmarks.md whatever the sparsity.
    /// </summary>
    public double SparseNanosecondsPerOutput { get; init; } = 0.4;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (!(MinSparseSparsity >= 0 && MinSparseSparsity <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(MinSparseSparsity), MinSparseSparsity, "MinSparseSparsity must be in [0, 1]");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(UnrollBudget, nameof(UnrollBudget));
        ArgumentOutOfRangeException.ThrowIfNegative(FullyConnectedUnrollBudget, nameof(FullyConnectedUnrollBudget));
        ArgumentOutOfRangeException.ThrowIfNegative(TinyLayerMacs, nameof(TinyLayerMacs));
        foreach (var (name, value) in new[] { (nameof(DenseGflops), DenseGflops), (nameof(SparseGflops), SparseGflops) })
        {
            if (!(value > 0 && double.IsFinite(value)))
            {
                throw new ArgumentOutOfRangeException(name, value, $"{name} must be a positive number");
            }
        }

        if (!(SparseNanosecondsPerOutput >= 0 && double.IsFinite(SparseNanosecondsPerOutput)))
        {
            throw new ArgumentOutOfRangeException(nameof(SparseNanosecondsPerOutput), SparseNanosecondsPerOutput, "SparseNanosecondsPerOutput must be 0 or more");
        }
    }
}
