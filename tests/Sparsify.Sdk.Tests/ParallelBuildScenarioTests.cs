using Sparsify.Training.Models;
using Sparsify.Core.Onnx;

namespace Sparsify.Sdk.Tests;

/// <summary>Two consumers built at the same time keep to their own outputs.</summary>
[TestClass]
[TestCategory("Scenario")]
public sealed class ParallelBuildScenarioTests
{
    [TestMethod]
    public void TwoProjectsBuiltInParallelDoNotInterfere()
    {
        var projects = new[] { ("ParallelA", "0.5"), ("ParallelB", "0.9") }.Select(p =>
        {
            var program = $"var output = new {p.Item1}.Lenet().Run(new float[{p.Item1}.Lenet.InputLength]);\nConsole.WriteLine(\"ran \" + output.Length);\n";
            var app = PackageFeed.CreateConsumer(p.Item1, $"<SparsifyModel Include=\"lenet.onnx\" Sparsity=\"{p.Item2}\" />", program);
            OnnxModel.Save(ModelBuilders.LeNet5(), Path.Combine(app.Folder, "lenet.onnx"));
            return (App: app, Sparsity: p.Item2);
        }).ToArray();

        // Restore one after the other (they share a packages folder); build at the same time.
        foreach (var (app, _) in projects)
        {
            var restore = DotnetCli.Run(app.Folder, PackageFeed.Timeout, "restore");
            Assert.AreEqual(0, restore.ExitCode, $"restore failed: {restore}");
        }

        var builds = projects.Select(p => Task.Run(() => p.App.Build("--no-restore"))).ToArray();
        Task.WaitAll(builds);
        for (var i = 0; i < projects.Length; i++)
        {
            var (app, sparsity) = projects[i];
            var build = builds[i].Result;
            Assert.AreEqual(0, build.ExitCode, $"{app.Name} failed: {build}");
            var manifest = File.ReadAllText(Path.Combine(app.OutputDirectory, $"{app.Name}.Lenet.manifest"));
            var report = File.ReadAllText(Path.Combine(app.OutputDirectory, $"{app.Name}.Lenet.report.txt"));
            var achieved = double.Parse(report.Split("locality sparsity ")[1].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture);
            Assert.AreEqual(double.Parse(sparsity, System.Globalization.CultureInfo.InvariantCulture), achieved, 0.01, $"{app.Name} has another project's report: {report}");
            StringAssert.StartsWith(manifest, "sparsify-manifest ");
            CollectionAssert.AreEquivalent(new[] { $"Sparsify.{app.Name}.Lenet.manifest", $"Sparsify.{app.Name}.Lenet.weights.bin" }, ConsumerScenarioTests.ResourceNames(app.Assembly));
            var run = app.Run();
            Assert.AreEqual(0, run.ExitCode, $"{app.Name} failed to run: {run}");
            StringAssert.Contains(run.Output, "ran 10");
        }
    }
}
