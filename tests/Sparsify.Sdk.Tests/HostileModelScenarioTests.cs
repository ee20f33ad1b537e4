using System.Text;
using Sparsify.Core.Ir;
using Sparsify.Training.Models;
using Sparsify.Core.Onnx;

namespace Sparsify.Sdk.Tests;

/// <summary>
/// The audit's reproduction, through the package: a model whose layer names are C# that would print to
/// the console if it reached the generated code unescaped, compiled at 90% so the layer is unrolled (its
/// name goes into a string literal of the generated constructor), built by a real consumer and run.
/// </summary>
[TestClass]
[TestCategory("Scenario")]
public sealed class HostileModelScenarioTests
{
    private const string Injection = "conv2\");}}static/**/void/**/M(){System.Console.WriteLine(\"INJECTED:\"+System.Environment.UserName);}static/**/int/**/X=Y();static/**/int/**/Y(){M();return/**/0;}//";

    [TestMethod]
    public void NamesThatHoldCodeBuildAndRunAsData()
    {
        var graph = new GraphBuilder("model \"quoted\"\nsecond line", new Shape(1, 1, 28, 28), seed: 3)
            .Conv("conv1 with space", 6, 5).Relu().MaxPool("pool1", 2, 2)
            .Conv(Injection, 16, 5).Relu().MaxPool("pool2\u2028#error", 2, 2)
            .FullyConnected("fc1*/</summary>", 120).Relu()
            .FullyConnected("fc2", 10)
            .Build();
        var program = "using System.Text;\n"
            + "foreach (var layer in HostileApp.Model.Layers)\n"
            + "{\n"
            + "    Console.WriteLine(layer.Plan + \" \" + Convert.ToBase64String(Encoding.UTF8.GetBytes(layer.Name)));\n"
            + "}\n"
            + "Console.WriteLine(\"outputs \" + new HostileApp.Model(threads: 2).Run(new float[HostileApp.Model.InputLength]).Length);\n";
        var app = PackageFeed.CreateConsumer("HostileApp", "<SparsifyModel Include=\"model.onnx\" Sparsity=\"0.9\" />", program);
        OnnxModel.Save(graph, Path.Combine(app.Folder, "model.onnx"));

        var build = app.Build();
        Assert.AreEqual(0, build.ExitCode, $"build failed: {build}");
        var run = app.Run();
        Assert.AreEqual(0, run.ExitCode, $"the consumer failed: {run}");

        Assert.DoesNotContain("INJECTED", run.Output, run.Output);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var layers = lines.Where(l => !l.StartsWith("outputs ", StringComparison.Ordinal))
            .Select(l => (Plan: l.Split(' ')[0], Name: Encoding.UTF8.GetString(Convert.FromBase64String(l.Split(' ')[1])))).ToArray();
        CollectionAssert.AreEqual(graph.Layers.Select(l => l.Name).ToArray(), layers.Select(l => l.Name).ToArray());
        Assert.AreEqual("SparseUnrolled", layers.Single(l => l.Name == Injection).Plan, "the injected name is the unrolled layer's, whose name reaches a string literal");
        CollectionAssert.Contains(lines, "outputs 10");
    }
}
