using Sparsify.Core.Compilation;
using Sparsify.Core.Execution;
using Sparsify.Core.Onnx;
using Sparsify.Core.Tests.Onnx;
using Sparsify.Hardware.Tests.Gpu;
using Sparsify.Hardware.Zc706.Simulation;
using Sparsify.Hardware.Zc706.Config;

namespace Sparsify.Hardware.Tests;

/// <summary>
/// Models from torch's own exporter (scripts/export-torch-fixtures.py) on the other run times: the
/// ILGPU runner and the ZC706 model in fp32 agree with the reference executor, dense and at 0.7.
/// </summary>
[TestClass]
public sealed class TorchExportTests
{
    public static IEnumerable<object[]> Cases => TorchFixtures.DenseAndPruned;

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void IlgpuRunnerMatchesTheReference(string name, double sparsity)
    {
        var fixture = TorchFixtures.Named(name);
        var graph = OnnxModel.Load(fixture.ModelPath(fixture.Opsets.Max()));

        GpuComparison.CompileAndCompare(graph, new CompileOptions { Scheme = "locality", Sparsity = sparsity });
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void Zc706Fp32MatchesTheReference(string name, double sparsity)
    {
        var fixture = TorchFixtures.Named(name);
        var graph = OnnxModel.Load(fixture.ModelPath(fixture.Opsets.Max()));
        var network = TestModels.Import(ModelCompiler.Compile(graph, new CompileOptions { Scheme = "locality", Sparsity = sparsity })); // prunes in place
        var input = fixture.Input.Data;
        var expected = new ReferenceExecutor(graph).Run(input);

        var result = Zc706Simulator.Simulate(network, Zc706Config.Default with { Arithmetic = Arithmetic.Fp32 }, new SimulationOptions { Inputs = [input] });

        Assert.IsLessThanOrEqualTo(1e-5, TestModels.RelativeError(result.Outputs![0], expected));
    }
}
