using Sparsify.Core.Execution;
using Sparsify.Core.Ir;
using LayerExecution = Sparsify.Runtime.Manifests.LayerExecution;

namespace Sparsify.Generators.Tests;

/// <summary>
/// The real check: generated code, compiled and run, gives the reference executor's outputs on the same
/// pruned graph, for every plan, scheme and sparsity (tolerance 1e-4 of the largest |output|).
/// The small AlexNet keeps conv1 dense, which caps its global sparsity at about 0.856, so it runs at 0.85.
/// </summary>
[TestClass]
public sealed class CompileAndRunTests
{
    private const double Tolerance = 1e-4;

    [TestMethod]
    [DataRow("lenet5", 0.0, "locality", null)]
    [DataRow("lenet5", 0.5, "locality", null)]
    [DataRow("lenet5", 0.9, "locality", null)]
    [DataRow("lenet5", 0.5, "unstructured", null)]
    [DataRow("lenet5", 0.9, "unstructured", null)]
    [DataRow("lenet5", 0.9, "locality", LayerExecution.Dense)]
    [DataRow("lenet5", 0.9, "locality", LayerExecution.SparseTable)]
    [DataRow("lenet5", 0.9, "unstructured", LayerExecution.SparseTable)]
    [DataRow("lenet5", 0.9, "locality", LayerExecution.SparseUnrolled)]
    [DataRow("lenet5", 0.9, "unstructured", LayerExecution.SparseUnrolled)]
    [DataRow("lenet5", 0.5, "locality", LayerExecution.SparseUnrolled)]
    [DataRow("wide", 0.0, "unstructured", LayerExecution.SparseUnrolled)]
    [DataRow("wide", 0.3, "locality", LayerExecution.SparseUnrolled)]
    [DataRow("smallalexnet", 0.0, "locality", null)]
    [DataRow("smallalexnet", 0.5, "locality", null)]
    [DataRow("smallalexnet", 0.85, "locality", null)]
    [DataRow("smallalexnet", 0.85, "unstructured", null)]
    [DataRow("smallalexnet", 0.85, "locality", LayerExecution.Dense)]
    [DataRow("smallalexnet", 0.85, "locality", LayerExecution.SparseTable)]
    [DataRow("smallalexnet", 0.5, "unstructured", LayerExecution.SparseTable)]
    [DataRow("smallalexnet", 0.85, "locality", LayerExecution.SparseUnrolled)]
    [DataRow("smallalexnet", 0.5, "unstructured", LayerExecution.SparseUnrolled)]
    public void GeneratedCodeMatchesReferenceExecutor(string model, double sparsity, string scheme, LayerExecution? forced)
    {
        var graph = TestModels.Build(model);
        var compiled = TestModels.Compile(graph, sparsity, scheme, forced);
        if (forced is { } plan)
        {
            Assert.IsTrue(compiled.Plans.Any(p => p.Execution == plan), $"no layer runs {plan}");
        }

        using var generated = GeneratedModel.Build(compiled, threads: 2);
        var input = Input(graph.Inputs[0].Shape.ElementCount, seed: 11);
        var expected = new ReferenceExecutor(graph).Run(input);
        var actual = generated.Run(input);
        AssertClose(expected, actual);

        // A second run reuses the buffers and must give the same bits.
        CollectionAssert.AreEqual(actual, generated.Run(input));
    }

    [TestMethod]
    [DataRow("lenet5", 0.9, "locality", null)]
    [DataRow("smallalexnet", 0.85, "locality", null)]
    [DataRow("smallalexnet", 0.5, "unstructured", LayerExecution.SparseTable)]
    [DataRow("smallalexnet", 0.85, "locality", LayerExecution.Dense)]
    [DataRow("residual", 0.0, "", null)]
    public void RunAllocatesNothingAfterTheFirstCall(string model, double sparsity, string scheme, LayerExecution? forced)
    {
        var compiled = model == "residual" ? TestModels.CompileResidual(TestModels.Residual()) : TestModels.Compile(TestModels.Build(model), sparsity, scheme, forced);
        using var generated = GeneratedModel.Build(compiled, threads: 2);
        var input = Input((int)generated.Static("InputLength")!, seed: 3);
        Assert.AreEqual(0L, generated.AllocatedBytes(input, calls: 5));
    }

    [TestMethod]
    public void ResidualModelWithEveryPlanMatchesReference()
    {
        var graph = TestModels.Residual();
        var compiled = TestModels.CompileResidual(graph);
        using var generated = GeneratedModel.Build(compiled);
        var input = Input(64, seed: 5);
        AssertClose(new ReferenceExecutor(graph).Run(input), generated.Run(input));
    }

