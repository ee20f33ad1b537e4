using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Sparsify.Training.Models;
using Sparsify.Core.Onnx;

namespace Sparsify.Sdk.Tests;

/// <summary>
/// The life of one consumer project that takes Sparsify.Sdk by PackageReference: first build, no-op
/// rebuild, metadata change, clean, bad metadata.
/// </summary>
[TestClass]
[TestCategory("Scenario")]
public sealed class ConsumerScenarioTests
{
    private const string Program = """
        var model = new LeNetApp.Lenet();
        var output = model.Run(new float[LeNetApp.Lenet.InputLength]);
        Console.WriteLine($"outputs {output.Length}, layers {LeNetApp.Lenet.Layers.Count}");

        """;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void ConsumerBuildCompilesEmbedsSkipsRerunsAndReportsBadMetadata()
    {
        var app = PackageFeed.CreateConsumer("LeNetApp", Item("Sparsity=\"0.9\""), Program);
        OnnxModel.Save(ModelBuilders.LeNet5(), Path.Combine(app.Folder, "lenet.onnx"));
        var manifest = Path.Combine(app.OutputDirectory, "LeNetApp.Lenet.manifest");
        var blob = Path.Combine(app.OutputDirectory, "LeNetApp.Lenet.weights.bin");
        var report = Path.Combine(app.OutputDirectory, "LeNetApp.Lenet.report.txt");
        var times = new List<string> { $"pack {PackageFeed.PackTime.TotalSeconds:0.0} s" };

        // 1. Happy path: the outputs appear, the manifest goes to the compiler, the blob is embedded,
        //    the generated class compiles and runs.
        var first = Timed(app.Build(), times, "first");
        Assert.AreEqual(0, first.ExitCode, $"first build failed: {first}");
        StringAssert.Contains(first.Output, "Sparsify: LeNet5", first.ToString());
        Assert.IsTrue(File.Exists(manifest) && File.Exists(blob) && File.Exists(report), $"outputs missing in {app.OutputDirectory}: {first}");
        StringAssert.Contains(first.Output, "/additionalfile:" + manifest, "the manifest is not an AdditionalFiles item of the compilation");
        CollectionAssert.Contains(ResourceNames(app.Assembly), "Sparsify.LeNetApp.Lenet.weights.bin");
        CollectionAssert.Contains(ResourceNames(app.Assembly), "Sparsify.LeNetApp.Lenet.manifest");
        var run = app.Run();
        Assert.AreEqual(0, run.ExitCode, $"the consumer failed to run: {run}");
        StringAssert.Contains(run.Output, "outputs 10, layers ", run.ToString());
        var firstWrite = File.GetLastWriteTimeUtc(manifest);

        // 2. No-op rebuild: the compile target is skipped, the outputs are untouched and still embedded.
        var second = Timed(app.Build(), times, "no-op");
        Assert.AreEqual(0, second.ExitCode, $"no-op build failed: {second}");
        StringAssert.Contains(second.Output, "Skipping target \"SparsifyCompileModels\"", second.ToString());
        Assert.IsFalse(second.Output.Contains("Sparsify: LeNet5", StringComparison.Ordinal), $"the task ran on a no-op build: {second}");
        Assert.AreEqual(firstWrite, File.GetLastWriteTimeUtc(manifest), "the no-op build rewrote the manifest");
        CollectionAssert.Contains(ResourceNames(app.Assembly), "Sparsify.LeNetApp.Lenet.weights.bin");

        // 3. A metadata change re-runs it.
        app.WriteProject(Item("Sparsity=\"0.5\""));
        var third = Timed(app.Build(), times, "metadata change");
        Assert.AreEqual(0, third.ExitCode, $"build after the metadata change failed: {third}");
        Assert.IsFalse(third.Output.Contains("Skipping target \"SparsifyCompileModels\"", StringComparison.Ordinal), $"the metadata change did not re-run the compile: {third}");
        StringAssert.Contains(third.Output, " 0.5000 ", $"the per-layer table does not show the new sparsity: {third}");
        Assert.AreNotEqual(firstWrite, File.GetLastWriteTimeUtc(manifest), "the manifest was not rewritten");

        // 4. A changed model file re-runs it too.
        var beforeModelChange = File.GetLastWriteTimeUtc(manifest);
        OnnxModel.Save(ModelBuilders.LeNet5(seed: 7), Path.Combine(app.Folder, "lenet.onnx"));
        var fourth = Timed(app.Build(), times, "model change");
        Assert.AreEqual(0, fourth.ExitCode, $"build after the model change failed: {fourth}");
        Assert.AreNotEqual(beforeModelChange, File.GetLastWriteTimeUtc(manifest), $"the model change did not re-run the compile: {fourth}");

        // 5. dotnet clean removes the outputs (they are FileWrites).
        var clean = Timed(DotnetCli.Run(app.Folder, PackageFeed.Timeout, "clean"), times, "clean");
        Assert.AreEqual(0, clean.ExitCode, $"dotnet clean failed: {clean}");
        Assert.IsFalse(File.Exists(manifest) || File.Exists(blob) || File.Exists(report), $"dotnet clean left outputs in {app.OutputDirectory}");

        // 6. A bad value fails the build with SPRS1003 against the model file, and leaves no output list
        //    that a later build could take for an up-to-date run.
        app.WriteProject(Item("Sparsity=\"1.5\""));
        var fifth = Timed(app.Build(), times, "bad metadata");
        Assert.AreNotEqual(0, fifth.ExitCode, $"a Sparsity of 1.5 did not fail the build: {fifth}");
        var error = fifth.Output.Split('\n').FirstOrDefault(l => l.Contains("error SPRS1003", StringComparison.Ordinal));
        Assert.IsNotNull(error, $"no SPRS1003 error: {fifth}");
        StringAssert.Contains(error, "lenet.onnx");
        StringAssert.Contains(error, "Sparsity");
        Assert.IsFalse(File.Exists(manifest), "a failed compile left a manifest");
        Assert.IsFalse(File.Exists(app.OutputList), "a failed compile left the output list");

        TestContext.WriteLine(string.Join("; ", times));
    }

