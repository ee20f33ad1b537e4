using Sparsify.Core.Compilation;
using Sparsify.Training.Models;
using Sparsify.Core.Sparsity;
using Sparsify.Runtime.Blob;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Core.Tests.Compilation;

[TestClass]
public sealed class ModelCompilerTests
{
    [TestMethod]
    [DataRow("locality", 0.0)]
    [DataRow("locality", 0.5)]
    [DataRow("locality", 0.9)]
    [DataRow("unstructured", 0.0)]
    [DataRow("unstructured", 0.5)]
    [DataRow("unstructured", 0.9)]
    public void LeNet5CompilesRoundTripsAndKeepsWeightsExactly(string scheme, double sparsity)
    {
        var graph = ModelBuilders.LeNet5();
        var compiled = ModelCompiler.Compile(graph, new CompileOptions { Scheme = scheme, Sparsity = sparsity });

        Assert.AreEqual(compiled.Manifest, ManifestReader.Read(compiled.ManifestText));
        CompiledModelAssert.WeightsMatch(graph, compiled);
        Assert.AreEqual(graph.Layers.Count, compiled.Manifest.Layers.Count);
        Assert.IsTrue(compiled.ManifestText.StartsWith("sparsify-manifest 4\n", StringComparison.Ordinal));
    }

    [TestMethod]
    [DataRow("locality", 0.9)]
    [DataRow("unstructured", 0.9)]
    [DataRow("locality", 0.5)]
    [DataRow("unstructured", 0.0)]
    public void LeNet5WithTablesInsteadOfUnrollingKeepsWeightsExactly(string scheme, double sparsity)
    {
        var graph = ModelBuilders.LeNet5();
        var options = new CompileOptions { Scheme = scheme, Sparsity = sparsity, Planner = new PlannerOptions { UnrollBudget = 100 } };
        var compiled = ModelCompiler.Compile(graph, options);

        CompiledModelAssert.WeightsMatch(graph, compiled);
        if (sparsity >= 0.5)
        {
            var fc1 = compiled.Manifest.Layers.Single(l => l.Name == "fc1");
            Assert.AreEqual(LayerExecution.SparseTable, fc1.Plan);
            Assert.AreEqual(scheme == "locality" ? "group" : "csr", fc1.Weights!.Format);
        }
    }

    [TestMethod]
    [DataRow("locality", 0.0)]
    [DataRow("locality", 0.9)]
    [DataRow("unstructured", 0.9)]
    // AlexNet's 61 M weights take seconds to prune and decode: three points cover the dense, group and CSR paths at scale.
    public void AlexNetCompilesAndKeepsWeightsExactly(string scheme, double sparsity)
    {
        var graph = ModelBuilders.AlexNet();
        var compiled = ModelCompiler.Compile(graph, new CompileOptions { Scheme = scheme, Sparsity = sparsity });

        Assert.AreEqual(compiled.Manifest, ManifestReader.Read(compiled.ManifestText));
        CompiledModelAssert.WeightsMatch(graph, compiled);
        var lrn = compiled.Manifest.Layers.Single(l => l.Name == "norm1");
        Assert.AreEqual(5, ((LrnParameters)lrn.Parameters).Size);
        var conv2 = compiled.Manifest.Layers.Single(l => l.Name == "conv2");
        Assert.AreEqual(2, ((ConvParameters)conv2.Parameters).Group);
    }

    [TestMethod]
    public void CompilingTwiceGivesIdenticalBytes()
    {
        var options = new CompileOptions { Scheme = "locality", Sparsity = 0.9 };
        var first = ModelCompiler.Compile(ModelBuilders.LeNet5(), options);
        var second = ModelCompiler.Compile(ModelBuilders.LeNet5(), options);

        Assert.AreEqual(first.ManifestText, second.ManifestText);
        Assert.IsTrue(first.Blob.Span.SequenceEqual(second.Blob.Span));
        Assert.AreEqual(first.Report.ToText(), second.Report.ToText());
        Assert.AreEqual(first.Manifest, second.Manifest);
    }

