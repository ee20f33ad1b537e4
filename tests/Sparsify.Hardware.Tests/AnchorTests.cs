using Sparsify.Hardware.Zc706.Anchors;
using Sparsify.Hardware.Zc706.Config;
using Sparsify.Hardware.Zc706.Simulation;

namespace Sparsify.Hardware.Tests;

[TestClass]
public sealed class AnchorTests
{
    [TestMethod]
    public void DenseVgg16ConvolutionsLandWithinTwentyPercentOfQiu2016()
    {
        var config = Zc706Config.Qiu2016Dense;

        var result = Zc706Simulator.Simulate(ShapeNetworks.Vgg16Convolutions(), config);

        Assert.AreEqual(780, result.Resources.Dsp);
        var gops = result.Convolutions.EffectiveGops;
        Console.WriteLine($"modelled {gops:F1} GOPS vs published {PublishedFigures.Qiu2016Vgg16ConvGops}");
        Assert.IsLessThanOrEqualTo(PublishedFigures.AnchorTolerance, Math.Abs(gops / PublishedFigures.Qiu2016Vgg16ConvGops - 1));
    }
}
