using System.Reflection;
using Sparsify.Core.Compilation;
using Sparsify.Core.Execution;
using Sparsify.Core.Onnx;

namespace Sparsify.Generators.Tests;

/// <summary>
/// The real ResNet18 (ImageNet weights) through the generated code: dense 7x7 stem, unrolled and
/// table-driven sparse blocks, downsampling shortcuts, block convolutions writing each other's input
/// layouts. Same pruned weights, same input: the reference executor's output within 1e-4 of its largest value.
/// </summary>
[TestClass]
[TestCategory("RealModel")]
public sealed class ResNet18Tests
{
    private static string ResNet18Path
    {
        get
        {
            var path = typeof(ResNet18Tests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ResNet18Path").Value!;
            Assert.IsTrue(File.Exists(path), $"ResNet18.onnx should come from the Microsoft.ML.DnnImageFeaturizer.ResNet18 package at {path}");
            return path;
        }
    }

    [TestMethod]
    [DataRow(0.0)]
    [DataRow(0.5)]
    [DataRow(0.9)]
    public void GeneratedResNet18MatchesTheReferenceExecutor(double sparsity)
    {
        var graph = OnnxModel.Load(ResNet18Path);
        var compiled = ModelCompiler.Compile(graph, new CompileOptions { Scheme = "locality", Sparsity = sparsity });
        using var generated = GeneratedModel.Build(compiled, threads: 2);
        var input = CompileAndRunTests.Input(graph.Inputs[0].Shape.ElementCount, seed: 21);
        var expected = new ReferenceExecutor(graph).Run(input);
        var actual = generated.Run(input);
        Assert.HasCount(expected.Length, actual);
        var scale = expected.Max(Math.Abs);
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.IsLessThanOrEqualTo(1e-4 * scale, worst, $"max |difference| {worst} vs max |output| {scale}");
        if (sparsity >= 0.5)
        {
            StringAssert.Contains(generated.Source, ", inputFed: true");
        }
    }
}
