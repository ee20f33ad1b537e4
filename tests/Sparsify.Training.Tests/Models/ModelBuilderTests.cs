using Sparsify.Core.Ir;
using Sparsify.Training.Models;
using Sparsify.Core.Onnx;
using Sparsify.Core.Tests.Support;

namespace Sparsify.Training.Tests.Models;

[TestClass]
public sealed class ModelBuilderTests
{
    [TestMethod]
    public void AlexNetHasThePapersShapesAndOperationCount()
    {
        var graph = ModelBuilders.AlexNet();

        Assert.AreEqual(new Shape(1, 3, 227, 227), graph.Inputs[0].Shape);
        Assert.AreEqual(new Shape(1, 96, 55, 55), graph.ShapeOf("conv1"));
        Assert.AreEqual(new Shape(1, 256, 27, 27), graph.ShapeOf("conv2"));
        Assert.AreEqual(new Shape(1, 384, 13, 13), graph.ShapeOf("conv3"));
        Assert.AreEqual(new Shape(1, 256, 6, 6), graph.ShapeOf("pool5"));
        Assert.AreEqual(new Shape(1, 1000), graph.Outputs[0].Shape);

        // 1.449 GOP per image, 1.332 of it in the convolutions (2 operations per MAC).
        var convMacs = graph.Layers.Where(l => l.OpType == "Conv").Sum(graph.CountMacs);
        Assert.AreEqual(1.449, 2.0 * graph.MacCount / 1e9, 0.0005);
        Assert.AreEqual(1.332, 2.0 * convMacs / 1e9, 0.0005);
        Assert.AreEqual(60_965_224, graph.ParameterCount);
    }

    [TestMethod]
    public void LeNet5HasCaffesShapes()
    {
        var graph = ModelBuilders.LeNet5();

        Assert.AreEqual(new Shape(1, 50, 4, 4), graph.ShapeOf("pool2"));
        Assert.AreEqual(2_293_000, graph.MacCount);
        Assert.AreEqual(431_080, graph.ParameterCount);
    }

    [TestMethod]
    public void Vgg16HasThirteenConvolutionsAndTheKnownSize()
    {
        var graph = ModelBuilders.Vgg16();

        Assert.AreEqual(13, graph.Layers.Count(l => l.OpType == "Conv"));
        Assert.AreEqual(138_357_544, graph.ParameterCount);
        Assert.AreEqual(15.47, graph.MacCount / 1e9, 0.01);
    }

    [TestMethod]
    public void TheSameSeedGivesTheSameBits()
    {
        var a = OnnxModel.ToBytes(ModelBuilders.LeNet5(seed: 4));
        var b = OnnxModel.ToBytes(ModelBuilders.LeNet5(seed: 4));
        var c = OnnxModel.ToBytes(ModelBuilders.LeNet5(seed: 5));

        CollectionAssert.AreEqual(a, b);
        CollectionAssert.AreNotEqual(a, c);
    }

    [TestMethod]
    public void UnknownNameListsTheKnownOnes()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => ModelBuilders.Build("resnet50"));
        StringAssert.Contains(e.Message, "lenet5, alexnet, vgg16");
    }
}