    [TestMethod]
    public void PlanOverridesWinAndAreReported()
    {
        var graph = ModelBuilders.LeNet5();
        var overrides = new Dictionary<string, LayerExecution>
        {
            ["conv2"] = LayerExecution.Dense,
            ["fc1"] = LayerExecution.SparseTable,
            ["conv1"] = LayerExecution.SparseUnrolled,
        };
        var compiled = ModelCompiler.Compile(graph, new CompileOptions { Sparsity = 0.9, PlanOverrides = overrides });

        foreach (var (name, plan) in overrides)
        {
            var layer = compiled.Manifest.Layers.Single(l => l.Name == name);
            Assert.AreEqual(plan, layer.Plan, name);
            Assert.IsTrue(layer.Overridden, name);
            Assert.IsTrue(layer.Reason.StartsWith("override", StringComparison.Ordinal), layer.Reason);
        }

        Assert.IsFalse(compiled.Manifest.Layers.Single(l => l.Name == "fc2").Overridden);
        Assert.AreEqual("dense", compiled.Manifest.Layers.Single(l => l.Name == "conv2").Weights!.Format);
        StringAssert.Contains(compiled.Report.ToText(), "override: SparseTable");
        CompiledModelAssert.WeightsMatch(graph, compiled);
    }

    [TestMethod]
    public void BadOverridesAreRejected()
    {
        var pool = new Dictionary<string, LayerExecution> { ["pool1"] = LayerExecution.SparseTable };
        var unknown = new Dictionary<string, LayerExecution> { ["nope"] = LayerExecution.Dense };

        var e = Assert.ThrowsExactly<ArgumentException>(() => ModelCompiler.Compile(ModelBuilders.LeNet5(), new CompileOptions { Sparsity = 0.5, PlanOverrides = pool }));
        StringAssert.Contains(e.Message, "pool1");
        e = Assert.ThrowsExactly<ArgumentException>(() => ModelCompiler.Compile(ModelBuilders.LeNet5(), new CompileOptions { Sparsity = 0.5, PlanOverrides = unknown }));
        StringAssert.Contains(e.Message, "nope");
    }

    [TestMethod]
    public void PlannerFollowsItsCostModel()
    {
        var graph = ModelBuilders.LeNet5();
        var pruning = ModelPruner.Prune(graph, "locality", new ModelPruningOptions { Sparsity = 0.9, Allocation = SparsityAllocation.Uniform });
        var plans = LayerPlanner.Plan(graph, pruning.Report).ToDictionary(p => p.LayerName);

        Assert.AreEqual(LayerExecution.Dense, plans["conv1"].Execution);
        StringAssert.Contains(plans["conv1"].Reason, "dense SIMD");
        Assert.AreEqual("no weights", plans["pool1"].Reason);
        Assert.AreEqual(LayerExecution.SparseUnrolled, plans["conv2"].Execution);
        StringAssert.Contains(plans["conv2"].Reason, "register-blocked");

        // Fully connected layers have their own, smaller budget: each weight is used once per call.
        Assert.AreEqual(LayerExecution.SparseTable, plans["fc1"].Execution);
        StringAssert.Contains(plans["fc1"].Reason, $"unroll budget {PlannerOptions.Default.FullyConnectedUnrollBudget}");
        Assert.AreEqual(LayerExecution.SparseUnrolled, plans["fc2"].Execution);

        var tight = LayerPlanner.Plan(graph, pruning.Report, new PlannerOptions { UnrollBudget = 10, FullyConnectedUnrollBudget = 10, TinyLayerMacs = 10_000 }).ToDictionary(p => p.LayerName);
        Assert.AreEqual(LayerExecution.SparseTable, tight["conv2"].Execution);
        StringAssert.Contains(tight["conv2"].Reason, "unroll budget 10");
        Assert.AreEqual(LayerExecution.SparseTable, tight["fc1"].Execution);
        StringAssert.Contains(tight["fc1"].Reason, "unroll budget 10");
        Assert.AreEqual(LayerExecution.Dense, tight["fc2"].Execution);
        StringAssert.Contains(tight["fc2"].Reason, "tiny layer");
    }

    [TestMethod]
    public void ReportListsEveryLayerAndASummary()
    {
        var compiled = ModelCompiler.Compile(ModelBuilders.LeNet5(), new CompileOptions { Sparsity = 0.9 });
        var text = compiled.Report.ToText();

        StringAssert.StartsWith(text, compiled.Report.Summary);
        foreach (var layer in compiled.Manifest.Layers)
        {
            StringAssert.Contains(text, layer.Name);
        }

        StringAssert.Contains(compiled.Report.Summary, "locality");
        Assert.AreEqual("LeNet5", compiled.Manifest.ClassName);
        Assert.AreEqual("Lenet5Model", ModelCompiler.ClassNameOf("lenet5-model"));
        Assert.AreEqual("Model2net", ModelCompiler.ClassNameOf("2net"));
    }
}
