namespace Sparsify.Core.Ir.Layers;

/// <summary>
/// ONNX ReduceMean or ReduceSum over a run of adjacent axes <see cref="First"/> to <see cref="Last"/> (a
/// mean over the channels, as attention blocks take it; a mean over H and W is a GlobalAveragePool instead).
/// </summary>
public sealed class ReduceLayer : Layer
{
    /// <summary>Creates the step; the axes already normalised.</summary>
    public ReduceLayer(string name, string input, string output, bool mean, int first, int last, bool keepDims)
        : base(name, [input], output)
    {
        if (first < 0 || first > last)
        {
            throw new SparsifyModelException($"a reduction needs a run of axes, first at most last; got {first} to {last}");
        }

        (Mean, First, Last, KeepDims) = (mean, first, last, keepDims);
    }

    /// <inheritdoc />
    public override string OpType => Mean ? "ReduceMean" : "ReduceSum";

    /// <summary>Whether it averages (ReduceMean) rather than sums.</summary>
    public bool Mean { get; }

    /// <summary>The first axis reduced.</summary>
    public int First { get; }

    /// <summary>The last axis reduced.</summary>
    public int Last { get; }

    /// <summary>Whether the reduced axes stay, of length 1.</summary>
    public bool KeepDims { get; }

    /// <inheritdoc />
    public override Shape InferOutputShape(IReadOnlyList<Shape> inputShapes)
    {
        ExpectInputs(inputShapes, 1);
        var x = inputShapes[0];
        if (Last >= x.Rank)
        {
            throw new SparsifyModelException($"axes {First} to {Last} do not fit an input of shape {x}");
        }

        var all = x.Dims.ToArray();
        var dims = KeepDims
            ? all.Select((d, i) => i >= First && i <= Last ? 1 : d).ToArray()
            : all.Where((_, i) => i < First || i > Last).ToArray();
        return new Shape(dims.Length == 0 ? [1] : dims);
    }
}
