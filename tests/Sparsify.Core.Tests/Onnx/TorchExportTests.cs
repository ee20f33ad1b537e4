using Sparsify.Core.Execution;
using Sparsify.Core.Onnx;
using Sparsify.Core.Tests.Support;

namespace Sparsify.Core.Tests.Onnx;

/// <summary>
/// Models exported by torch 1.13's own exporter at opsets 11, 13 and 17 import and, run by the
/// reference executor, agree with ONNX Runtime and with torch on the same input.
/// </summary>
[TestClass]
public sealed class TorchExportTests
{
    public static IEnumerable<object[]> Cases => TorchFixtures.Cases;

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void ImportedModelMatchesOnnxRuntimeAndTorch(string name, int opset)
    {
        var fixture = TorchFixtures.Named(name);
        var path = fixture.ModelPath(opset);
        var graph = OnnxModel.Load(path);
        var input = fixture.Input;

        var actual = new ReferenceExecutor(graph).Run([input])[0].Data;

        AssertTensor.Close(OnnxRuntimeOracle.Run(path, input), actual, 1e-4, $"{name} opset {opset} against ONNX Runtime");
        AssertTensor.Close(fixture.TorchOutput(opset), actual, 1e-4, $"{name} opset {opset} against torch");
    }

    [TestMethod]
    [DataRow(11)]
    [DataRow(13)]
    [DataRow(17)]
    public void TorchLocalResponseNormBecomesOneLrnLayer(int opset)
    {
        var graph = OnnxModel.Load(TorchFixtures.Named("lrn").ModelPath(opset));

        CollectionAssert.AreEqual(
            new[] { "Conv", "Relu", "LRN", "MaxPool", "Conv", "Relu", "LRN", "MaxPool", "Flatten", "Gemm" },
            graph.Layers.Select(l => l.OpType).ToArray());
        Assert.AreEqual(2, graph.Notes.Count(n => n.StartsWith("torch's LocalResponseNorm", StringComparison.Ordinal)), string.Join("; ", graph.Notes));
    }

    [TestMethod]
    public void WhatImportRefusesItRefusesWithItsReason()
    {
        Assert.IsNotEmpty(TorchFixtures.Refused);
        foreach (var fixture in TorchFixtures.Refused)
        {
            foreach (var opset in fixture.Opsets)
            {
                var path = fixture.ModelPath(opset);
                var e = Assert.ThrowsExactly<SparsifyModelException>(() => OnnxModel.Load(path), $"{fixture.Name} opset {opset}");
                StringAssert.StartsWith(e.Message, path);
                StringAssert.Contains(e.Message, fixture.Refused);
            }
        }
    }

    [TestMethod]
    public void SharedParametersReadThroughIdentityImport()
    {
        var graph = OnnxModel.Load(TorchFixtures.Named("shared-parameters").ModelPath(13));

        CollectionAssert.AreEqual(
            new[] { "Conv", "Relu", "Conv", "Relu", "Conv", "Relu", "Flatten", "Gemm", "Relu", "Gemm" },
            graph.Layers.Select(l => l.OpType).ToArray());
    }

    [TestMethod]
    public void ZeroPadsJoinTheirLayerAndASpatialMeanIsAGlobalPool()
    {
        var graph = OnnxModel.Load(TorchFixtures.Named("pooling").ModelPath(13));

        CollectionAssert.AreEqual(
            new[] { "Conv", "Relu", "AveragePool", "Conv", "Relu", "GlobalAveragePool", "Flatten", "Gemm" },
            graph.Layers.Select(l => l.OpType).ToArray());
        Assert.AreEqual(2, graph.Notes.Count(n => n.StartsWith("a zero Pad", StringComparison.Ordinal)), string.Join("; ", graph.Notes));
    }

    [TestMethod]
    public void Relu6IsAClipLayer()
    {
        var graph = OnnxModel.Load(TorchFixtures.Named("inverted-residual").ModelPath(13));

        CollectionAssert.AreEqual(
            new[] { "Conv", "Clip", "Conv", "Clip", "Conv", "Clip", "Conv", "Add", "GlobalAveragePool", "Flatten", "Gemm", "Relu", "Gemm" },
            graph.Layers.Select(l => l.OpType).ToArray());
        Assert.IsTrue(graph.Layers.OfType<Sparsify.Core.Ir.Layers.ClipLayer>().All(c => c.Min == 0 && c.Max == 6));
    }

