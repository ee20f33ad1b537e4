using Sparsify.Core.Calibration;
using Sparsify.Core.Sparsity;
using Sparsify.Core.Sparsity.DataAware;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Core.Compilation;

/// <summary>What <see cref="ModelCompiler"/> prunes, how it plans, and what it names the result.</summary>
public sealed record CompileOptions
{
    /// <summary>The sparsification scheme (see <see cref="SparsitySchemes"/>); default <c>locality</c>.</summary>
    public string Scheme { get; init; } = "locality";

    /// <summary>Global sparsity target in [0, 1); null prunes only <see cref="LayerSparsities"/>.</summary>
    public double? Sparsity { get; init; }

    /// <summary>The PE array the scheme shapes weights for (group size, PE count, index bits).</summary>
    public SchemeSettings Settings { get; init; } = SchemeSettings.Default;

    /// <summary>Layers kept dense, by name.</summary>
    public IReadOnlyCollection<string> ExcludedLayers { get; init; } = [];

    /// <summary>Fixed sparsity per layer name.</summary>
    public IReadOnlyDictionary<string, double>? LayerSparsities { get; init; }

    /// <summary>Keeps the first convolution dense (see <see cref="ModelPruningOptions.KeepFirstConvDense"/>).</summary>
    public bool KeepFirstConvDense { get; init; } = true;

    /// <summary>Keeps depthwise convolutions dense (see <see cref="ModelPruningOptions.KeepDepthwiseDense"/>).</summary>
    public bool KeepDepthwiseDense { get; init; } = true;

    /// <summary>
    /// How the global target is spread. Default <see cref="SparsityAllocation.Uniform"/>: a build must
    /// be fast and deterministic, and sensitivity analysis runs the model many times.
    /// </summary>
    public SparsityAllocation Allocation { get; init; } = SparsityAllocation.Uniform;

    /// <summary>Per-layer plans that win over the cost model.</summary>
    public IReadOnlyDictionary<string, LayerExecution>? PlanOverrides { get; init; }

    /// <summary>The planner's cost model thresholds.</summary>
    public PlannerOptions Planner { get; init; } = PlannerOptions.Default;

    /// <summary>Class name hint for the generated code; null: the model name in PascalCase.</summary>
    public string? ClassName { get; init; }

    /// <summary>SHA-256 of the model file compiled (lowercase hex), recorded in the manifest; null when the model came from memory.</summary>
    public string? SourceSha256 { get; init; }

    /// <summary>
    /// Calibration data: the model is pruned data-aware on its calibration part
    /// (<see cref="DataAwarePruner"/>) and measured on its held-out part. Null: pruned by weight
    /// magnitude alone, which keeps little accuracy at high sparsity.
    /// </summary>
    public CalibrationSource? Calibration { get; init; }

    /// <summary>
    /// A fidelity target in (0, 1]: with <see cref="Calibration"/>, each free layer is planned dense or
    /// at a sparsity so the model is fastest by the planner's cost model while the mean cosine of its
    /// outputs against the dense model's on the validation inputs stays at or above the target
    /// (<see cref="FidelityPlanner"/>); <see cref="Sparsity"/>, when set, is the upper bound. Null: the
    /// sparsity is the target.
    /// </summary>
    public double? FidelityTarget { get; init; }

    /// <summary>How data-aware pruning measures and refits.</summary>
    public DataAwarePruningOptions DataAware { get; init; } = new();

    /// <summary>The options <see cref="ModelPruner"/> takes.</summary>
    public ModelPruningOptions ToPruningOptions() => new()
    {
        Settings = Settings,
        Sparsity = Sparsity,
        LayerSparsities = LayerSparsities,
        KeepFirstConvDense = KeepFirstConvDense,
        KeepDepthwiseDense = KeepDepthwiseDense,
        ExcludedLayers = ExcludedLayers,
        Allocation = Allocation,
    };
}