    [TestMethod]
    public void SparseConvolutionsWriteTheNextOnesInputLayouts()
    {
        // The residual model: a block's first convolution into its second, that one (fed itself) into the
        // next block's stride-2 convolution, which hosts the 1x1 shortcut and feeds its block's second one.
        using var residual = GeneratedModel.Build(TestModels.CompileResidual(TestModels.Residual()));
        StringAssert.Contains(residual.Source, "_stepConv2a = new SparseConvolutionStep(_driverConv2a, threads, activation: Activation.Relu, feeds: _driverConv2);");
        StringAssert.Contains(residual.Source, "_stepConv2 = new SparseConvolutionStep(_driverConv2, threads, activation: Activation.Relu, inputFed: true, feeds: _driverConv3a);");
        StringAssert.Contains(residual.Source, "_stepConv3a = new SparseConvolutionStep(_driverConv3a, threads, activation: Activation.Relu, inputFed: true, feeds: _driverConv3, companion: _driverConv3s);");
        StringAssert.Contains(residual.Source, "_stepConv3 = new SparseConvolutionStep(_driverConv3, threads, activation: Activation.Relu, inputFed: true);");

        // AlexNet's conv3 -> conv4 -> conv5 (grouped, stride 1), no tensor between them.
        var graph = TestModels.Build("smallalexnet");
        using var alexNet = GeneratedModel.Build(TestModels.Compile(graph, 0.85, "locality", null), threads: 2);
        StringAssert.Contains(alexNet.Source, "_stepConv3 = new SparseConvolutionStep(_driverConv3, threads, activation: Activation.Relu, feeds: _driverConv4);");
        StringAssert.Contains(alexNet.Source, "_stepConv4 = new SparseConvolutionStep(_driverConv4, threads, activation: Activation.Relu, inputFed: true, feeds: _driverConv5);");
        StringAssert.Contains(alexNet.Source, "_stepConv5 = new SparseConvolutionStep(_driverConv5, threads, activation: Activation.Relu, inputFed: true);");
        var input = Input(graph.Inputs[0].Shape.ElementCount, seed: 4);
        AssertClose(new ReferenceExecutor(graph).Run(input), alexNet.Run(input));
    }

    [TestMethod]
    public void ApiReportsShapesLayersAndRejectsWrongLengths()
    {
        var graph = TestModels.Residual();
        using var generated = GeneratedModel.Build(TestModels.CompileResidual(graph));
        Assert.AreEqual(64, generated.Static("InputLength"));
        Assert.AreEqual(10, generated.Static("OutputLength"));
        var layers = (IReadOnlyList<Sparsify.Runtime.LayerInfo>)generated.Static("Layers")!;
        CollectionAssert.AreEqual(graph.Layers.Select(l => l.Name).ToArray(), layers.Select(l => l.Name).ToArray());
        var conv2 = layers.Single(l => l.Name == "conv2");
        Assert.AreEqual(LayerExecution.SparseUnrolled, conv2.Plan);
        Assert.AreEqual("unrolled", conv2.Format);
        CollectionAssert.AreEqual(new[] { 1, 4, 4, 4 }, conv2.OutputShape.ToArray());
        Assert.AreEqual(LayerExecution.SparseTable, layers.Single(l => l.Name == "fc").Plan);
        Assert.ThrowsExactly<ArgumentException>(() => generated.Run(new float[63]));
    }

    [TestMethod]
    public void AnInstanceRefusesASecondCallWhileOneRuns()
    {
        var graph = TestModels.Residual();
        using var generated = GeneratedModel.Build(TestModels.CompileResidual(graph));
        var input = Input(64, seed: 9);
        var expected = generated.Run(input);

        // The state a call on another thread leaves while it runs.
        var running = generated.Type.GetField("_running", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        running.SetValue(generated.Instance, 1);
        var refused = Assert.ThrowsExactly<InvalidOperationException>(() => generated.Run(input));
        StringAssert.Contains(refused.Message, "one instance per thread");
        StringAssert.Contains(refused.Message, "'Residual'");

        // Once that call ends, the instance runs again, and a call that threw leaves it idle.
        running.SetValue(generated.Instance, 0);
        CollectionAssert.AreEqual(expected, generated.Run(input));
        Assert.ThrowsExactly<ArgumentException>(() => generated.Run(new float[63]));
        CollectionAssert.AreEqual(expected, generated.Run(input));
    }

    [TestMethod]
    public void OneInstanceOnEightThreadsGivesExactResultsOrRefuses()
    {
        var graph = TestModels.Residual();
        using var generated = GeneratedModel.Build(TestModels.CompileResidual(graph), threads: 2);
        var inputs = Enumerable.Range(0, 8).Select(i => Input(64, seed: 200 + i)).ToArray();
        var expected = inputs.Select(generated.Run).ToArray();
        var wrong = 0;
        Parallel.For(0, inputs.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            for (var repeat = 0; repeat < 50; repeat++)
            {
                try
                {
                    if (!generated.Run(inputs[i]).AsSpan().SequenceEqual(expected[i]))
                    {
                        Interlocked.Increment(ref wrong);
                    }
                }
                catch (InvalidOperationException)
                {
                    // Refused: another thread's call was running on the instance.
                }
            }
        });
        Assert.AreEqual(0, wrong, "a call returned another call's or a corrupted result");
        CollectionAssert.AreEqual(expected[0], generated.Run(inputs[0]));
    }

