using System.Reflection;
using Sparsify.Core.Compilation;
using Sparsify.Training.Data;
using Sparsify.Core.Execution;
using Sparsify.Training.Models;
using Sparsify.Training;
using Sparsify.Hardware.Zc706.Config;
using Sparsify.Hardware.Zc706.Functional;
using Sparsify.Hardware.Zc706.Simulation;

namespace Sparsify.Hardware.Tests;

[TestClass]
public sealed class MnistFixedPointTests
{
    private const int TestDigits = 500;

    [TestMethod]
    public void SixteenBitArrayKeepsLeNet5Top1OnMnist()
    {
        // A LeNet-5 trained briefly (one epoch), pruned one-shot to 50% with locality: what changes when the
        // array runs it in 16-bit fixed point instead of fp32, over 500 digits spread evenly over the test split.
        var data = MnistDataset.Load(MnistDirectory());
        var graph = ModelBuilders.LeNet5(seed: 1);
        Trainer.Train(graph, data.Train, new TrainingOptions { Epochs = 1 });
        var network = TestModels.Import(ModelCompiler.Compile(graph, new CompileOptions { Scheme = "locality", Sparsity = 0.5 }));
        var mappings = Zc706Simulator.Map(network, Zc706Config.Default);
        var reference = new ReferenceExecutor(graph);
        var test = data.Test;
        var stride = test.Count / TestDigits;
        int referenceCorrect = 0, fixedCorrect = 0, changed = 0;
        for (var k = 0; k < TestDigits; k++)
        {
            var i = k * stride; // the test split is ordered by class: take every stride-th digit
            var image = test.Images.Slice(i * test.SampleLength, test.SampleLength).ToArray();
            var expected = ArgMax(reference.Run(image));
            var actual = ArgMax(FunctionalExecutor.Run(network, mappings, Zc706Config.Default, image)[0]);
            referenceCorrect += expected == test.Labels[i] ? 1 : 0;
            fixedCorrect += actual == test.Labels[i] ? 1 : 0;
            changed += actual != expected ? 1 : 0;
        }

        Console.WriteLine($"MNIST LeNet-5 (locality 50%), {TestDigits} test digits: fp32 top-1 {referenceCorrect * 100.0 / TestDigits:F1}%, 16-bit array {fixedCorrect * 100.0 / TestDigits:F1}%, predictions changed {changed}");
        Assert.IsGreaterThan(0.8, referenceCorrect / (double)TestDigits, "the briefly trained model should already classify most digits");
        Assert.IsLessThanOrEqualTo(0.01, Math.Abs(referenceCorrect - fixedCorrect) / (double)TestDigits);
    }

    private static int ArgMax(float[] values) => Array.IndexOf(values, values.Max());

    private static string MnistDirectory() =>
        typeof(MnistFixedPointTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "MnistPath").Value!;
}
