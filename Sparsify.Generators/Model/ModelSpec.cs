namespace Sparsify.Generators.Model;

/// <summary>Everything the emitter needs about one manifest: immutable and equatable, no Roslyn symbols.</summary>
/// <param name="Namespace">Namespace of the generated class; empty for the global namespace.</param>
/// <param name="ClassName">The class name.</param>
/// <param name="ModelName">The model's name.</param>
/// <param name="ResourceName">The manifest resource that holds the weight blob.</param>
/// <param name="BlobSha256">The blob's SHA-256, lowercase hex.</param>
/// <param name="BlobLength">The blob's length in bytes.</param>
/// <param name="Inputs">Graph inputs in order.</param>
/// <param name="Outputs">Graph outputs in order.</param>
/// <param name="Layers">Layers in execution order.</param>
/// <param name="FilePath">The manifest's path, for diagnostics about the whole model (never emitted).</param>
/// <param name="ClassLine">The 0-based line of the manifest's <c>class</c> line.</param>
internal sealed record ModelSpec(
    string Namespace, string ClassName, string ModelName, string ResourceName, string BlobSha256, long BlobLength,
    EquatableArray<ValueSpec> Inputs, EquatableArray<ValueSpec> Outputs, EquatableArray<LayerSpec> Layers, string FilePath, int ClassLine);

/// <summary>A named value and its shape, batch first.</summary>
internal sealed record ValueSpec(string Name, EquatableArray<int> Shape);

/// <summary>One attribute of a layer as manifest text.</summary>
internal sealed record AttrSpec(string Name, string Value);

/// <summary>How a layer runs; names match the manifest's <c>plan</c> values.</summary>
internal enum PlanKind
{
    Dense,
    SparseTable,
    SparseUnrolled,
}

/// <summary>One layer of the manifest; <c>Line</c> is the 0-based line of its <c>layer</c> line, for diagnostics.</summary>
internal sealed record LayerSpec(
    string Name, string Op, EquatableArray<string> Inputs, string Output, EquatableArray<ShapeSpec> InputShapes, ShapeSpec OutputShape,
    EquatableArray<AttrSpec> Attributes, WeightsSpec? Weights, PlanKind Plan, string Reason, bool Overridden, int Line)
{
    /// <summary>The attribute's value, or null.</summary>
    public string? Attr(string name)
    {
        foreach (var a in Attributes)
        {
            if (a.Name == name)
            {
                return a.Value;
            }
        }

        return null;
    }
}

/// <summary>A shape (batch first), equatable so it can sit inside an <see cref="EquatableArray{T}"/>.</summary>
internal sealed record ShapeSpec(EquatableArray<int> Dims)
{
    /// <summary>Elements at batch 1.</summary>
    public int ElementsAtBatchOne
    {
        get
        {
            var n = 1;
            for (var i = 1; i < Dims.Count; i++)
            {
                n *= Dims[i];
            }

            return n;
        }
    }

    /// <summary>The dimension, or 1 past the rank.</summary>
    public int this[int index] => index < Dims.Count ? Dims[index] : 1;

    /// <summary>Like <c>1x3x224x224</c>.</summary>
    public override string ToString() => string.Join("x", Dims);
}

/// <summary>Weight facts of a Conv or Gemm layer.</summary>
internal sealed record WeightsSpec(
    int Rows, int Columns, string Scheme, double Sparsity, long NonZeros, int GroupSize, string Format,
    BlobRef? WeightsBlob, BlobRef? BiasBlob, EquatableArray<NonZeroSpec> Unrolled);

/// <summary>Where an array lives in the weight blob.</summary>
internal sealed record BlobRef(long Offset, long Length, string Format);

/// <summary>One kept weight of an unrolled layer with its exact bits.</summary>
internal readonly record struct NonZeroSpec(int Row, int Column, uint Bits);

/// <summary>What parsing one manifest produced: a model, or diagnostics, or both (warnings).</summary>
internal sealed record ManifestResult(ModelSpec? Model, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>A diagnostic kept as plain data (a <c>Location</c> is not equatable across runs).</summary>
internal sealed record DiagnosticInfo(string Id, string FilePath, int Line, int LineLength, EquatableArray<string> Arguments);
