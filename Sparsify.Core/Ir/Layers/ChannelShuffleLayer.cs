namespace Sparsify.Core.Ir.Layers;

/// <summary>
/// ShuffleNet's channel shuffle as one data movement: the channels read as <see cref="Groups"/> × (C / Groups)
/// and transposed, which torch exports as Reshape to N×G×(C/G)×H×W, Transpose (0, 2, 1, 3, 4) and Reshape back.
/// </summary>
public sealed class ChannelShuffleLayer : Layer
{
    /// <summary>Creates a shuffle of <paramref name="groups"/> groups.</summary>
    public ChannelShuffleLayer(string name, string input, string output, int groups)
        : base(name, [input], output)
    {
        Groups = groups >= 1 ? groups : throw new SparsifyModelException($"a channel shuffle needs at least 1 group; got {groups}");
    }

    /// <inheritdoc />
    public override string OpType => "ChannelShuffle";

    /// <summary>The groups the channels are read as.</summary>
    public int Groups { get; }

    /// <inheritdoc />
    public override Shape InferOutputShape(IReadOnlyList<Shape> inputShapes)
    {
        ExpectInputs(inputShapes, 1);
        var x = inputShapes[0];
        return x.Rank == 4 && x[1] % Groups == 0
            ? x
            : throw new SparsifyModelException($"a channel shuffle of {Groups} groups needs a 4-D input whose channels divide into them; got {x}");
    }
}