    [TestMethod]
    [DataRow(13, new[] { "Conv", "HardSigmoid", "Mul", "Conv", "Conv", "GlobalAveragePool", "Conv", "Relu", "Conv", "HardSigmoid", "Mul", "Conv", "Sigmoid", "Mul", "GlobalAveragePool", "Flatten", "Gemm" })]
    [DataRow(17, new[] { "Conv", "HardSigmoid", "Mul", "Conv", "Conv", "GlobalAveragePool", "Conv", "Relu", "Conv", "HardSigmoid", "Mul", "Conv", "Sigmoid", "Mul", "GlobalAveragePool", "Flatten", "Gemm" })]
    public void HardSwishAndTheSqueezeExcitationGateImportAsTheirSteps(int opset, string[] layers)
    {
        var graph = OnnxModel.Load(TorchFixtures.Named("squeeze-excitation").ModelPath(opset));

        CollectionAssert.AreEqual(layers, graph.Layers.Select(l => l.OpType).ToArray());
    }

    [TestMethod]
    public void ShapeArithmeticFoldsAwayWithASymbolicBatch()
    {
        var graph = OnnxModel.Load(TorchFixtures.Named("shape-reshape").ModelPath(13));

        CollectionAssert.AreEqual(new[] { "Conv", "Relu", "Reshape", "Reshape", "Gemm" }, graph.Layers.Select(l => l.OpType).ToArray());
        Assert.IsTrue(graph.Notes.Any(n => n.Contains("symbolic batch dimension compiled for batch 1", StringComparison.Ordinal)), string.Join("; ", graph.Notes));
    }

    [TestMethod]
    [DataRow(11)]
    [DataRow(13)]
    [DataRow(17)]
    public void BatchNormsAfterAConcatOrAPoolArePerChannelSteps(int opset)
    {
        var graph = OnnxModel.Load(TorchFixtures.Named("pre-activation").ModelPath(opset));

        CollectionAssert.AreEqual(
            new[] { "Conv", "BatchNormalization", "Relu", "Conv", "Concat", "BatchNormalization", "Relu", "Conv", "AveragePool", "BatchNormalization", "Relu", "GlobalAveragePool", "Flatten", "Gemm" },
            graph.Layers.Select(l => l.OpType).ToArray());
        Assert.AreEqual(3, graph.Notes.Count(n => n.Contains("kept as a per-channel affine step", StringComparison.Ordinal)), string.Join("; ", graph.Notes));
    }

    [TestMethod]
    [DataRow(11)]
    [DataRow(13)]
    [DataRow(17)]
    public void ChunkIsTwoSlicesAndTheShuffleIsOneStep(int opset)
    {
        var graph = OnnxModel.Load(TorchFixtures.Named("channel-shuffle").ModelPath(opset));

        CollectionAssert.AreEqual(
            new[] { "Conv", "Relu", "Slice", "Slice", "Conv", "Relu", "Conv", "Conv", "Relu", "Concat", "ChannelShuffle", "Conv", "Conv", "Relu", "Conv", "Relu", "Conv", "Concat", "ChannelShuffle", "GlobalAveragePool", "Flatten", "Gemm", "Relu", "Gemm" },
            graph.Layers.Select(l => l.OpType).ToArray());
        Assert.IsTrue(graph.Layers.OfType<Sparsify.Core.Ir.Layers.ChannelShuffleLayer>().All(s => s.Groups == 2));
    }

    [TestMethod]
    [DataRow(11)]
    [DataRow(13)]
    [DataRow(17)]
    public void ChannelsLastSegmentsRunOnNchwAsLayerNormsConvolutionsAndGelu(int opset)
    {
        var graph = OnnxModel.Load(TorchFixtures.Named("layer-norm-gelu").ModelPath(opset));

        // The layer scale (a per-channel Mul) folds into the second 1x1 convolution.
        CollectionAssert.AreEqual(
            new[] { "Conv", "ChannelLayerNorm", "Conv", "ChannelLayerNorm", "Conv", "Gelu", "Conv", "Add", "ChannelLayerNorm", "Conv", "GlobalAveragePool", "ChannelLayerNorm", "Flatten", "Gemm" },
            graph.Layers.Select(l => l.OpType).ToArray());
        Assert.AreEqual(4, graph.Notes.Count(n => n.StartsWith("channels-last segment", StringComparison.Ordinal)), string.Join("; ", graph.Notes));
    }

