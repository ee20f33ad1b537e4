using Sparsify.Runtime.Kernels;

namespace Sparsify.Core.Ir.Layers;

/// <summary>
/// Fully connected layer: y = x·Wᵀ + b with x [Batch, InFeatures] and weights
/// [OutFeatures, InFeatures] (ONNX Gemm with transB=1). Gemm's alpha and beta, MatMul+Add and a
/// folded BatchNormalization all end up in these weights and bias.
/// </summary>
public sealed class FullyConnectedLayer : Layer
{
    /// <summary>Creates a fully connected layer.</summary>
    public FullyConnectedLayer(string name, string input, string output, Tensor weights, Tensor? bias)
        : base(name, [input], output)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Shape.Rank != 2)
        {
            throw new SparsifyModelException($"weights must have rank 2, got {weights.Shape}");
        }

        if (bias is not null && bias.Length != weights.Shape[0])
        {
            throw new SparsifyModelException($"bias has {bias.Length} values for {weights.Shape[0]} outputs");
        }

        Weights = weights;
        Bias = bias;
    }

    /// <inheritdoc />
    public override string OpType => "Gemm";

    /// <summary>Weights [OutFeatures, InFeatures].</summary>
    public Tensor Weights { get; }

    /// <summary>Bias [OutFeatures], or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>Output features.</summary>
    public int OutFeatures => Weights.Shape[0];

    /// <summary>Input features.</summary>
    public int InFeatures => Weights.Shape[1];

    /// <inheritdoc />
    public override long ParameterCount => Weights.Length + (Bias?.Length ?? 0);

    /// <inheritdoc />
    public override Shape InferOutputShape(IReadOnlyList<Shape> inputShapes)
    {
        ExpectInputs(inputShapes, 1);
        var x = inputShapes[0];
        ExpectRank(x, 2);
        if (x[1] != InFeatures)
        {
            throw new SparsifyModelException($"input {x} has {x[1]} features but the weights {Weights.Shape} expect {InFeatures}");
        }

        return new Shape(x[0], OutFeatures);
    }

    /// <inheritdoc />
    public override long CountMacs(IReadOnlyList<Shape> inputShapes, Shape outputShape) => (long)outputShape.ElementCount * InFeatures;
}
