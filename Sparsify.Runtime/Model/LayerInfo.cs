using Sparsify.Runtime.Manifests;

namespace Sparsify.Runtime;

/// <summary>
/// One layer of a generated model as its <c>Layers</c> table lists it: what it computes, how sparse it
/// is, how its weights are stored and how it runs, with the planner's reason.
/// </summary>
/// <param name="Name">The layer's name in the model.</param>
/// <param name="Op">The ONNX op type (Conv, Gemm, MaxPool, …).</param>
/// <param name="InputShapes">Shapes of its inputs, batch first.</param>
/// <param name="OutputShape">Shape of its output, batch first.</param>
/// <param name="Sparsity">Fraction of weights removed (0 for layers without weights).</param>
/// <param name="NonZeros">Weights kept (0 for layers without weights).</param>
/// <param name="Format">How the weights are stored: dense, csr, group, unrolled, or none.</param>
/// <param name="Plan">How the layer runs.</param>
/// <param name="Reason">Why the planner chose <paramref name="Plan"/>.</param>
public sealed record LayerInfo(
    string Name, string Op, IReadOnlyList<IReadOnlyList<int>> InputShapes, IReadOnlyList<int> OutputShape,
    double Sparsity, long NonZeros, string Format, LayerExecution Plan, string Reason);