    [TestMethod]
    public void FunctionsOfOneValueAndConstantArithmeticImportAsStepsOrFold()
    {
        var graph = OnnxModel.Load(TorchFixtures.Named("activations").ModelPath(13));

        // a / 2 and 1 - x are per-channel steps; (conv2 - 0.5) / 3 folds into conv2.
        CollectionAssert.AreEqual(
            new[] { "Conv", "LeakyRelu", "Tanh", "BatchNormalization", "Erf", "Add", "Mul", "BatchNormalization", "Sqrt", "Neg", "Exp", "Add", "Conv", "Tanh", "BatchNormalization", "Conv", "LeakyRelu", "GlobalAveragePool", "Flatten", "Gemm", "Relu", "Gemm" },
            graph.Layers.Select(l => l.OpType).ToArray());
    }

    [TestMethod]
    [DataRow(11)]
    [DataRow(17)]
    public void ReflectEdgeAndNonzeroPadsArePadSteps(int opset)
    {
        var graph = OnnxModel.Load(TorchFixtures.Named("padding").ModelPath(opset));

        CollectionAssert.AreEqual(
            new[] { "Pad", "Conv", "Relu", "Pad", "Conv", "Relu", "Pad", "Conv", "Relu", "GlobalAveragePool", "Flatten", "Gemm", "Relu", "Gemm" },
            graph.Layers.Select(l => l.OpType).ToArray());
        CollectionAssert.AreEqual(new[] { "reflect", "edge", "constant" }, graph.Layers.OfType<Sparsify.Core.Ir.Layers.PadLayer>().Select(p => p.Mode).ToArray());
    }

    [TestMethod]
    [DataRow(11)]
    [DataRow(17)]
    public void ArithmeticOfTwoShapesThatBroadcastIsABroadcastStep(int opset)
    {
        var graph = OnnxModel.Load(TorchFixtures.Named("broadcasting").ModelPath(opset));

        var broadcasts = graph.Layers.OfType<Sparsify.Core.Ir.Layers.BroadcastLayer>().ToList();
        CollectionAssert.AreEqual(new[] { "Sub", "Div", "Add", "Pow", "Mul" }, broadcasts.Select(b => b.Function).ToArray());
        Assert.AreEqual("1x8x8x8", graph.ShapeOf(broadcasts[^1].Output).ToString());
    }

    [TestMethod]
    [DataRow(11)]
    [DataRow(17)]
    public void SelfAttentionIsTransposesAndMatMulsOfComputedValues(int opset)
    {
        var graph = OnnxModel.Load(TorchFixtures.Named("attention").ModelPath(opset));

        var ops = graph.Layers.Select(l => l.OpType).ToList();
        Assert.AreEqual(2, ops.Count(op => op == "MatMul"), string.Join(", ", ops));
        Assert.AreEqual(2, ops.Count(op => op == "Transpose"), string.Join(", ", ops));
        Assert.AreEqual("1x36x36", graph.ShapeOf(graph.Layers.OfType<Sparsify.Core.Ir.Layers.MatMulLayer>().First().Output).ToString());
    }

    [TestMethod]
    [DataRow(11)]
    [DataRow(13)]
    public void ReductionsOtherThanASpatialMeanAreReduceSteps(int opset)
    {
        var graph = OnnxModel.Load(TorchFixtures.Named("reductions").ModelPath(opset));

        CollectionAssert.AreEqual(
            new[] { "Conv", "Relu", "ReduceMean", "Concat", "Conv", "Relu", "ReduceSum", "BatchNormalization", "ReduceMean", "ReduceMean", "Add", "Gemm", "Relu", "Gemm" },
            graph.Layers.Select(l => l.OpType).ToArray());
    }
}