    /// <summary>
    /// The path Visual Studio's MSBuild (which cannot load the .NET task) takes, forced here: the same
    /// compile as a separate .NET process, its diagnostics logged with their codes and files.
    /// </summary>
    [TestMethod]
    public void OutOfProcessCompileBuildsRunsAndReportsBadInput()
    {
        var app = PackageFeed.CreateConsumer("OutOfProcess", "<SparsifyModel Include=\"lenet.onnx\" ClassName=\"Lenet\" Sparsity=\"0.9\" />",
            "Console.WriteLine($\"outputs {new OutOfProcess.Lenet().Run(new float[OutOfProcess.Lenet.InputLength]).Length}\");\n");
        OnnxModel.Save(ModelBuilders.LeNet5(), Path.Combine(app.Folder, "lenet.onnx"));

        var build = app.Build("-p:SparsifyCompileOutOfProcess=true");
        Assert.AreEqual(0, build.ExitCode, $"build failed: {build}");
        StringAssert.Contains(build.Output, "Sparsify.Compiler.dll", build.ToString());
        StringAssert.Contains(build.Output, "Sparsify: LeNet5", build.ToString());
        Assert.IsTrue(File.Exists(Path.Combine(app.OutputDirectory, "OutOfProcess.Lenet.manifest")), build.ToString());
        var run = app.Run();
        Assert.AreEqual(0, run.ExitCode, $"the consumer failed: {run}");
        StringAssert.Contains(run.Output, "outputs 10", run.ToString());

        app.WriteProject("<SparsifyModel Include=\"lenet.onnx\" ClassName=\"Lenet\" Sparsity=\"1.5\" />");
        var bad = app.Build("-p:SparsifyCompileOutOfProcess=true");
        Assert.AreNotEqual(0, bad.ExitCode, $"the build did not fail: {bad}");
        var error = bad.Output.Split('\n').FirstOrDefault(l => l.Contains("error SPRS1003", StringComparison.Ordinal) && l.Contains("lenet.onnx", StringComparison.Ordinal));
        Assert.IsNotNull(error, $"no SPRS1003 at lenet.onnx: {bad}");
        StringAssert.Contains(error, "Sparsity", error);
    }

