using Sparsify.Core.Execution;
using Sparsify.Core.Ir;
using Sparsify.Training.Models;
using Sparsify.Core.Onnx;
using Sparsify.Core.Tests.Support;

namespace Sparsify.Core.Tests.Execution;

/// <summary>
/// The reference executor is the oracle for everything after it, so it is itself held to ONNX
/// Runtime: on the real ResNet18 and on every builder model, max |diff| ≤ 1e-4 · max |output|.
/// </summary>
[TestClass]
public sealed class OnnxRuntimeAgreementTests
{
    private const double Tolerance = 1e-4;

    [TestMethod]
    [TestCategory("RealModel")]
    public void ResNet18WithRealWeightsMatchesOnnxRuntime()
    {
        var path = TestData.ResNet18Path;
        var graph = OnnxModel.Load(path);
        var input = TestData.SeededInput(graph.Inputs[0].Shape, seed: 18);

        var expected = OnnxRuntimeOracle.Run(path, input);
        var actual = new ReferenceExecutor(graph).Run([input])[0];

        Assert.AreEqual(512, actual.Length);
        AssertTensor.Close(expected, actual.Data, Tolerance, "ResNet18");
    }

    [TestMethod]
    [DataRow("lenet5")]
    [DataRow("alexnet")]
    [DataRow("vgg16")]
    public void BuilderModelMatchesOnnxRuntime(string name)
    {
        var graph = ModelBuilders.Build(name, seed: 7);
        var bytes = OnnxModel.ToBytes(graph);
        var input = TestData.SeededInput(graph.Inputs[0].Shape, seed: 3);

        var expected = OnnxRuntimeOracle.Run(bytes, input);
        var actual = new ReferenceExecutor(graph).Run([input])[0];

        AssertTensor.Close(expected, actual.Data, Tolerance, name);
    }

    [TestMethod]
    public void BuilderModelReadBackFromOnnxRunsTheSame()
    {
        var graph = ModelBuilders.AlexNet(seed: 5);
        var reread = OnnxModel.Load(OnnxModel.ToBytes(graph));
        var input = TestData.SeededInput(graph.Inputs[0].Shape, seed: 9);

        var direct = new ReferenceExecutor(graph, new ExecutorOptions { MaxDegreeOfParallelism = 1 }).Run([input])[0];
        var viaOnnx = new ReferenceExecutor(reread, new ExecutorOptions { MaxDegreeOfParallelism = 1 }).Run([input])[0];

        CollectionAssert.AreEqual(direct.Data, viaOnnx.Data, "the same weights and order must give the same bits");
    }
}
