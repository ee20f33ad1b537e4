using Sparsify.Core.Compilation;
using Sparsify.Training.Models;
using Sparsify.Hardware.Zc706.Anchors;
using Sparsify.Hardware.Zc706.Config;
using Sparsify.Hardware.Zc706.Exploration;
using Sparsify.Hardware.Zc706.Report;
using Sparsify.Hardware.Zc706.Simulation;

namespace Sparsify.Hardware.Tests;

[TestClass]
public sealed class ReportTests
{
    [TestMethod]
    public void ReportIsOneSelfContainedHtmlFileWithInlineCharts()
    {
        var graph = ModelBuilders.LeNet5(seed: 2);
        var network = TestModels.Import(ModelCompiler.Compile(graph, new CompileOptions { Sparsity = 0.8 }));
        var result = Zc706Simulator.Simulate(network, Zc706Config.Default);
        var small = new DesignSpace { PeCounts = [8, 16], PixelsPerPe = [4], GroupSizes = [8], WeightBram36PerPe = [8], InputBram36PerPe = [8], ClocksMHz = [150] };
        var exploration = DesignSpaceExplorer.Explore(_ => network, "locality", small, Zc706Config.Default);
        var path = Path.Combine(Path.GetTempPath(), $"zc706-report-{Guid.NewGuid():N}.html");
        try
        {
            HtmlReport.Write(path, result, [exploration], [new Comparison("anchor", 10, 11, "test")]);
            var html = File.ReadAllText(path);

            Assert.StartsWith("<!DOCTYPE html>", html);
            Assert.AreEqual(5, html.Split("<svg").Length - 1); // cycles, utilisation, roofline, heat map, design space
            Assert.DoesNotContain("src=", html);
            Assert.DoesNotContain("<link", html);
            StringAssert.Contains(html, "conv2");
            StringAssert.Contains(html, "DSP48E1");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void ExplorationDropsOverBudgetPointsAndSortsTheRestFastestFirst()
    {
        var graph = ModelBuilders.LeNet5(seed: 2);
        var network = TestModels.Import(ModelCompiler.Compile(graph, new CompileOptions { Sparsity = 0.8 }));
        var space = new DesignSpace { PeCounts = [8, 16, 64], PixelsPerPe = [2, 4], GroupSizes = [8], WeightBram36PerPe = [8], InputBram36PerPe = [8], ClocksMHz = [150, 200] };

        var x = DesignSpaceExplorer.Explore(_ => network, "locality", space, Zc706Config.Default);

        // 64 PEs never fit (64 × 20 BRAM36 > 545): all 4 of its points are over budget.
        Assert.IsGreaterThanOrEqualTo(4, x.OverBudget);
        Assert.AreEqual(12, x.Points.Count + x.OverBudget + x.OverClocked + x.DoesNotFit);
        Assert.IsTrue(x.Points.All(p => p.Resources.Fits));
        Assert.IsTrue(x.Points.Zip(x.Points.Skip(1)).All(p => p.First.Total.EffectiveGops >= p.Second.Total.EffectiveGops));
        Assert.AreEqual(x.Points[0], x.Best);
    }

    [TestMethod]
    public void ResultsJsonHasTheAnchorPaperAndBestFields()
    {
        var anchor = Zc706Results.RunQiu2016Anchor();
        var figures = new RunFigures("AlexNet", "locality", "c", 70, 270, 90, 360, 528, 338, 153_760, 150, 10, 5, 0, 1);

        var json = new Zc706Results([anchor], new PaperFigures(figures, 71.2, 271.6, "why"), [figures]).ToJson();

        using var document = System.Text.Json.JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.AreEqual("Qiu2016 VGG16 conv", root.GetProperty("anchors")[0].GetProperty("name").GetString());
        Assert.AreEqual(187.8, root.GetProperty("anchors")[0].GetProperty("publishedGops").GetDouble());
        Assert.AreEqual(anchor.ModeledGops, root.GetProperty("anchors")[0].GetProperty("modeledGops").GetDouble());
        foreach (var section in new[] { "paper", "best" })
        {
            foreach (var field in new[] { "effectiveGops", "denseEquivalentGops", "dsp", "bram36", "clockMHz" })
            {
                Assert.IsTrue(root.GetProperty(section).TryGetProperty(field, out _), $"{section}.{field}");
            }
        }
    }
}
