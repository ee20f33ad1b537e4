using Sparsify.Cli.Tests.Support;

namespace Sparsify.Cli.Tests;

[TestClass]
[TestCategory("RealModel")]
public sealed class ResNet18Tests
{
    [TestMethod]
    public void Inspect_ResNet18_ListsLayersTotalsAndFoldedBatchNorms()
    {
        var path = CliRunner.ResNet18Path;
        Assert.IsTrue(File.Exists(path), $"ResNet18.onnx should come from the Microsoft.ML.DnnImageFeaturizer.ResNet18 package at {path}");

        var result = CliRunner.Run("inspect", path);

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stdout, "Convolution249");
        StringAssert.Contains(result.Stdout, "1x3x224x224");
        StringAssert.Contains(result.Stdout, "2,044,772,352");
        StringAssert.Contains(result.Stdout, "4.090 GOP");
        StringAssert.Contains(result.Stdout, "folded into Conv Convolution249");
    }
}
