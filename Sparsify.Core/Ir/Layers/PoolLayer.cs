using Sparsify.Runtime.Kernels;
namespace Sparsify.Core.Ir.Layers;

/// <summary>The two kinds of windowed pooling.</summary>
public enum PoolKind
{
    /// <summary>Maximum over the window; padding never wins.</summary>
    Max,

    /// <summary>Mean over the window.</summary>
    Average,
}

/// <summary>MaxPool or AveragePool over a 2-D window, NCHW.</summary>
public sealed class PoolLayer : Layer
{
    /// <summary>Creates a pooling layer.</summary>
    public PoolLayer(string name, string input, string output, PoolKind kind, Window2D window, bool ceilMode = false, bool countIncludePad = false)
        : base(name, [input], output)
    {
        window.Validate();
        Kind = kind;
        Window = window;
        CeilMode = ceilMode;
        CountIncludePad = countIncludePad;
    }

    /// <inheritdoc />
    public override string OpType => Kind == PoolKind.Max ? "MaxPool" : "AveragePool";

    /// <summary>Max or average.</summary>
    public PoolKind Kind { get; }

    /// <summary>Kernel, stride, dilation and padding.</summary>
    public Window2D Window { get; }

    /// <summary>Output size rounds up instead of down.</summary>
    public bool CeilMode { get; }

    /// <summary>For average pooling: padded positions count in the divisor.</summary>
    public bool CountIncludePad { get; }

    /// <inheritdoc />
    public override Shape InferOutputShape(IReadOnlyList<Shape> inputShapes)
    {
        ExpectInputs(inputShapes, 1);
        var x = inputShapes[0];
        ExpectRank(x, 4);
        return new Shape(x[0], x[1], Window.OutHeight(x[2], CeilMode), Window.OutWidth(x[3], CeilMode));
    }
}
