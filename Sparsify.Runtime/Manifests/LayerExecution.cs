namespace Sparsify.Runtime.Manifests;

/// <summary>How one layer runs on the CPU target. Names are written into the manifest, so they must never change (linked into the generator).</summary>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
enum LayerExecution
{
    /// <summary>Dense loops over raw fp32 arrays (or no weights at all: pooling, ReLU, …).</summary>
    Dense,

    /// <summary>Loops specialised per layer shape over compressed arrays read from the weight blob.</summary>
    SparseTable,

    /// <summary>Nonzero weights and input offsets compiled into generated code as constants.</summary>
    SparseUnrolled,
}