    [TestMethod]
    public void TouchingOneOfTwoModelsRecompilesThatOneAndTheExtensionTargetsRun()
    {
        var items = "<SparsifyModel Include=\"first.onnx\" Sparsity=\"0.5\" />\n<SparsifyModel Include=\"second.onnx\" Sparsity=\"0.5\" />";
        var app = PackageFeed.CreateConsumer("TwoModels", items, "Console.WriteLine(TwoModels.First.OutputLength + TwoModels.Second.OutputLength);\n");
        OnnxModel.Save(ModelBuilders.LeNet5(seed: 1), Path.Combine(app.Folder, "first.onnx"));
        OnnxModel.Save(ModelBuilders.LeNet5(seed: 2), Path.Combine(app.Folder, "second.onnx"));
        File.WriteAllText(Path.Combine(app.Folder, "Directory.Build.targets"), """
            <Project>
              <Target Name="ShowBefore" BeforeTargets="SparsifyBeforeCompile">
                <Message Importance="high" Text="before-compile hook" />
              </Target>
              <Target Name="ShowAfter" AfterTargets="SparsifyAfterCompile">
                <Message Importance="high" Text="after-compile hook: @(SparsifyManifest->'%(Filename)', ' ')" />
              </Target>
            </Project>
            """);

        var first = app.Build();
        Assert.AreEqual(0, first.ExitCode, $"build failed: {first}");
        StringAssert.Contains(first.Output, "before-compile hook", first.ToString());
        StringAssert.Contains(first.Output, "after-compile hook: TwoModels.First TwoModels.Second", first.ToString());
        var firstManifest = Path.Combine(app.OutputDirectory, "TwoModels.First.manifest");
        var secondManifest = Path.Combine(app.OutputDirectory, "TwoModels.Second.manifest");
        var (firstWrite, secondWrite) = (File.GetLastWriteTimeUtc(firstManifest), File.GetLastWriteTimeUtc(secondManifest));

        // The second model changes: it alone compiles; the first is kept, and both are still compiled in.
        OnnxModel.Save(ModelBuilders.LeNet5(seed: 3), Path.Combine(app.Folder, "second.onnx"));
        var second = app.Build();
        Assert.AreEqual(0, second.ExitCode, $"build failed: {second}");
        StringAssert.Contains(second.Output, "Sparsify: TwoModels.First is up to date", second.ToString());
        StringAssert.Contains(second.Output, "-> " + secondManifest, second.ToString());
        Assert.AreEqual(firstWrite, File.GetLastWriteTimeUtc(firstManifest), "the unchanged model was compiled again");
        Assert.AreNotEqual(secondWrite, File.GetLastWriteTimeUtc(secondManifest), "the changed model was not compiled again");
        StringAssert.Contains(second.Output, "after-compile hook: TwoModels.First TwoModels.Second", second.ToString());
        var run = app.Run();
        Assert.AreEqual(0, run.ExitCode, $"the consumer failed: {run}");
        StringAssert.Contains(run.Output, "20", run.ToString());
    }

    private static string Item(string metadata) => $"<SparsifyModel Include=\"lenet.onnx\" {metadata} />";

    private static CliResult Timed(CliResult result, List<string> times, string what)
    {
        times.Add($"{what} {result.Elapsed.TotalSeconds:0.0} s");
        return result;
    }

    internal static List<string> ResourceNames(string assembly)
    {
        using var pe = new PEReader(File.OpenRead(assembly));
        var reader = pe.GetMetadataReader();
        return reader.ManifestResources.Select(h => reader.GetString(reader.GetManifestResource(h).Name)).ToList();
    }
}
