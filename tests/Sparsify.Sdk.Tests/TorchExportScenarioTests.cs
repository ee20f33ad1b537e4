using System.Globalization;
using Sparsify.Core.Compilation;
using Sparsify.Core.Execution;
using Sparsify.Core.Onnx;
using Sparsify.Core.Tests.Onnx;

namespace Sparsify.Sdk.Tests;

/// <summary>
/// Every model torch's exporter wrote for the fixtures, built through the package by a real consumer at
/// sparsity 0 and 0.7: dense against torch's own output, pruned against the reference executor on the
/// same pruned weights, each within 1e-4 of the largest output.
/// </summary>
[TestClass]
[TestCategory("Scenario")]
public sealed class TorchExportScenarioTests
{
    private const int Opset = 13;

    [TestMethod]
    public void EveryTorchFixtureBuildsThroughThePackageAndAgrees()
    {
        var variants = TorchFixtures.All.SelectMany(f => new[] { 0.0, 0.7 }.Select(s => (Fixture: f, Sparsity: s, Class: ClassOf(f.Name, s)))).ToArray();
        var items = string.Join("\n", variants.Select(v =>
            $"<SparsifyModel Include=\"{v.Fixture.Name}.onnx\" ClassName=\"{v.Class}\" Sparsity=\"{v.Sparsity.ToString(CultureInfo.InvariantCulture)}\" />"));
        var program = "using System.Globalization;\n"
            + "float[] Read(string path) { var b = File.ReadAllBytes(path); var v = new float[b.Length / 4]; Buffer.BlockCopy(b, 0, v, 0, b.Length); return v; }\n"
            + string.Concat(variants.Select(v =>
                $"Console.WriteLine(\"{v.Class} \" + string.Join(' ', new Models.{v.Class}(threads: 2).Run(Read(\"{v.Fixture.Name}.input.f32\")).Select(x => BitConverter.SingleToUInt32Bits(x).ToString(\"x8\", CultureInfo.InvariantCulture))));\n"));
        var app = PackageFeed.CreateConsumer("Models", items, program);
        foreach (var fixture in TorchFixtures.All)
        {
            File.Copy(fixture.ModelPath(Opset), Path.Combine(app.Folder, $"{fixture.Name}.onnx"));
            File.Copy(Path.Combine(TorchFixtures.Folder, $"{fixture.Name}.input.f32"), Path.Combine(app.Folder, $"{fixture.Name}.input.f32"));
        }

        var build = app.Build();
        Assert.AreEqual(0, build.ExitCode, $"build failed: {build}");
        var run = app.Run();
        Assert.AreEqual(0, run.ExitCode, $"the consumer failed: {run}");

        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var (fixture, sparsity, name) in variants)
        {
            float[] expected;
            if (sparsity == 0)
            {
                expected = fixture.TorchOutput(Opset);
            }
            else
            {
                var graph = OnnxModel.Load(fixture.ModelPath(Opset));
                ModelCompiler.Compile(graph, new CompileOptions { Sparsity = sparsity }); // prunes in place: the reference runs the same weights
                expected = new ReferenceExecutor(graph).Run([fixture.Input])[0].Data;
            }

            var line = lines.SingleOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal));
            Assert.IsNotNull(line, $"no output for {name}: {run}");
            var actual = line.Split(' ')[1..].Select(h => BitConverter.UInt32BitsToSingle(uint.Parse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture))).ToArray();
            Assert.HasCount(expected.Length, actual, name);
            var scale = expected.Max(Math.Abs);
            var worst = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
            Assert.IsLessThanOrEqualTo(1e-4 * scale, worst, $"{name}: max |diff| {worst} against max |output| {scale}");
        }
    }

    private static string ClassOf(string fixture, double sparsity) =>
        string.Concat(fixture.Split('-').Select(p => char.ToUpperInvariant(p[0]) + p[1..])) + (sparsity == 0 ? "Dense" : "Sparse70");
}
