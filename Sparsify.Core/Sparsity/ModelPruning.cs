using Sparsify.Core.Ir;

namespace Sparsify.Core.Sparsity;

/// <summary>
/// The masks chosen for a whole model and the report on them. Nothing is changed until
/// <see cref="Apply"/>: training can hold masked weights at zero with <see cref="Masks"/> while the
/// model keeps its dense weights.
/// </summary>
public sealed class ModelPruning
{
    private readonly Dictionary<string, LayerPruning> _byName;

    internal ModelPruning(ModelGraph graph, IReadOnlyList<LayerPruning> layers, ModelSparsityReport report, IReadOnlyList<LayerSensitivity>? sensitivity)
    {
        Graph = graph;
        Layers = layers;
        Report = report;
        Sensitivity = sensitivity;
        _byName = layers.ToDictionary(l => l.Matrix.LayerName, StringComparer.Ordinal);
        Masks = layers.ToDictionary(l => l.Matrix.LayerName, l => l.Mask, StringComparer.Ordinal);
    }

    /// <summary>The model the masks are for.</summary>
    public ModelGraph Graph { get; }

    /// <summary>Every prunable layer in graph order; layers left dense have a mask keeping everything.</summary>
    public IReadOnlyList<LayerPruning> Layers { get; }

    /// <summary>The mask of every prunable layer, by layer name.</summary>
    public IReadOnlyDictionary<string, SparsityMask> Masks { get; }

    /// <summary>Per-layer reports and totals.</summary>
    public ModelSparsityReport Report { get; }

    /// <summary>The measurements behind a sensitivity allocation, or null when none was made.</summary>
    public IReadOnlyList<LayerSensitivity>? Sensitivity { get; }

    /// <summary>The pruning of one layer; throws <see cref="ArgumentException"/> listing the layers for an unknown name.</summary>
    public LayerPruning this[string layerName] =>
        _byName.TryGetValue(layerName, out var pruning)
            ? pruning
            : throw new ArgumentException($"no prunable layer '{layerName}'; prunable layers: {LayerNames.PrunableList(Graph)}", nameof(layerName));

    /// <summary>Zeroes every removed weight of <see cref="Graph"/>, in place. Idempotent.</summary>
    public void Apply()
    {
        foreach (var layer in Layers)
        {
            layer.Apply();
        }
    }
}
