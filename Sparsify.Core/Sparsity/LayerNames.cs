using Sparsify.Core.Ir;

namespace Sparsify.Core.Sparsity;

/// <summary>Finds layers by name with errors that list what would have been valid.</summary>
internal static class LayerNames
{
    private const int Listed = 12;

    /// <summary>The prunable (Conv or Gemm) layer called <paramref name="name"/>; throws <see cref="ArgumentException"/> naming <paramref name="setting"/> otherwise.</summary>
    public static Layer FindPrunable(ModelGraph graph, string name, string setting)
    {
        var layer = graph.Layers.FirstOrDefault(l => string.Equals(l.Name, name, StringComparison.Ordinal));
        if (layer is null)
        {
            throw new ArgumentException($"{setting}: the model '{graph.Name}' has no layer '{name}'; prunable layers: {PrunableList(graph)}", setting);
        }

        if (!WeightMatrix.IsPrunable(layer))
        {
            throw new ArgumentException($"{setting}: layer '{name}' is a {layer.OpType} and has no weights to prune; prunable layers: {PrunableList(graph)}", setting);
        }

        return layer;
    }

    /// <summary>The first prunable layer names, comma-separated, with a count of the rest.</summary>
    public static string PrunableList(ModelGraph graph)
    {
        var names = graph.Layers.Where(WeightMatrix.IsPrunable).Select(l => l.Name).ToArray();
        var list = string.Join(", ", names.Take(Listed));
        return names.Length > Listed ? $"{list} and {names.Length - Listed} more" : list;
    }
}
