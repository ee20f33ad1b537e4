using Sparsify.Runtime.Kernels;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Core.Ir.Layers;

/// <summary>
/// A Pad of H and W that no Conv or pool absorbed: with a constant <see cref="Value"/>, mirrored (reflect)
/// or repeating the edge (edge), ONNX Pad's modes.
/// </summary>
public sealed class PadLayer : Layer
{
    /// <summary>Creates the step.</summary>
    public PadLayer(string name, string input, string output, string mode, Padding2D pads, float value)
        : base(name, [input], output)
    {
        if (Array.IndexOf(PadParameters.Modes, mode) < 0)
        {
            throw new SparsifyModelException($"Pad mode '{mode}' is not one of {string.Join(", ", PadParameters.Modes)}");
        }

        if (pads.Top < 0 || pads.Left < 0 || pads.Bottom < 0 || pads.Right < 0 || !float.IsFinite(value))
        {
            throw new SparsifyModelException($"a Pad needs pads of at least 0 and a finite value; got pads {pads.Top},{pads.Left},{pads.Bottom},{pads.Right} and value {value}");
        }

        (Mode, Pads, Value) = (mode, pads, value);
    }

    /// <inheritdoc />
    public override string OpType => "Pad";

    /// <summary>constant, reflect or edge.</summary>
    public string Mode { get; }

    /// <summary>Rows and columns added on each side.</summary>
    public Padding2D Pads { get; }

    /// <summary>The value of a constant pad.</summary>
    public float Value { get; }

    /// <inheritdoc />
    public override Shape InferOutputShape(IReadOnlyList<Shape> inputShapes)
    {
        ExpectInputs(inputShapes, 1);
        var x = inputShapes[0];
        ExpectRank(x, 4);
        if (Mode == "reflect" && (Math.Max(Pads.Top, Pads.Bottom) >= x[2] || Math.Max(Pads.Left, Pads.Right) >= x[3]))
        {
            throw new SparsifyModelException($"a reflect Pad needs pads shorter than the side it mirrors; got pads {Pads.Top},{Pads.Left},{Pads.Bottom},{Pads.Right} for {x[2]}x{x[3]}");
        }

        return new Shape(x[0], x[1], x[2] + Pads.Top + Pads.Bottom, x[3] + Pads.Left + Pads.Right);
    }
}