    [TestMethod]
    public void SeparateInstancesRunConcurrently()
    {
        var graph = TestModels.Residual();
        var compiled = TestModels.CompileResidual(graph);
        using var generated = GeneratedModel.Build(compiled);
        var inputs = Enumerable.Range(0, 8).Select(i => Input(64, seed: 100 + i)).ToArray();
        var expected = inputs.Select(i => new ReferenceExecutor(graph).Run(i)).ToArray();
        var results = new float[inputs.Length][];
        Parallel.For(0, inputs.Length, i =>
        {
            var model = Activator.CreateInstance(generated.Type, 1)!;
            var run = generated.Type.GetMethod("Run", [typeof(float[])])!;
            for (var repeat = 0; repeat < 20; repeat++)
            {
                results[i] = (float[])run.Invoke(model, [inputs[i]])!;
            }
        });
        for (var i = 0; i < inputs.Length; i++)
        {
            AssertClose(expected[i], results[i]);
        }
    }

    [TestMethod]
    public void GeneratedCodeCompilesWithoutWarningsAndWithFullDocs()
    {
        var compiled = TestModels.CompileResidual(TestModels.Residual());
        var parse = GeneratorHarness.ParseOptions.WithDocumentationMode(Microsoft.CodeAnalysis.DocumentationMode.Diagnose);
        var source = GeneratorHarness.Run(compiled.ManifestText).Result.GeneratedTrees.Single().ToString();
        var compilation = GeneratorHarness.Compilation().AddSyntaxTrees(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(source, parse));
        var problems = compilation.GetDiagnostics().Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).ToArray();
        Assert.IsEmpty(problems, string.Join("\n", problems.Take(10)));
    }

    [TestMethod]
    [DataRow("wide", 0.0, true)]
    [DataRow("lenet5", 0.9, false)]
    public void UnrolledMethodsStayUnderJitLimits(string model, double sparsity, bool expectSplit)
    {
        var compiled = TestModels.Compile(TestModels.Build(model), sparsity, "unstructured", LayerExecution.SparseUnrolled);
        using var generated = GeneratedModel.Build(compiled);
        var methods = generated.Type.GetMethods(System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)
            .Where(m => m.Name.StartsWith("Tile", StringComparison.Ordinal) || m.Name.StartsWith("Gemm", StringComparison.Ordinal))
            .Select(m => (m.Name, Body: m.GetMethodBody()!))
            .ToArray();
        Assert.AreEqual(expectSplit, methods.Any(m => m.Name.StartsWith("Tile", StringComparison.Ordinal) && m.Name.EndsWith("_1", StringComparison.Ordinal)), "whether a conv row group spans several methods");
        Assert.AreEqual(expectSplit, methods.Any(m => m.Name.StartsWith("Gemm", StringComparison.Ordinal) && m.Name.EndsWith("_1", StringComparison.Ordinal)), "whether a gemm spans several methods");
        foreach (var (name, body) in methods)
        {
            Assert.IsLessThan(60_000, body.GetILAsByteArray()!.Length, name);
            Assert.IsLessThan(2_000, body.LocalVariables.Count, name);
        }
    }

    [TestMethod]
    public void PortableTapDataHoldsTheUnrolledWeights()
    {
        // Without Vector256 hardware the unrolled layer runs the table-driven driver over this static data.
        var graph = TestModels.Residual();
        var compiled = TestModels.CompileResidual(graph);
        using var generated = GeneratedModel.Build(compiled);
        var method = generated.Type.GetMethod("PortableWeightsConv2", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        var csr = (Sparsify.Runtime.Formats.CsrLayer)method.Invoke(null, null)!;
        var conv2 = (Sparsify.Core.Ir.Layers.ConvLayer)graph.Layers.Single(l => l.Name == "conv2");
        CollectionAssert.AreEqual(conv2.Weights.Data, csr.Decode());
    }

    internal static float[] Input(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => random.NextSingle()).ToArray();
    }

    internal static void AssertClose(float[] expected, float[] actual)
    {
        Assert.HasCount(expected.Length, actual);
        var scale = Math.Max(expected.Max(Math.Abs), 1e-6f);
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.IsLessThanOrEqualTo(Tolerance * scale, worst, $"max |difference| {worst} vs max |output| {scale}");
    }
}
