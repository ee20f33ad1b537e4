namespace Sparsify.Core.Ir.Layers;

/// <summary>Elementwise min(max(x, <see cref="Min"/>), <see cref="Max"/>): ONNX Clip, ReLU6 among them.</summary>
public sealed class ClipLayer : ElementwiseLayer
{
    /// <summary>Creates a Clip; an absent bound is an infinity.</summary>
    public ClipLayer(string name, string input, string output, float min, float max)
        : base(name, input, output)
    {
        if (float.IsNaN(min) || float.IsNaN(max) || min > max)
        {
            throw new SparsifyModelException($"Clip bounds must be numbers with min at most max; got min {min} and max {max}");
        }

        Min = min;
        Max = max;
    }

    /// <inheritdoc />
    public override string OpType => "Clip";

    /// <summary>The lower bound.</summary>
    public float Min { get; }

    /// <summary>The upper bound.</summary>
    public float Max { get; }
}
