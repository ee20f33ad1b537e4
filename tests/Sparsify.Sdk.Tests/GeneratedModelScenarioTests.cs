using System.Globalization;
using Sparsify.Core.Compilation;
using Sparsify.Core.Execution;
using Sparsify.Training.Models;
using Sparsify.Core.Onnx;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Sdk.Tests;

/// <summary>
/// The generated code, built through the package by a real consumer, against the reference executor
/// on the same pruned weights: every plan (dense, table-driven, unrolled) and two schemes.
/// </summary>
[TestClass]
[TestCategory("Scenario")]
public sealed class GeneratedModelScenarioTests
{
    // ClassName, item metadata, the same settings as compile options.
    private static readonly (string Class, string Metadata, CompileOptions Options)[] Variants =
    [
        ("Dense", "Sparsity=\"0\"", new CompileOptions { Sparsity = 0 }),
        ("Locality50", "Sparsity=\"0.5\"", new CompileOptions { Sparsity = 0.5 }),
        ("Locality90", "Sparsity=\"0.9\"", new CompileOptions { Sparsity = 0.9 }),
        ("Unstructured90", "Scheme=\"unstructured\" Sparsity=\"0.9\"", new CompileOptions { Scheme = "unstructured", Sparsity = 0.9 }),
        ("Table90", "Sparsity=\"0.9\" LayerPlan=\"conv2=SparseTable;fc1=SparseTable;fc2=SparseTable\"", new CompileOptions
        {
            Sparsity = 0.9,
            PlanOverrides = new Dictionary<string, LayerExecution> { ["conv2"] = LayerExecution.SparseTable, ["fc1"] = LayerExecution.SparseTable, ["fc2"] = LayerExecution.SparseTable },
        }),
        ("UnstructuredTable90", "Scheme=\"unstructured\" Sparsity=\"0.9\" LayerPlan=\"conv2=SparseTable;fc1=SparseTable\"", new CompileOptions
        {
            Scheme = "unstructured",
            Sparsity = 0.9,
            PlanOverrides = new Dictionary<string, LayerExecution> { ["conv2"] = LayerExecution.SparseTable, ["fc1"] = LayerExecution.SparseTable },
        }),
    ];

    [TestMethod]
    public void GeneratedClassesMatchTheReferenceExecutorOnThePrunedWeights()
    {
        var items = string.Join("\n", Variants.Select(v => $"<SparsifyModel Include=\"lenet.onnx\" ClassName=\"{v.Class}\" {v.Metadata} />"));
        var program = "using System.Globalization;\n"
            + "var input = File.ReadAllBytes(args[0]);\n"
            + "var values = new float[input.Length / 4];\n"
            + "Buffer.BlockCopy(input, 0, values, 0, input.Length);\n"
            + string.Concat(Variants.Select(v =>
                $"Console.WriteLine(\"{v.Class} \" + string.Join(' ', new Models.{v.Class}(threads: 2).Run(values).Select(x => BitConverter.SingleToUInt32Bits(x).ToString(\"x8\", CultureInfo.InvariantCulture))));\n"));
        var app = PackageFeed.CreateConsumer("Models", items, program);
        OnnxModel.Save(ModelBuilders.LeNet5(), Path.Combine(app.Folder, "lenet.onnx"));

        var build = app.Build();
        Assert.AreEqual(0, build.ExitCode, $"build failed: {build}");

        var random = new Random(5);
        var input = Enumerable.Range(0, 28 * 28).Select(_ => (float)random.NextDouble()).ToArray();
        var inputFile = Path.Combine(app.Folder, "input.bin");
        var bytes = new byte[input.Length * 4];
        Buffer.BlockCopy(input, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(inputFile, bytes);
        var run = app.Run(inputFile);
        Assert.AreEqual(0, run.ExitCode, $"the consumer failed: {run}");

        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var (name, _, options) in Variants)
        {
            var graph = ModelBuilders.LeNet5();
            ModelCompiler.Compile(graph, options); // prunes in place: the reference runs the same weights
            var expected = new ReferenceExecutor(graph).Run(input);
            var line = lines.SingleOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal));
            Assert.IsNotNull(line, $"no output for {name}: {run}");
            var actual = line.Split(' ')[1..].Select(h => BitConverter.UInt32BitsToSingle(uint.Parse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture))).ToArray();
            Assert.AreEqual(expected.Length, actual.Length, name);
            var scale = expected.Max(Math.Abs);
            var worst = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
            Assert.IsTrue(worst <= 1e-4 * scale, $"{name}: max |diff| {worst} > 1e-4 x max |output| {scale}");
        }
    }
}
