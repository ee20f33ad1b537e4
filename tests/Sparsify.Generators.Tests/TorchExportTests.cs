using Sparsify.Core.Compilation;
using Sparsify.Core.Execution;
using Sparsify.Core.Onnx;
using Sparsify.Core.Tests.Onnx;

namespace Sparsify.Generators.Tests;

/// <summary>
/// Models from torch's own exporter (see scripts/export-torch-fixtures.py), compiled as a build
/// compiles them and run through the generated code: dense, the same as torch's recorded output;
/// pruned to 0.7, the same as the reference executor on the pruned graph.
/// </summary>
[TestClass]
public sealed class TorchExportTests
{
    public static IEnumerable<object[]> Cases => TorchFixtures.DenseAndPruned;

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void GeneratedCodeMatchesTheReference(string name, double sparsity)
    {
        var fixture = TorchFixtures.Named(name);
        var opset = fixture.Opsets.Max();
        var graph = OnnxModel.Load(fixture.ModelPath(opset));
        var compiled = ModelCompiler.Compile(graph, new CompileOptions { Scheme = "locality", Sparsity = sparsity });
        using var generated = GeneratedModel.Build(compiled, threads: 2);
        var input = fixture.Input.Data;

        var actual = generated.Run(input);

        var expected = sparsity == 0 ? fixture.TorchOutput(opset) : new ReferenceExecutor(graph).Run(input);
        CompileAndRunTests.AssertClose(expected, actual);
    }

    [TestMethod]
    [DataRow("attention")]
    [DataRow("broadcasting")]
    [DataRow("layer-norm-gelu")]
    public void StepsOfShapesAllocateNothingOnceWarm(string name)
    {
        var fixture = TorchFixtures.Named(name);
        var compiled = ModelCompiler.Compile(OnnxModel.Load(fixture.ModelPath(fixture.Opsets.Max())), new CompileOptions { Scheme = "locality", Sparsity = 0 });
        using var generated = GeneratedModel.Build(compiled, threads: 1);

        Assert.AreEqual(0L, generated.AllocatedBytes(fixture.Input.Data, calls: 3));
    }

    [TestMethod]
    public void ReluSixAfterAConvolutionRunsInItsEpilogue()
    {
        var fixture = TorchFixtures.Named("inverted-residual");
        var graph = OnnxModel.Load(fixture.ModelPath(fixture.Opsets.Max()));
        var dense = ModelCompiler.Compile(graph, new CompileOptions { Scheme = "locality", Sparsity = 0 });
        var pruned = ModelCompiler.Compile(OnnxModel.Load(fixture.ModelPath(fixture.Opsets.Max())), new CompileOptions { Scheme = "locality", Sparsity = 0.7 });
        using var denseModel = GeneratedModel.Build(dense, threads: 1);
        using var prunedModel = GeneratedModel.Build(pruned, threads: 1);

        StringAssert.Contains(denseModel.Source, "Activation.Clip(0f, 6f));");
        Assert.DoesNotContain("Elementwise.Clip(", denseModel.Source, "every Clip follows a convolution");
        StringAssert.Contains(prunedModel.Source, "activation: Activation.Clip(0f, 6f)");
    }

    [TestMethod]
    public void HardSwishAndSiluAfterAConvolutionRunInItsEpilogue()
    {
        var fixture = TorchFixtures.Named("squeeze-excitation");
        var compiled = ModelCompiler.Compile(OnnxModel.Load(fixture.ModelPath(fixture.Opsets.Max())), new CompileOptions { Scheme = "locality", Sparsity = 0 });
        using var model = GeneratedModel.Build(compiled, threads: 1);

        StringAssert.Contains(model.Source, "Activation.HardSwish(0.16666667f, 0.5f)");
        StringAssert.Contains(model.Source, "Activation.Swish");
    }

    [TestMethod]
    [DataRow(0.0)]
    [DataRow(0.7)]
    public void ASqueezeAndExcitationBlockRunsAsOneStep(double sparsity)
    {
        var fixture = TorchFixtures.Named("squeeze-excitation");
        var compiled = ModelCompiler.Compile(OnnxModel.Load(fixture.ModelPath(fixture.Opsets.Max())), new CompileOptions { Scheme = "locality", Sparsity = sparsity });
        using var model = GeneratedModel.Build(compiled, threads: 2);

        StringAssert.Contains(model.Source, "new SqueezeExcitation(");
        StringAssert.Contains(model.Source, "squeezeActivation: Activation.Relu,");
        StringAssert.Contains(model.Source, "gate: Activation.HardSigmoid(0.16666667f, 0.5f));");
        Assert.DoesNotContain("Pooling.GlobalAverage(1, 32,", model.Source, "the block's pool is part of its step");
        Assert.DoesNotContain("Elementwise.Multiply(", model.Source, "the block's Mul is part of its step");
        Assert.AreEqual(0L, model.AllocatedBytes(fixture.Input.Data, calls: 3));
    }
}
