namespace Sparsify.Core.Sparsity;

/// <summary>
/// A way of choosing which weights of one layer to keep. Implementations are stateless and
/// deterministic: the same weights, sparsity and settings always give the same mask.
/// </summary>
public interface ISparsityScheme
{
    /// <summary>The scheme's registry name (lower case), e.g. <c>locality</c>.</summary>
    string Name { get; }

    /// <summary>One line saying what the scheme keeps.</summary>
    string Description { get; }

    /// <summary>How the requested sparsity relates to what the scheme achieves.</summary>
    SparsityControl Control { get; }

    /// <summary>
    /// Chooses the weights of <paramref name="matrix"/> to keep so that about
    /// <paramref name="sparsity"/> of them are removed; reads the weights, never changes them.
    /// Throws <see cref="ArgumentOutOfRangeException"/> for a sparsity outside [0, 1) or a setting out
    /// of range, <see cref="ArgumentException"/> for a sparsity the scheme's pattern cannot give (nm),
    /// and <see cref="SparsifyModelException"/> (naming the layer) for a non-finite weight or a layer
    /// that cannot be stored with these settings at all.
    /// </summary>
    LayerPruning Prune(WeightMatrix matrix, double sparsity, SchemeSettings settings);
}

/// <summary>How a scheme treats the requested sparsity.</summary>
public enum SparsityControl
{
    /// <summary>Any sparsity in [0, 1); achieved exactly or to the scheme's granularity (a column, a row).</summary>
    Requested,

    /// <summary>The pattern fixes the sparsity (N:M keeps N of every M); a request must match it.</summary>
    ImpliedByPattern,

    /// <summary>The model's own zeros decide; the request is ignored.</summary>
    FromModel,
}

/// <summary>What a scheme decided for one layer: the mask and the report on it.</summary>
/// <param name="Matrix">The layer's weights, unchanged.</param>
/// <param name="Mask">The weights kept.</param>
/// <param name="Report">Sparsity, partition balance and buffer fit of <paramref name="Mask"/>.</param>
public sealed record LayerPruning(WeightMatrix Matrix, SparsityMask Mask, LayerSparsityReport Report)
{
    /// <summary>Zeroes the removed weights of the layer, in place.</summary>
    public void Apply() => Mask.Apply(Matrix.Values);
}
