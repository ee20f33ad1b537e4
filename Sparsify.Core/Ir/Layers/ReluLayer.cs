namespace Sparsify.Core.Ir.Layers;

/// <summary>Elementwise max(x, 0).</summary>
public sealed class ReluLayer(string name, string input, string output) : ElementwiseLayer(name, input, output)
{
    /// <inheritdoc />
    public override string OpType => "Relu";
}
