using System.Collections.Generic;
using System.Linq;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Generators.Model;

/// <summary>What the emitters ask of a manifest's shapes.</summary>
internal static class Shapes
{
    /// <summary>Elements at batch 1 (every dimension after the first).</summary>
    public static int ElementsAtBatchOne(this EquatableList<int> shape) => ExecutionPlan.ElementsAtBatchOne(shape);

    /// <summary>Like <c>1x3x224x224</c>.</summary>
    public static string Text(this EquatableList<int> shape) => ManifestChecks.Text(shape);

    /// <summary>A copy as an equatable list.</summary>
    public static EquatableList<T> ToEquatableList<T>(this IEnumerable<T> items) => new(items);
}
