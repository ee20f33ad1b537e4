using Sparsify.Core.Execution;
using Google.Protobuf;
using Sparsify.Core.Ir.Layers;
using Sparsify.Training.Models;
using Sparsify.Core.Onnx;
using Sparsify.Core.Tests.Support;

namespace Sparsify.Core.Tests.Onnx;

[TestClass]
public sealed class RoundTripTests
{
    [TestMethod]
    [TestCategory("RealModel")]
    public void ResNet18ReadAndWrittenBackKeepsGraphAndWeightsBitForBit()
    {
        var original = OnnxModelFile.Read(TestData.ResNet18Path);
        var directory = TestData.TempDirectory();
        try
        {
            var copy = Path.Combine(directory, "copy.onnx");
            OnnxModelFile.Write(original, copy);
            var reread = OnnxModelFile.Read(copy);

            // Generated message equality compares floats bit for bit and keeps unknown fields.
            Assert.AreEqual(original, reread);
            Assert.AreEqual(original.Graph.Initializer.Count, reread.Graph.Initializer.Count);
            for (var i = 0; i < original.Graph.Initializer.Count; i++)
            {
                var a = original.Graph.Initializer[i];
                var b = reread.Graph.Initializer[i];
                CollectionAssert.AreEqual(a.FloatData.Select(BitConverter.SingleToInt32Bits).ToArray(), b.FloatData.Select(BitConverter.SingleToInt32Bits).ToArray(), a.Name);
            }

            Assert.AreEqual(original.CalculateSize(), new FileInfo(copy).Length);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    [DataRow("lenet5")]
    [DataRow("alexnet")]
    public void BuilderGraphWrittenAndReadKeepsLayersAndWeights(string name)
    {
        var graph = ModelBuilders.Build(name, seed: 11);
        var reread = OnnxModel.Load(OnnxModel.ToBytes(graph));

        CollectionAssert.AreEqual(graph.Layers.Select(l => $"{l.OpType} {l.Name}").ToArray(), reread.Layers.Select(l => $"{l.OpType} {l.Name}").ToArray());
        Assert.AreEqual(graph.Outputs[0].Shape, reread.Outputs[0].Shape);
        foreach (var (a, b) in graph.Layers.Zip(reread.Layers))
        {
            switch (a, b)
            {
                case (ConvLayer ca, ConvLayer cb):
                    Assert.AreEqual(ca.Window, cb.Window, a.Name);
                    Assert.AreEqual(ca.Group, cb.Group, a.Name);
                    CollectionAssert.AreEqual(ca.Weights.Data, cb.Weights.Data, a.Name);
                    CollectionAssert.AreEqual(ca.Bias!.Data, cb.Bias!.Data, a.Name);
                    break;
                case (FullyConnectedLayer fa, FullyConnectedLayer fb):
                    CollectionAssert.AreEqual(fa.Weights.Data, fb.Weights.Data, a.Name);
                    CollectionAssert.AreEqual(fa.Bias!.Data, fb.Bias!.Data, a.Name);
                    break;
                case (PoolLayer pa, PoolLayer pb):
                    Assert.AreEqual(pa.Window, pb.Window, a.Name);
                    break;
                case (LrnLayer la, LrnLayer lb):
                    Assert.AreEqual((la.Size, la.Alpha, la.Beta, la.Bias), (lb.Size, lb.Alpha, lb.Beta, lb.Bias), a.Name);
                    break;
            }
        }
    }

    [TestMethod]
    public void ImportedTorchModelWrittenAndReadKeepsItsClipsAndAgreesWithOnnxRuntime()
    {
        var fixture = TorchFixtures.Named("inverted-residual");
        var graph = OnnxModel.Load(fixture.ModelPath(13));
        var bytes = OnnxModel.ToBytes(graph);

        var reread = OnnxModel.Load(bytes);

        CollectionAssert.AreEqual(
            graph.Layers.OfType<ClipLayer>().Select(c => (c.Min, c.Max)).ToArray(),
            reread.Layers.OfType<ClipLayer>().Select(c => (c.Min, c.Max)).ToArray());
        AssertTensor.Close(fixture.TorchOutput(13), OnnxRuntimeOracle.Run(bytes, fixture.Input), 1e-4, "the written model in ONNX Runtime");
    }

    [TestMethod]
    [DataRow("pre-activation")]
    [DataRow("channel-shuffle")]
    [DataRow("squeeze-excitation")]
    [DataRow("layer-norm-gelu")]
    [DataRow("activations")]
    [DataRow("padding")]
    [DataRow("reductions")]
    [DataRow("broadcasting")]
    [DataRow("attention")]
    public void ImportedTorchModelWrittenAndReadKeepsItsStepsAndAgreesWithOnnxRuntime(string name)
    {
        var fixture = TorchFixtures.Named(name);
        var graph = OnnxModel.Load(fixture.ModelPath(13));
        var bytes = OnnxModel.ToBytes(graph);

        var reread = OnnxModel.Load(bytes);

        CollectionAssert.AreEqual(graph.Layers.Select(l => l.OpType).ToArray(), reread.Layers.Select(l => l.OpType).ToArray());
        AssertTensor.Close(fixture.TorchOutput(13), OnnxRuntimeOracle.Run(bytes, fixture.Input), 1e-4, "the written model in ONNX Runtime");
        AssertTensor.Close(new ReferenceExecutor(graph).Run([fixture.Input])[0].Data, new ReferenceExecutor(reread).Run([fixture.Input])[0].Data, 0, "the model read back");
    }

    [TestMethod]
    public void SaveWritesAtomicallyAndLeavesNoTemporaryFile()
    {
        var directory = TestData.TempDirectory();
        try
        {
            var path = Path.Combine(directory, "lenet.onnx");
            OnnxModel.Save(ModelBuilders.LeNet5(), path);
            OnnxModel.Save(ModelBuilders.LeNet5(seed: 2), path);

            CollectionAssert.AreEqual(new[] { "lenet.onnx" }, Directory.GetFiles(directory).Select(Path.GetFileName).ToArray());
            Assert.HasCount(8, OnnxModel.Load(path).Layers);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
