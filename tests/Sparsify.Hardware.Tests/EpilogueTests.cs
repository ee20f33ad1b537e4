using Sparsify.Core.Compilation;
using Sparsify.Core.Execution;
using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;
using Sparsify.Hardware.Zc706.Config;
using Sparsify.Hardware.Zc706.Functional;
using Sparsify.Hardware.Zc706.Network;
using Sparsify.Hardware.Zc706.Simulation;
using Sparsify.Runtime.Kernels;

namespace Sparsify.Hardware.Tests;

/// <summary>The array follows the compiled plan's steps: a folded Add and ReLU run in the producing layer's output path.</summary>
[TestClass]
public sealed class EpilogueTests
{
    private static readonly Zc706Config Fp32 = Zc706Config.Default with { Arithmetic = Arithmetic.Fp32 };

    [TestMethod]
    public void TheImportFollowsThePlansSteps()
    {
        var network = TestModels.Import(Compile(Residual()));

        CollectionAssert.AreEqual(new[] { "a", "b", "twice" }, network.Layers.Select(l => l.Name).ToArray());
        var (a, b, twice) = (network.Layers[0], network.Layers[1], network.Layers[2]);
        Assert.AreEqual(("a_relu", null, true), (a.Output, a.Residual, a.Relu));
        Assert.AreEqual(("sum_relu", "input", true), (b.Output, b.Residual, b.Relu));
        CollectionAssert.AreEqual(new[] { "Add", "Relu" }, b.Fused.ToArray());
        Assert.AreEqual((ArrayOp.Add, "twice_relu", true), (twice.Op, twice.Output, twice.Relu), "an Add that no convolution can take stays a post-processing step, with its ReLU");
    }

    [TestMethod]
    public void Fp32MatchesTheReferenceExecutor()
    {
        var graph = Residual();
        var network = TestModels.Import(Compile(graph)); // prunes the graph's weights in place
        var input = TestModels.Input(graph, 5);
        var expected = new ReferenceExecutor(graph).Run(input);

        var result = Zc706Simulator.Simulate(network, Fp32, new SimulationOptions { Inputs = [input] });

        Assert.IsLessThanOrEqualTo(1e-5, TestModels.RelativeError(result.Outputs![0], expected));
    }

    [TestMethod]
    public void AFixedPointResidualAddsExactlyBeforeTheOneRounding()
    {
        // One conv + residual + ReLU: the residual is a 16-bit value already, so the fused output stays within the
        // conv's own bound of the fp32 result (no second rounding), and the ReLU leaves no negative value.
        var random = new Random(7);
        var same = Window2D.Create(3, 1, Padding2D.Uniform(1));
        Layer[] layers =
        [
            new ConvLayer("conv", "input", "conv", TestModels.Uniform(random, 8, 4, 3, 3), TestModels.Uniform(random, 8), same, 1),
            new AddLayer("sum", "conv", "skip", "sum"),
            new ReluLayer("sum_relu", "sum", "sum_relu"),
        ];
        var graph = ModelGraph.Create("fixed", [new GraphValue("input", new Shape(1, 4, 6, 6)), new GraphValue("skip", new Shape(1, 8, 6, 6))], layers, ["sum_relu"]);
        var network = TestModels.Import(ModelCompiler.Compile(graph, new CompileOptions { Scheme = "locality", Sparsity = 0.5, KeepFirstConvDense = false }));
        Assert.AreEqual("input", network.Layers.Single().Inputs.Single(), "the conv is the only step and reads no other input");
        var config = Zc706Config.Default;
        var input = TestModels.Uniform(random, 4 * 36).Data.Select(v => FixedPoint.Round(v, config.ActivationFractionBits)).ToArray();
        var skip = TestModels.Uniform(random, 8 * 36).Data.Select(v => FixedPoint.Round(v * 2f, config.ActivationFractionBits)).ToArray();

        var fixedOut = Zc706Simulator.Simulate(network, config, new SimulationOptions { Inputs = [input, skip] }).Outputs![0];
        var floatOut = Zc706Simulator.Simulate(network, Fp32, new SimulationOptions { Inputs = [input, skip] }).Outputs![0];

        var weights = network.Layers[0].Weights!;
        var maxInput = input.Max(Math.Abs);
        for (var i = 0; i < floatOut.Length; i++)
        {
            var row = i / 36;
            var sumAbs = weights.Values!.Skip(row * weights.Columns).Take(weights.Columns).Sum(v => Math.Abs((double)v));
            var bound = FixedPoint.ErrorBound(sumAbs, maxInput, weights.Columns, config.ActivationFractionBits, config.WeightFractionBits);
            Assert.IsLessThanOrEqualTo(bound, Math.Abs(fixedOut[i] - floatOut[i]), $"output {i}");
        }

        Assert.IsTrue(fixedOut.All(v => v >= 0), "the folded ReLU clamps");
        Assert.IsTrue(fixedOut.Any(v => v == 0) && fixedOut.Any(v => v > 0), "the residual and the ReLU both matter on this input");
    }

    [TestMethod]
    public void TimingReadsTheResidualAndTimesNoSeparateAdd()
    {
        var result = Zc706Simulator.Simulate(TestModels.Import(Compile(Residual())), Zc706Config.Default);

        var b = result.Layers.Single(l => l.Layer == "b");
        Assert.AreEqual(b.Traffic.Outputs, b.Traffic.Residuals);
        Assert.AreEqual("Conv+Add+Relu", b.Label);
        Assert.AreEqual(0, result.Layers.Single(l => l.Layer == "a").Traffic.Residuals);
        CollectionAssert.AreEqual(new[] { "a", "b", "twice" }, result.Layers.Select(l => l.Layer).ToArray());
        Assert.AreEqual("Add+Relu", result.Layers[2].Label);
        Assert.IsGreaterThan(0L, result.Layers[2].TotalCycles, "a step of its own in the post-processing unit");
    }

    // conv a + ReLU, conv b + the model input + ReLU (both fold), then sum_relu + sum_relu: an Add of one value with itself, which folds nowhere.
    private static ModelGraph Residual()
    {
        var random = new Random(14);
        var same = Window2D.Create(3, 1, Padding2D.Uniform(1));
        Layer[] layers =
        [
            new ConvLayer("a", "input", "a", TestModels.Uniform(random, 8, 8, 3, 3), TestModels.Uniform(random, 8), same, 1),
            new ReluLayer("a_relu", "a", "a_relu"),
            new ConvLayer("b", "a_relu", "b", TestModels.Uniform(random, 8, 8, 3, 3), null, same, 1),
            new AddLayer("sum", "b", "input", "sum"),
            new ReluLayer("sum_relu", "sum", "sum_relu"),
            new AddLayer("twice", "sum_relu", "sum_relu", "twice"),
            new ReluLayer("twice_relu", "twice", "twice_relu"),
        ];
        return ModelGraph.Create("residual", [new GraphValue("input", new Shape(1, 8, 6, 6))], layers, ["twice_relu"]);
    }

    private static CompiledModel Compile(ModelGraph graph) =>
        ModelCompiler.Compile(graph, new CompileOptions { Scheme = "locality", Sparsity = 0.5, KeepFirstConvDense = false });
}
