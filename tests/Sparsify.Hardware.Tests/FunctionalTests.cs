using Sparsify.Core.Compilation;
using Sparsify.Core.Execution;
using Sparsify.Training.Models;
using Sparsify.Hardware.Zc706.Config;
using Sparsify.Hardware.Zc706.Functional;
using Sparsify.Hardware.Zc706.Network;
using Sparsify.Runtime.Blob;
using Sparsify.Hardware.Zc706.Simulation;

namespace Sparsify.Hardware.Tests;

[TestClass]
public sealed class FunctionalTests
{
    private static readonly Zc706Config Fp32 = Zc706Config.Default with { Arithmetic = Arithmetic.Fp32 };

    [TestMethod]
    [DataRow("locality")]
    [DataRow("unstructured")]
    public void LeNet5Fp32MatchesTheReferenceExecutor(string scheme)
    {
        var graph = ModelBuilders.LeNet5(seed: 5);
        var compiled = ModelCompiler.Compile(graph, new CompileOptions { Scheme = scheme, Sparsity = 0.8 });
        var input = TestModels.Input(graph, 11);
        var expected = new ReferenceExecutor(graph).Run(input);

        var result = Zc706Simulator.Simulate(TestModels.Import(compiled), Fp32, new SimulationOptions { Inputs = [input] });

        Assert.IsLessThanOrEqualTo(1e-5, TestModels.RelativeError(result.Outputs![0], expected));
    }

    [TestMethod]
    [DataRow("locality", 50_000)] // small layers unrolled into the manifest
    [DataRow("locality", 0)] // every sparse layer in the blob's group format
    [DataRow("unstructured", 0)] // CSR
    public void AlexNetSmallFp32MatchesTheReferenceExecutor(string scheme, int unrollBudget)
    {
        var graph = TestModels.AlexNetSmall();
        var compiled = ModelCompiler.Compile(graph, new CompileOptions { Scheme = scheme, Sparsity = 0.7, Planner = new PlannerOptions { UnrollBudget = unrollBudget } });
        var input = TestModels.Input(graph, 12);
        var expected = new ReferenceExecutor(graph).Run(input);

        var result = Zc706Simulator.Simulate(TestModels.Import(compiled), Fp32, new SimulationOptions { Inputs = [input] });

        Assert.IsLessThanOrEqualTo(1e-5, TestModels.RelativeError(result.Outputs![0], expected));
    }

    [TestMethod]
    public void TimingOnlyRunsNoMacsAndReturnsNoOutputs()
    {
        var graph = ModelBuilders.LeNet5(seed: 5);
        var compiled = ModelCompiler.Compile(graph, new CompileOptions { Sparsity = 0.8 });

        var result = Zc706Simulator.Simulate(TestModels.Import(compiled), Zc706Config.Default);

        Assert.IsNull(result.Outputs);
        Assert.IsGreaterThan(0L, result.Total.Cycles);
    }

    [TestMethod]
    [DataRow("locality")]
    [DataRow("unstructured")]
    public void PatternOnlyImportTimesExactlyLikeTheDecodedOne(string scheme)
    {
        // No unrolling: every sparse layer goes to the blob in its compressed format.
        var compiled = ModelCompiler.Compile(TestModels.AlexNetSmall(), new CompileOptions { Scheme = scheme, Sparsity = 0.8, Planner = new PlannerOptions { UnrollBudget = 0 } });
        var blob = new WeightBlobReader(compiled.Blob);

        var full = Zc706Simulator.Simulate(ManifestImporter.Import(compiled.Manifest, blob), Zc706Config.Default);
        var patterns = ManifestImporter.Import(compiled.Manifest, blob, withValues: false);
        var fast = Zc706Simulator.Simulate(patterns, Zc706Config.Default);

        Assert.IsTrue(patterns.Layers.Any(l => l.Weights is { Values: null, RowColumns: not null }));
        CollectionAssert.AreEqual(full.Layers.Select(l => (l.TotalCycles, l.NonZeroMacs, l.Traffic.Total)).ToArray(), fast.Layers.Select(l => (l.TotalCycles, l.NonZeroMacs, l.Traffic.Total)).ToArray());
        Assert.ThrowsExactly<InvalidOperationException>(() => Zc706Simulator.Simulate(patterns, Zc706Config.Default, new SimulationOptions { Inputs = [new float[3 * 39 * 39]] }));
    }

    [TestMethod]
    public void FixedPointConvolutionStaysWithinTheStatedBound()
    {
        // One conv layer: every output of the 16-bit run must lie within FixedPoint.ErrorBound of fp32.
        var graph = new GraphBuilder("OneConv", new Core.Ir.Shape(1, 4, 12, 12), 21).Conv("conv", 16, 3, pad: 1).Build();
        var compiled = ModelCompiler.Compile(graph, new CompileOptions { Scheme = "locality", Sparsity = 0.5, KeepFirstConvDense = false });
        var network = TestModels.Import(compiled);
        var input = TestModels.Input(graph, 4);
        var config = Zc706Config.Default;

        var fixedOut = Zc706Simulator.Simulate(network, config, new SimulationOptions { Inputs = [input] }).Outputs![0];
        var floatOut = Zc706Simulator.Simulate(network, config with { Arithmetic = Arithmetic.Fp32 }, new SimulationOptions { Inputs = [input] }).Outputs![0];

        var weights = network.Layers[0].Weights!;
        var maxInput = input.Max(Math.Abs);
        var area = 12 * 12;
        for (var i = 0; i < floatOut.Length; i++)
        {
            var row = i / area;
            var sumAbs = weights.Values!.Skip(row * weights.Columns).Take(weights.Columns).Sum(v => Math.Abs((double)v));
            var bound = FixedPoint.ErrorBound(sumAbs, maxInput, weights.Columns, config.ActivationFractionBits, config.WeightFractionBits);
            Assert.IsLessThanOrEqualTo(bound, Math.Abs(fixedOut[i] - floatOut[i]), $"output {i}");
        }

        // And it is not trivially exact: 16-bit rounding shows.
        Assert.IsTrue(fixedOut.Zip(floatOut).Any(p => p.First != p.Second));
    }

    [TestMethod]
    public void FixedPointSaturatesInsteadOfWrapping()
    {
        Assert.AreEqual(short.MaxValue, FixedPoint.Quantize(1000f, 8));
        Assert.AreEqual(short.MinValue, FixedPoint.Quantize(-1000f, 8));
        Assert.AreEqual(short.MaxValue, FixedPoint.Narrow(long.MaxValue / 4, 14));
        Assert.AreEqual(3, FixedPoint.Narrow(5, 1)); // 2.5 rounds half up to 3
    }
}
