using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;

namespace Sparsify.Core.Sparsity;

/// <summary>
/// Applies a scheme to every prunable (Conv and Gemm) layer of a model: sparsity per layer given
/// explicitly, or one global target spread over the layers (see <see cref="ModelPruningOptions"/> for
/// which layer gets what, and <see cref="SparsityAllocator"/> for the sensitivity allocation).
/// </summary>
/// <example>
/// <code>
/// var graph = OnnxModel.Load("alexnet.onnx");
/// var pruning = ModelPruner.Prune(graph, "locality", new ModelPruningOptions { Sparsity = 0.9 });
/// Console.Write(pruning.Report.ToText());
/// </code>
/// </example>
public static class ModelPruner
{
    /// <summary>The scheme name reported for layers kept dense.</summary>
    public const string DenseScheme = "dense";

    /// <summary>Chooses the masks without changing any weight (<see cref="ModelPruning.Apply"/> does that).</summary>
    public static ModelPruning ComputeMasks(ModelGraph graph, string scheme, ModelPruningOptions? options = null) =>
        ComputeMasks(graph, SparsitySchemes.Get(scheme), options);

    /// <summary>Chooses the masks and zeroes the removed weights in place.</summary>
    public static ModelPruning Prune(ModelGraph graph, string scheme, ModelPruningOptions? options = null) =>
        Prune(graph, SparsitySchemes.Get(scheme), options);

    /// <summary>Chooses the masks and zeroes the removed weights in place.</summary>
    public static ModelPruning Prune(ModelGraph graph, ISparsityScheme scheme, ModelPruningOptions? options = null)
    {
        var pruning = ComputeMasks(graph, scheme, options);
        pruning.Apply();
        return pruning;
    }

    /// <summary>
    /// Chooses the masks without changing any weight (a sensitivity analysis changes weights while it
    /// measures and restores them). Throws <see cref="ArgumentException"/> (or its
    /// <see cref="ArgumentOutOfRangeException"/>) for a setting out of range, an unknown or weightless
    /// layer name, or an unreachable target; <see cref="SparsifyModelException"/> for a model with
    /// nothing to prune or weights no scheme can order.
    /// </summary>
    public static ModelPruning ComputeMasks(ModelGraph graph, ISparsityScheme scheme, ModelPruningOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(scheme);
        options ??= new ModelPruningOptions();
        var settings = options.Settings ?? throw new ArgumentException("Settings must not be null", nameof(options));
        settings.Validate();
        options.Sensitivity.Validate();
        if (options.Sparsity is { } target)
        {
            SchemeChecks.ValidateSparsity(target, nameof(options.Sparsity));
        }

        var matrices = WeightMatrix.AllOf(graph);
        if (matrices.Count == 0)
        {
            throw new SparsifyModelException($"model '{graph.Name}' has no Conv or Gemm layer to prune");
        }

        var plan = Plan(graph, matrices, options);
        var notes = new List<string>();
        IReadOnlyList<LayerSensitivity>? sensitivity = null;
        SparsityAllocation? allocation = null;
        var free = matrices.Where(m => plan[m.LayerName] is { Dense: null, Sparsity: null }).ToArray();
        if (scheme.Control == SparsityControl.FromModel)
        {
            if (options.Sparsity is not null || options.LayerSparsities is { Count: > 0 })
            {
                notes.Add($"{scheme.Name} keeps the model's own zeros: the requested sparsities are ignored");
            }

            foreach (var m in matrices.Where(m => plan[m.LayerName].Dense is null))
            {
                plan[m.LayerName] = new LayerPlan(0, null);
            }
        }
        else if (free.Length > 0 && options.Sparsity is { } global)
        {
            var shares = Spread(graph, scheme, matrices, free, plan, global, options, notes, out sensitivity, out allocation);
            foreach (var (name, s) in shares)
            {
                plan[name] = new LayerPlan(s, null);
            }
        }
        else
        {
            foreach (var m in free)
            {
                plan[m.LayerName] = new LayerPlan(null, "no sparsity given (neither Sparsity nor LayerSparsities)");
            }
        }

        var layers = matrices.Select(m => plan[m.LayerName] switch
        {
            { Dense: { } reason } => Dense(m, reason, settings),
            { Sparsity: { } s } => PruneLayer(scheme, m, s, settings),
            _ => throw new InvalidOperationException($"no plan for {m.LayerName}"),
        }).ToArray();

        var report = new ModelSparsityReport
        {
            Model = graph.Name,
            Scheme = scheme.Name,
            TargetSparsity = options.Sparsity,
            Allocation = allocation,
            Layers = layers.Select(l => l.Report).ToArray(),
            Notes = notes,
        };
        return new ModelPruning(graph, layers, report, sensitivity);
    }

    /// <summary>The layers that take a share of the global target: neither fixed, excluded, nor kept dense as the first convolution.</summary>
    internal static IReadOnlyList<string> FreeLayers(ModelGraph graph, ModelPruningOptions options)
    {
        var matrices = WeightMatrix.AllOf(graph);
        var plan = Plan(graph, matrices, options);
        return matrices.Where(m => plan[m.LayerName] is { Dense: null, Sparsity: null }).Select(m => m.LayerName).ToArray();
    }

