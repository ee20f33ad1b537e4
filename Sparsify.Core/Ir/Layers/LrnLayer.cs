namespace Sparsify.Core.Ir.Layers;

/// <summary>
/// Local response normalisation across channels (AlexNet):
/// y = x / (bias + alpha / size · Σ x²)^beta over <see cref="Size"/> neighbouring channels.
/// </summary>
public sealed class LrnLayer : Layer
{
    /// <summary>Creates an LRN layer.</summary>
    public LrnLayer(string name, string input, string output, int size, float alpha = 1e-4f, float beta = 0.75f, float bias = 1f)
        : base(name, [input], output)
    {
        if (size <= 0)
        {
            throw new SparsifyModelException($"size {size} must be positive");
        }

        Size = size;
        Alpha = alpha;
        Beta = beta;
        Bias = bias;
    }

    /// <inheritdoc />
    public override string OpType => "LRN";

    /// <summary>Number of channels summed over.</summary>
    public int Size { get; }

    /// <summary>Scale of the sum of squares.</summary>
    public float Alpha { get; }

    /// <summary>Exponent.</summary>
    public float Beta { get; }

    /// <summary>Additive constant (ONNX calls it bias).</summary>
    public float Bias { get; }

    /// <inheritdoc />
    public override Shape InferOutputShape(IReadOnlyList<Shape> inputShapes)
    {
        ExpectInputs(inputShapes, 1);
        ExpectRank(inputShapes[0], 4);
        return inputShapes[0];
    }
}
