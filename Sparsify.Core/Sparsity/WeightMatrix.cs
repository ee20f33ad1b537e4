using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;

namespace Sparsify.Core.Sparsity;

/// <summary>
/// A prunable layer's weights seen as a matrix, the view every scheme and format works on:
/// rows are output channels (Conv) or output features (Gemm); columns are the filter positions
/// (in-channel of the group, kh, kw) or the input features. <see cref="Values"/> is the layer's own
/// weight array (row-major), so masking it prunes the layer in place.
/// </summary>
public sealed class WeightMatrix
{
    private WeightMatrix(Layer layer, Tensor weights, int rows, int columns, int convGroups)
    {
        Layer = layer;
        Weights = weights;
        Rows = rows;
        Columns = columns;
        ConvGroups = convGroups;
    }

    /// <summary>The layer the weights belong to.</summary>
    public Layer Layer { get; }

    /// <summary>The layer's weight tensor.</summary>
    public Tensor Weights { get; }

    /// <summary>The layer's name.</summary>
    public string LayerName => Layer.Name;

    /// <summary>Output channels or features.</summary>
    public int Rows { get; }

    /// <summary>Weights per row.</summary>
    public int Columns { get; }

    /// <summary>Channel groups of a grouped convolution (1 otherwise): rows of different groups read different inputs.</summary>
    public int ConvGroups { get; }

    /// <summary>The weights, row-major, shared with the layer.</summary>
    public float[] Values => Weights.Data;

    /// <summary>Whether the layer has weights to prune (Conv or Gemm).</summary>
    public static bool IsPrunable(Layer layer) => layer is ConvLayer or FullyConnectedLayer;

    /// <summary>The matrix view of a Conv or Gemm layer.</summary>
    public static WeightMatrix Of(Layer layer) => layer switch
    {
        ConvLayer conv => new WeightMatrix(conv, conv.Weights, conv.OutChannels, conv.Weights.Length / conv.OutChannels, conv.Group),
        FullyConnectedLayer fc => new WeightMatrix(fc, fc.Weights, fc.OutFeatures, fc.InFeatures, 1),
        _ => throw new ArgumentException($"{layer.OpType} {layer.Name} has no weights to prune", nameof(layer)),
    };

    /// <summary>The matrix views of every prunable layer of <paramref name="graph"/>, in graph order.</summary>
    public static IReadOnlyList<WeightMatrix> AllOf(ModelGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return graph.Layers.Where(IsPrunable).Select(Of).ToArray();
    }

    /// <summary>The bias values of a Conv or Gemm layer, or null when it has none.</summary>
    internal static float[]? BiasOf(Layer layer) => layer switch
    {
        ConvLayer conv => conv.Bias?.Data,
        FullyConnectedLayer fc => fc.Bias?.Data,
        _ => null,
    };
}
