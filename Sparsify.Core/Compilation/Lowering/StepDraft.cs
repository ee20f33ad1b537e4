using Sparsify.Runtime.Manifests;

namespace Sparsify.Core.Compilation.Lowering;

/// <summary>A step while the lowering passes shape it; <see cref="ExecutionLowering"/> freezes it into an <see cref="ExecutionStep"/>.</summary>
internal sealed class StepDraft(ManifestLayer layer)
{
    public ManifestLayer Layer { get; } = layer;

    public List<ManifestLayer> Fused { get; } = [];

    public string Output { get; set; } = layer.Output;

    public string? Residual { get; set; }

    public bool Relu { get; set; }

    public StepDraft? Feeds { get; set; }

    public bool InputFed { get; set; }

    public StepDraft? Companion { get; set; }

    public StepDraft? RunsWith { get; set; }

    /// <summary>The shape of the value the step writes: its last folded layer's output, or its layer's.</summary>
    public EquatableList<int> OutputShape => Fused.Count > 0 ? Fused[^1].OutputShape : Layer.OutputShape;

    /// <summary>Flatten and Reshape only relabel a buffer.</summary>
    public bool IsAlias => Layer.Op is "Flatten" or "Reshape";

    public bool IsSparseConv => Layer.IsSparseConvolution;

    /// <summary>The values the step reads that it does not produce itself (its layer's inputs and the residual).</summary>
    public IEnumerable<string> Reads()
    {
        var produced = new HashSet<string>(StringComparer.Ordinal) { Layer.Output };
        produced.UnionWith(Fused.Select(f => f.Output));
        return Layer.Inputs.Concat(Fused.SelectMany(f => f.Inputs)).Where(v => !produced.Contains(v)).Distinct(StringComparer.Ordinal);
    }
}
