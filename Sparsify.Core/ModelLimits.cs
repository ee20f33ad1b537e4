namespace Sparsify.Core;

/// <summary>
/// The sizes Sparsify accepts from a model. Models are untrusted input: every size read or computed
/// from one is held to these limits before anything is allocated, so an oversized or hostile model
/// is a <see cref="SparsifyModelException"/> naming the tensor or value and the limit, never an
/// arithmetic overflow or an out-of-memory failure.
/// </summary>
public static class ModelLimits
{
    /// <summary>
    /// The largest tensor, in bytes: 2^31 - 1 (2,147,483,647). It holds for every tensor as the
    /// model stores it and as Sparsify holds it in memory (weights and activations, as float32).
    /// </summary>
    public const long MaxTensorBytes = int.MaxValue;

    /// <summary>
    /// The most elements of one float32 tensor: <see cref="MaxTensorBytes"/> / 4 = 536,870,911; the
    /// manifest format's limit, which the generator checks, is this one.
    /// </summary>
    public const int MaxTensorElements = (int)Sparsify.Runtime.Manifests.ManifestFormat.MaxTensorElements;

    /// <summary>The largest total of a model's initializers and constants, in bytes as stored: 4 GiB.</summary>
    public const long MaxModelWeightBytes = 4L << 30;

    /// <summary>
    /// The largest ONNX model file, in bytes: 2^31 - 1, protobuf's limit for one message. Larger
    /// weights go in external data files beside the model.
    /// </summary>
    public const long MaxModelFileBytes = int.MaxValue;

    /// <summary>The largest compiled weight blob, in bytes: the largest byte array .NET allocates.</summary>
    public static long MaxWeightBlobBytes => Array.MaxLength;

    /// <summary>
    /// Null when <paramref name="elements"/> of <paramref name="elementBytes"/> bytes each fit
    /// <see cref="MaxTensorBytes"/>; otherwise the problem, worded to follow the tensor's description
    /// ("holds 600,000,000 elements (2,400,000,000 bytes as FLOAT), more than the limit of …").
    /// </summary>
    internal static string? TensorSizeProblem(long elements, int elementBytes, string elementType)
    {
        var bytes = SizeMath.Multiply(elements, elementBytes);
        return bytes <= MaxTensorBytes
            ? null
            : $"holds {SizeMath.Format(elements)} elements ({SizeMath.Format(bytes)} bytes as {elementType}), more than the limit of {Bytes(MaxTensorBytes)} per tensor";
    }

    /// <summary>A byte count for messages: "2,147,483,647 bytes".</summary>
    internal static string Bytes(long bytes) => SizeMath.Format(bytes) + " bytes";
}
