using System.Runtime.InteropServices;
using Sparsify.Core.Onnx;
using Sparsify.Training.Models;

namespace Sparsify.Sdk.Tests;

/// <summary>A consumer project whose model item names calibration data, built by dotnet build as a user would.</summary>
[TestClass]
[TestCategory("Scenario")]
public sealed class CalibrationScenarioTests
{
    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void CalibrationDataPruneDataAwareRecompileWhenAddedToAndReportBadFiles(bool outOfProcess)
    {
        var name = outOfProcess ? "CalibratedTool" : "Calibrated";
        var app = PackageFeed.CreateConsumer(name, "<SparsifyModel Include=\"lenet.onnx\" ClassName=\"Lenet\" Sparsity=\"0.7\" Calibration=\"digits/*.f32\" />",
            $"Console.WriteLine($\"outputs {{new {name}.Lenet().Run(new float[{name}.Lenet.InputLength]).Length}}\");\n");
        OnnxModel.Save(ModelBuilders.LeNet5(), Path.Combine(app.Folder, "lenet.onnx"));
        var digits = Directory.CreateDirectory(Path.Combine(app.Folder, "digits")).FullName;
        for (var i = 0; i < 10; i++)
        {
            WriteDigit(Path.Combine(digits, $"digit{i}.f32"), i);
        }

        string[] extra = outOfProcess ? ["-p:SparsifyCompileOutOfProcess=true"] : [];
        var first = app.Build(extra);
        Assert.AreEqual(0, first.ExitCode, $"build failed: {first}");
        StringAssert.Contains(first.Output, "data-aware pruning on 8 calibration inputs; held-out fidelity on 2 inputs", first.ToString());
        var run = app.Run();
        Assert.AreEqual(0, run.ExitCode, $"the consumer failed: {run}");
        StringAssert.Contains(run.Output, "outputs 10", run.ToString());

        var unchanged = app.Build(extra);
        StringAssert.Contains(unchanged.Output, $"Sparsify: {name}.Lenet is up to date", unchanged.ToString());

        WriteDigit(Path.Combine(digits, "digit10.f32"), 10);
        var added = app.Build(extra);
        Assert.AreEqual(0, added.ExitCode, $"build failed: {added}");
        StringAssert.Contains(added.Output, "data-aware pruning on 9 calibration inputs", added.ToString());

        File.WriteAllBytes(Path.Combine(digits, "digit3.f32"), new byte[40]);
        var bad = app.Build(extra);
        Assert.AreNotEqual(0, bad.ExitCode, $"the build did not fail: {bad}");
        var error = bad.Output.Split('\n').FirstOrDefault(l => l.Contains("error SPRS1009", StringComparison.Ordinal) && l.Contains("lenet.onnx", StringComparison.Ordinal));
        Assert.IsNotNull(error, $"no SPRS1009 at lenet.onnx: {bad}");
        StringAssert.Contains(error, "digit3.f32", error);
        StringAssert.Contains(error, "Calibration", error);
        Assert.IsTrue(File.Exists(Path.Combine(app.OutputDirectory, $"{name}.Lenet.manifest")), "the previous outputs are kept");
    }

    private static void WriteDigit(string path, int seed)
    {
        var random = new Random(seed);
        var values = Enumerable.Range(0, 784).Select(p => (p / 28 + seed) % 4 == 0 ? (float)random.NextDouble() : 0f).ToArray();
        File.WriteAllBytes(path, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
    }
}
