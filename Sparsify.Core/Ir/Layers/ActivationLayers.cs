namespace Sparsify.Core.Ir.Layers;

/// <summary>Elementwise 1 / (1 + exp(-x)).</summary>
public sealed class SigmoidLayer(string name, string input, string output) : ElementwiseLayer(name, input, output)
{
    /// <inheritdoc />
    public override string OpType => "Sigmoid";
}

/// <summary>Elementwise max(0, min(1, <see cref="Alpha"/> · x + <see cref="Beta"/>)), ONNX HardSigmoid.</summary>
public sealed class HardSigmoidLayer : ElementwiseLayer
{
    /// <summary>Creates a HardSigmoid (ONNX's defaults: alpha 0.2, beta 0.5; torch's hardsigmoid: 1/6, 0.5).</summary>
    public HardSigmoidLayer(string name, string input, string output, float alpha, float beta)
        : base(name, input, output)
    {
        if (!float.IsFinite(alpha) || !float.IsFinite(beta))
        {
            throw new SparsifyModelException($"HardSigmoid needs a finite alpha and beta; got {alpha} and {beta}");
        }

        Alpha = alpha;
        Beta = beta;
    }

    /// <inheritdoc />
    public override string OpType => "HardSigmoid";

    /// <summary>The slope.</summary>
    public float Alpha { get; }

    /// <summary>The offset.</summary>
    public float Beta { get; }
}

/// <summary>
/// Elementwise product of two computed values: of one shape, or a 4-D value by one factor per channel
/// (a squeeze-and-excitation gate, N×C×1×1), the full-size operand first.
/// </summary>
public sealed class MulLayer(string name, string full, string factor, string output) : Layer(name, [full, factor], output)
{
    /// <inheritdoc />
    public override string OpType => "Mul";

    /// <inheritdoc />
    public override Shape InferOutputShape(IReadOnlyList<Shape> inputShapes)
    {
        ExpectInputs(inputShapes, 2);
        return Sparsify.Runtime.Manifests.ManifestOps.MultiplyPlane(inputShapes[0], inputShapes[1]) is not null
            ? inputShapes[0]
            : throw new SparsifyModelException($"operands have shapes {inputShapes[0]} and {inputShapes[1]}; only a Mul of one shape, or of a 4-D value by one factor per channel, is supported");
    }
}

/// <summary>Elementwise x · Φ(x) = 0.5 · x · (1 + erf(x / √2)), GELU in its exact (Erf) form, as torch exports it.</summary>
public sealed class GeluLayer(string name, string input, string output) : ElementwiseLayer(name, input, output)
{
    /// <inheritdoc />
    public override string OpType => "Gelu";
}

/// <summary>Elementwise x for x ≥ 0 and <see cref="Alpha"/> · x below, ONNX LeakyRelu.</summary>
public sealed class LeakyReluLayer : ElementwiseLayer
{
    /// <summary>Creates a LeakyRelu (ONNX's default slope: 0.01).</summary>
    public LeakyReluLayer(string name, string input, string output, float alpha)
        : base(name, input, output)
    {
        Alpha = float.IsFinite(alpha) ? alpha : throw new SparsifyModelException($"LeakyRelu needs a finite alpha; got {alpha}");
    }

    /// <inheritdoc />
    public override string OpType => "LeakyRelu";

    /// <summary>The slope below 0.</summary>
    public float Alpha { get; }
}

/// <summary>
/// One of the functions of one value without parameters that ONNX names (Tanh, Exp, Neg, Sqrt, Erf), applied
/// value by value; its op is the function's name (<see cref="Sparsify.Runtime.Manifests.ManifestOps.UnaryFunctions"/>).
/// </summary>
public sealed class UnaryLayer : ElementwiseLayer
{
    /// <summary>Creates the step for <paramref name="function"/>.</summary>
    public UnaryLayer(string name, string input, string output, string function)
        : base(name, input, output)
    {
        OpType = Sparsify.Runtime.Manifests.ManifestOps.IsUnaryFunction(function)
            ? function
            : throw new SparsifyModelException($"'{function}' is not one of the functions of one value: {string.Join(", ", Sparsify.Runtime.Manifests.ManifestOps.UnaryFunctions)}");
    }

    /// <inheritdoc />
    public override string OpType { get; }
}
