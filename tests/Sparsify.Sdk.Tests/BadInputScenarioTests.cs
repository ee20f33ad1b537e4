using Sparsify.Training.Models;
using Sparsify.Core.Onnx;

namespace Sparsify.Sdk.Tests;

/// <summary>Bad models and settings fail the consumer's build with their codes and leave nothing behind.</summary>
[TestClass]
[TestCategory("Scenario")]
public sealed class BadInputScenarioTests
{
    [TestMethod]
    public void EachBadItemGetsItsCodeAndFileAndNoOutputs()
    {
        var items = """
            <SparsifyModel Include="missing.onnx" />
            <SparsifyModel Include="garbage.onnx" />
            <SparsifyModel Include="lenet.onnx" ClassName="BadScheme" Scheme="bogus" />
            <SparsifyModel Include="lenet.onnx" ClassName="Twin" />
            <SparsifyModel Include="lenet-copy.onnx" ClassName="Twin" />
            <SparsifyModel Include="lenet.onnx" ClassName="NoPattern" Scheme="nm" Sparsity="0.9" M="4" />
            <SparsifyModel Include="lenet.onnx" ClassName="Good" Sparsity="0.5" />
            """;
        var app = PackageFeed.CreateConsumer("BadInputs", items, "Console.WriteLine();\n");
        OnnxModel.Save(ModelBuilders.LeNet5(), Path.Combine(app.Folder, "lenet.onnx"));
        OnnxModel.Save(ModelBuilders.LeNet5(), Path.Combine(app.Folder, "lenet-copy.onnx"));
        File.WriteAllBytes(Path.Combine(app.Folder, "garbage.onnx"), [0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]);

        var build = app.Build();
        Assert.AreNotEqual(0, build.ExitCode, $"the build did not fail: {build}");
        var errors = build.Output.Split('\n').Where(l => l.Contains(": error SPRS", StringComparison.Ordinal)).ToArray();
        AssertError(errors, "SPRS1001", "missing.onnx", build);
        AssertError(errors, "SPRS1002", "garbage.onnx", build);
        AssertError(errors, "SPRS1003", "lenet.onnx", build, "Scheme");
        AssertError(errors, "SPRS1004", "lenet-copy.onnx", build, "Twin");
        AssertError(errors, "SPRS1005", "lenet.onnx", build);

        // Only the good item's three files (and their compile record) exist, whole; the failed run left no output list.
        CollectionAssert.AreEqual(
            new[] { "BadInputs.Good.inputs", "BadInputs.Good.manifest", "BadInputs.Good.report.txt", "BadInputs.Good.weights.bin" },
            app.OutputFiles(),
            $"unexpected files in {app.OutputDirectory}: {string.Join(", ", app.OutputFiles())}");
        Assert.IsFalse(File.Exists(app.OutputList), "a failed compile left the output list");
        StringAssert.StartsWith(File.ReadAllText(Path.Combine(app.OutputDirectory, "BadInputs.Good.manifest")), "sparsify-manifest ");
    }

    [TestMethod]
    public void ExcludingTheGeneratorFailsWithSprs1008()
    {
        var app = PackageFeed.CreateConsumer("NoGenerator", "<SparsifyModel Include=\"lenet.onnx\" />", "Console.WriteLine();\n");
        OnnxModel.Save(ModelBuilders.LeNet5(), Path.Combine(app.Folder, "lenet.onnx"));

        // A build step that drops the package's generator from the compiler's analyzers.
        File.WriteAllText(Path.Combine(app.Folder, "Directory.Build.targets"), """
            <Project>
              <Target Name="DropSparsifyGenerator" AfterTargets="ResolveLockFileAnalyzers">
                <ItemGroup>
                  <Analyzer Remove="@(Analyzer)" Condition="'%(Filename)' == 'Sparsify.Generators'" />
                </ItemGroup>
              </Target>
            </Project>

            """);
        var build = app.Build();
        Assert.AreNotEqual(0, build.ExitCode, $"the build did not fail: {build}");
        AssertError(build.Output.Split('\n'), "SPRS1008", "lenet.onnx", build, "Sparsify.Generators");
    }

    [TestMethod]
    public void AModelRestoredWithAnOlderTimeStampIsAStaleManifestNotAnOldModel()
    {
        var app = PackageFeed.CreateConsumer("Restored", "<SparsifyModel Include=\"lenet.onnx\" Sparsity=\"0.5\" />", "Console.WriteLine();\n");
        var model = Path.Combine(app.Folder, "lenet.onnx");
        OnnxModel.Save(ModelBuilders.LeNet5(seed: 1), model);
        var first = app.Build();
        Assert.AreEqual(0, first.ExitCode, $"build failed: {first}");

        // Another model with a time stamp older than the outputs: MSBuild sees nothing to recompile.
        OnnxModel.Save(ModelBuilders.LeNet5(seed: 2), model);
        File.SetLastWriteTimeUtc(model, DateTime.UtcNow.AddDays(-1));
        var stale = app.Build();
        Assert.AreNotEqual(0, stale.ExitCode, $"the build did not fail: {stale}");
        AssertError(stale.Output.Split('\n'), "SPRS2011", "Restored.Lenet.manifest", stale, "rebuild the model");

        // As the message says: touching the model recompiles it.
        File.SetLastWriteTimeUtc(model, DateTime.UtcNow);
        var rebuilt = app.Build();
        Assert.AreEqual(0, rebuilt.ExitCode, $"build failed after touching the model: {rebuilt}");
    }

    private static void AssertError(IEnumerable<string> lines, string code, string file, CliResult build, string? text = null)
    {
        var line = lines.FirstOrDefault(l => l.Contains($"error {code}", StringComparison.Ordinal) && l.Contains(file, StringComparison.Ordinal));
        Assert.IsNotNull(line, $"no {code} error at {file}: {build}");
        if (text is not null)
        {
            StringAssert.Contains(line, text, line);
        }
    }
}
