using System;
using System.Linq;
using Sparsify.Runtime.Blob;

namespace Sparsify.Runtime.Manifests;

/// <summary>
/// A compiled model as the manifest describes it: what the source generator needs to emit code,
/// nothing more. Equatable by value. Written by <c>ManifestWriter</c>, read by <see cref="ManifestReader"/>;
/// the generator compiles this file, the reader and the checks as linked source, so there is one schema.
/// </summary>
/// <param name="Version">The format version (<see cref="ManifestFormat.CurrentVersion"/>).</param>
/// <param name="Model">The model's name.</param>
/// <param name="ClassName">The class name the generated code should use.</param>
/// <param name="SourceSha256">SHA-256 of the model file compiled, lowercase hex, or "none" when it was compiled from memory: a manifest left over from another version of the model is detected.</param>
/// <param name="BlobSha256">SHA-256 of the weight blob, lowercase hex: a stale or mismatched blob is detected at load.</param>
/// <param name="BlobLength">Bytes of the weight blob.</param>
/// <param name="Inputs">Graph inputs in order.</param>
/// <param name="Outputs">Graph outputs in order.</param>
/// <param name="Layers">Layers in execution order.</param>
/// <param name="Execution">How the layers run: steps, their links and the activation buffers (<see cref="ExecutionPlan"/>).</param>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
sealed record Manifest(
    int Version, string Model, string ClassName, string SourceSha256, string BlobSha256, long BlobLength,
    EquatableList<ManifestValue> Inputs, EquatableList<ManifestValue> Outputs, EquatableList<ManifestLayer> Layers, ExecutionPlan Execution);

/// <summary>A named value and its shape (batch first).</summary>
/// <param name="Name">The value's name.</param>
/// <param name="Shape">Its dimensions.</param>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
sealed record ManifestValue(string Name, EquatableList<int> Shape);

/// <summary>One kept weight of an unrolled layer: its matrix position and its exact IEEE-754 bits.</summary>
/// <param name="Row">Output channel or feature.</param>
/// <param name="Column">Filter position (ic, kh, kw) or input feature.</param>
/// <param name="Bits">The float's IEEE-754 bits.</param>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
sealed record UnrolledWeight(int Row, int Column, uint Bits)
{
    /// <summary>The weight.</summary>
    public float Value => ManifestNumbers.FromBits(Bits);
}

/// <summary>One layer of the manifest.</summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Op">The ONNX op type.</param>
/// <param name="Inputs">Values read, in operand order.</param>
/// <param name="Output">Value written.</param>
/// <param name="InputShapes">Shapes of the inputs.</param>
/// <param name="OutputShape">Shape of the output.</param>
/// <param name="Parameters">What the op needs to execute (its <see cref="LayerParameters"/> kind follows from the op).</param>
/// <param name="Weights">Weight-matrix facts, or null for a layer without weights.</param>
/// <param name="Plan">How the layer runs.</param>
/// <param name="Reason">Why (one line).</param>
/// <param name="Overridden">Whether a per-layer override chose the plan.</param>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
sealed record ManifestLayer(
    string Name, string Op, EquatableList<string> Inputs, string Output, EquatableList<EquatableList<int>> InputShapes, EquatableList<int> OutputShape,
    LayerParameters Parameters, ManifestWeights? Weights, LayerExecution Plan, string Reason, bool Overridden)
{
    /// <summary>A convolution planned sparse: the layers whose input layouts can be fed or shared.</summary>
    public bool IsSparseConvolution => Op == "Conv" && Plan is LayerExecution.SparseTable or LayerExecution.SparseUnrolled;

    /// <summary>
    /// The weight columns an unrolled convolution's generated code reads, ascending: the layers whose plan
    /// steps carry tap offsets, one per column. Empty for every other layer.
    /// </summary>
    public int[] TapColumns() => Op == "Conv" && Plan == LayerExecution.SparseUnrolled && Weights is not null
        ? Weights.Unrolled.Select(nz => nz.Column).Distinct().OrderBy(c => c).ToArray()
        : [];
}

/// <summary>The weights of a Conv or Gemm layer.</summary>
/// <param name="Rows">Rows of the weight matrix (output channels or features).</param>
/// <param name="Columns">Columns ((ic, kh, kw) or input features).</param>
/// <param name="Scheme">The scheme that pruned the layer (<c>dense</c> if none).</param>
/// <param name="Sparsity">Fraction removed.</param>
/// <param name="NonZeros">Kept weights.</param>
/// <param name="GroupSize">G of the locality groups sharing a pattern, 1 when rows are independent.</param>
/// <param name="Format">Where and how the weights are stored.</param>
/// <param name="WeightsBlob">Location of the weights in the blob, or null for unrolled layers.</param>
/// <param name="BiasBlob">Location of the bias (raw fp32) in the blob, or null without bias.</param>
/// <param name="Unrolled">The kept weights, row-major, for unrolled layers; empty otherwise.</param>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
sealed record ManifestWeights(
    int Rows, int Columns, string Scheme, double Sparsity, long NonZeros, int GroupSize, string Format,
    BlobLocation? WeightsBlob, BlobLocation? BiasBlob, EquatableList<UnrolledWeight> Unrolled);
