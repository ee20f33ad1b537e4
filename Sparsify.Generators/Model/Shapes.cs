using System.Collections.Generic;
using System.Linq;
using Sparsify.Runtime.Kernels;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Generators.Model;

/// <summary>What the emitters ask of a manifest's shapes and layers.</summary>
internal static class Shapes
{
    /// <summary>Elements at batch 1 (every dimension after the first).</summary>
    public static int ElementsAtBatchOne(this EquatableList<int> shape) => ExecutionPlan.ElementsAtBatchOne(shape);

    /// <summary>Like <c>1x3x224x224</c>.</summary>
    public static string Text(this EquatableList<int> shape) => string.Join("x", shape);

    /// <summary>The window of a Conv or pool layer, or null for any other.</summary>
    public static Window2D? WindowOf(ManifestLayer layer) => layer.Parameters switch
    {
        ConvParameters conv => conv.Window,
        PoolParameters pool => pool.Window,
        _ => null,
    };

    /// <summary>A Conv layer's groups (1 for any other).</summary>
    public static int GroupsOf(ManifestLayer layer) => layer.Parameters is ConvParameters conv ? conv.Group : 1;

    /// <summary>A copy as an equatable list.</summary>
    public static EquatableList<T> ToEquatableList<T>(this IEnumerable<T> items) => new(items);
}