    // Per layer: a fixed sparsity, a reason to stay dense, or neither (free: takes a share of the target).
    private static Dictionary<string, LayerPlan> Plan(ModelGraph graph, IReadOnlyList<WeightMatrix> matrices, ModelPruningOptions options)
    {
        var excluded = (options.ExcludedLayers ?? []).Select(n => LayerNames.FindPrunable(graph, n, nameof(options.ExcludedLayers)).Name).ToHashSet(StringComparer.Ordinal);
        var fixedSparsities = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, s) in options.LayerSparsities ?? new Dictionary<string, double>())
        {
            LayerNames.FindPrunable(graph, name, nameof(options.LayerSparsities));
            SchemeChecks.ValidateSparsity(s, nameof(options.LayerSparsities), name);
            if (excluded.Contains(name))
            {
                throw new ArgumentException($"layer '{name}' is both in ExcludedLayers and in LayerSparsities; give it one or the other", nameof(options));
            }

            fixedSparsities[name] = s;
        }

        var firstConv = options.KeepFirstConvDense ? graph.Layers.OfType<ConvLayer>().FirstOrDefault()?.Name : null;
        var depthwise = options.KeepDepthwiseDense
            ? graph.Layers.OfType<ConvLayer>().Where(c => c.IsDepthwise).Select(c => c.Name).ToHashSet(StringComparer.Ordinal)
            : [];
        var plan = new Dictionary<string, LayerPlan>(StringComparer.Ordinal);
        foreach (var m in matrices)
        {
            var name = m.LayerName;
            plan[name] = excluded.Contains(name) ? new LayerPlan(null, "excluded (ExcludedLayers)")
                : fixedSparsities.TryGetValue(name, out var s) ? new LayerPlan(s, null)
                : name == firstConv ? new LayerPlan(null, "first convolution (KeepFirstConvDense)")
                : depthwise.Contains(name) ? new LayerPlan(null, "depthwise convolution (KeepDepthwiseDense)")
                : new LayerPlan(null, null);
        }

        return plan;
    }

    // The free layers' shares of the global target, given the fixed and dense layers.
    private static IEnumerable<(string Name, double Sparsity)> Spread(
        ModelGraph graph, ISparsityScheme scheme, IReadOnlyList<WeightMatrix> matrices, WeightMatrix[] free, Dictionary<string, LayerPlan> plan,
        double target, ModelPruningOptions options, List<string> notes, out IReadOnlyList<LayerSensitivity>? sensitivity, out SparsityAllocation? allocation)
    {
        sensitivity = null;
        allocation = null;
        var total = matrices.Sum(m => (double)m.Values.Length);
        var fixedRemoved = matrices.Sum(m => plan[m.LayerName].Sparsity is { } s ? s * m.Values.Length : 0);
        var freeWeights = free.Sum(m => (double)m.Values.Length);
        var need = target * total - fixedRemoved;
        var cap = options.Sensitivity.MaxLayerSparsity;
        if (need > freeWeights * cap * (1 + 1e-12))
        {
            var reachable = (fixedRemoved + freeWeights * cap) / total;
            var dense = string.Join(", ", matrices.Where(m => plan[m.LayerName].Dense is not null).Select(m => m.LayerName));
            throw new ArgumentOutOfRangeException(
                nameof(options), target,
                LayerReports.Invariant($"Sparsity: global sparsity {target} is out of reach: with {(dense.Length == 0 ? "no layer" : dense)} dense, the LayerSparsities fixed and every other layer at most {cap} (SensitivityOptions.MaxLayerSparsity), the model reaches at most {reachable:0.####}"));
        }

        if (need <= 0)
        {
            notes.Add(LayerReports.Invariant($"the fixed layers already reach the target {target}: the other layers stay dense"));
            return free.Select(m => (m.LayerName, 0.0));
        }

        if (scheme.Control == SparsityControl.ImpliedByPattern)
        {
            notes.Add(LayerReports.Invariant($"{scheme.Name} fixes each layer's sparsity by its pattern: every free layer is asked {target}, so the model's sparsity falls short of it by the dense layers' share"));
            return free.Select(m => (m.LayerName, target));
        }

        allocation = options.Allocation;
        if (options.Allocation == SparsityAllocation.Uniform)
        {
            var uniform = need / freeWeights;
            notes.Add(LayerReports.Invariant($"global target {target} spread uniformly: every free layer at {uniform:0.####}"));
            return free.Select(m => (m.LayerName, uniform));
        }

        sensitivity = SensitivityAnalysis.Measure(graph, scheme, free.Select(m => m.LayerName), options.Settings, options.Sensitivity);
        var shares = SparsityAllocator.Allocate(sensitivity, need, cap);
        notes.Add(LayerReports.Invariant($"global target {target} spread by sensitivity over {free.Length} layers, measured at {sensitivity[0].Points.Count} sparsities each"));
        return free.Select(m => (m.LayerName, shares[m.LayerName]));
    }

    // Scheme errors about a sparsity (nm's pattern) get the layer's name, which the scheme does not know to add.
    private static LayerPruning PruneLayer(ISparsityScheme scheme, WeightMatrix matrix, double sparsity, SchemeSettings settings)
    {
        try
        {
            return scheme.Prune(matrix, sparsity, settings);
        }
        catch (ArgumentException e) when (e is not ArgumentNullException)
        {
            throw new ArgumentException($"layer '{matrix.LayerName}': {SettingErrors.Describe(e)}", e.ParamName, e);
        }
    }

    private static LayerPruning Dense(WeightMatrix matrix, string reason, SchemeSettings settings)
    {
        var mask = SparsityMask.Dense(matrix.Rows, matrix.Columns);
        return new LayerPruning(matrix, mask, LayerReports.Build(matrix, mask, DenseScheme, 0, settings, PartitionLayout.Rows, [$"kept dense: {reason}"]));
    }

    // Sparsity: the layer's fixed or allocated sparsity; Dense: why it stays dense. Both null: free.
    private sealed record LayerPlan(double? Sparsity, string? Dense);
}
