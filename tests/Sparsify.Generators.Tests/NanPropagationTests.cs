using Sparsify.Core.Execution;
using LayerExecution = Sparsify.Runtime.Manifests.LayerExecution;

namespace Sparsify.Generators.Tests;

/// <summary>
/// One NaN in a generated model's input gives NaN in the outputs where the reference executor gives it
/// (as ONNX Runtime does: ReLU and max pooling keep NaN), whatever the layers' plans; the other outputs
/// stay the reference's numbers.
/// </summary>
[TestClass]
public sealed class NanPropagationTests
{
    private const double Tolerance = 1e-4;

    [TestMethod]
    [DataRow("lenet5", 0.9, "locality", LayerExecution.Dense, null)]
    [DataRow("lenet5", 0.9, "locality", LayerExecution.SparseTable, null)]
    [DataRow("lenet5", 0.9, "locality", LayerExecution.SparseUnrolled, null)]
    // Sparse enough for fc1, with its fused ReLU, to be unrolled too.
    [DataRow("lenet5", 0.97, "locality", LayerExecution.SparseUnrolled, "fc1")]
    [DataRow("smallalexnet", 0.85, "locality", LayerExecution.SparseTable, null)]
    [DataRow("smallalexnet", 0.85, "locality", LayerExecution.SparseUnrolled, "fc6")]
    public void ANaNInTheInputGivesTheReferenceExecutorsNaNs(string model, double sparsity, string scheme, LayerExecution forced, string? unrolledWithRelu)
    {
        var graph = TestModels.Build(model);
        var compiled = TestModels.Compile(graph, sparsity, scheme, forced);
        Assert.IsTrue(compiled.Plans.Any(p => p.Execution == forced), $"no layer runs {forced}");
        if (unrolledWithRelu is not null)
        {
            Assert.AreEqual(LayerExecution.SparseUnrolled, compiled.Plans.Single(p => p.LayerName == unrolledWithRelu).Execution, unrolledWithRelu);
        }

        using var generated = GeneratedModel.Build(compiled, threads: 2);
        var shape = graph.Inputs[0].Shape;
        var input = CompileAndRunTests.Input(shape.ElementCount, seed: 11);

        // The middle pixel of the first channel: every layer's window over it is inside the image.
        input[(shape[2] / 2 * shape[3]) + (shape[3] / 2)] = float.NaN;
        AssertSameNaNs(new ReferenceExecutor(graph).Run(input), generated.Run(input));
    }

    [TestMethod]
    public void ANaNInTheResidualModelGivesTheReferenceExecutorsNaNs()
    {
        // Dense, table-driven and unrolled convolutions, Conv→Add→ReLU, fed layouts and a shortcut in its host's fork.
        var graph = TestModels.Residual();
        using var generated = GeneratedModel.Build(TestModels.CompileResidual(graph));
        var input = CompileAndRunTests.Input(64, seed: 5);
        input[27] = float.NaN;
        AssertSameNaNs(new ReferenceExecutor(graph).Run(input), generated.Run(input));
    }

    private static void AssertSameNaNs(float[] expected, float[] actual)
    {
        Assert.HasCount(expected.Length, actual);
        Assert.IsTrue(expected.Any(float.IsNaN), "the reference gives no NaN: the check would prove nothing");
        CollectionAssert.AreEqual(expected.Select(float.IsNaN).ToArray(), actual.Select(float.IsNaN).ToArray(), $"NaN outputs: expected [{string.Join(", ", expected)}], got [{string.Join(", ", actual)}]");
        var numbers = expected.Zip(actual).Where(p => !float.IsNaN(p.First)).ToArray();
        if (numbers.Length > 0)
        {
            var scale = Math.Max(numbers.Max(p => Math.Abs(p.First)), 1e-6f);
            var worst = numbers.Max(p => Math.Abs(p.First - p.Second));
            Assert.IsLessThanOrEqualTo(Tolerance * scale, worst, $"max |difference| {worst} vs max |output| {scale}");
        }
    }
}
