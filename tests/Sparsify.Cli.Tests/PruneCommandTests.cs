using Sparsify.Cli.Tests.Support;
using Sparsify.Core.Ir.Layers;
using Sparsify.Training.Models;
using Sparsify.Core.Onnx;

namespace Sparsify.Cli.Tests;

[TestClass]
public sealed class PruneCommandTests
{
    private string _dir = null!;
    private string _lenet = null!;

    [TestInitialize]
    public void WriteModel()
    {
        _dir = CliRunner.TempDirectory();
        _lenet = Path.Combine(_dir, "lenet.onnx");
        OnnxModel.Save(ModelBuilders.LeNet5(seed: 3), _lenet);
    }

    [TestCleanup]
    public void Clean() => Directory.Delete(_dir, recursive: true);

    [TestMethod]
    public void Prune_Locality_PrintsTheReportAndWritesAModelWithThatSparsity()
    {
        var output = Path.Combine(_dir, "pruned.onnx");
        var result = CliRunner.Run("prune", _lenet, "--scheme", "locality", "--sparsity", "0.9", "--uniform", "--group", "4", "--out", output);

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        foreach (var layer in new[] { "conv1", "conv2", "fc1", "fc2" })
        {
            StringAssert.Contains(result.Stdout, layer);
        }

        var pruned = OnnxModel.Load(output);
        var fc1 = pruned.Layers.OfType<FullyConnectedLayer>().Single(l => l.Name == "fc1");
        var zeros = fc1.Weights.Data.Count(v => v == 0f);
        Assert.AreEqual(0.9, (double)zeros / fc1.Weights.Length, 0.005);

        // Groups of 4 rows share one pattern.
        for (var row = 0; row < fc1.OutFeatures; row += 4)
        {
            for (var column = 0; column < fc1.InFeatures; column++)
            {
                var kept = fc1.Weights.Data[row * fc1.InFeatures + column] != 0f;
                for (var r = row + 1; r < row + 4; r++)
                {
                    Assert.AreEqual(kept, fc1.Weights.Data[r * fc1.InFeatures + column] != 0f);
                }
            }
        }
    }

    [TestMethod]
    public void Prune_WithoutATarget_IsAnError()
    {
        var result = CliRunner.Run("prune", _lenet, "--scheme", "unstructured", "--out", Path.Combine(_dir, "x.onnx"));

        Assert.AreEqual(1, result.ExitCode);
        StringAssert.Contains(result.Stderr, "give --sparsity X");
    }

    [TestMethod]
    [DataRow("1.5", "sparsity must be in [0, 1)")]
    [DataRow("-0.1", "sparsity must be in [0, 1)")]
    public void Prune_SparsityOutOfRange_FailsWithOneLine(string sparsity, string expected)
    {
        var result = CliRunner.Run("prune", _lenet, "--sparsity", sparsity, "--out", Path.Combine(_dir, "x.onnx"));

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        Assert.HasCount(1, result.StderrLines);
        StringAssert.Contains(result.Stderr, expected);
        Assert.IsFalse(File.Exists(Path.Combine(_dir, "x.onnx")));
    }

    [TestMethod]
    public void Prune_UnknownScheme_ListsTheValidOnes()
    {
        var result = CliRunner.Run("prune", _lenet, "--scheme", "random", "--sparsity", "0.5", "--out", Path.Combine(_dir, "x.onnx"));

        Assert.AreEqual(2, result.ExitCode);
        StringAssert.Contains(result.Stderr, "'locality'");
    }

    [TestMethod]
    public void Prune_UnknownLayer_NamesIt()
    {
        var result = CliRunner.Run("prune", _lenet, "--layer-sparsity", "conv9=0.5", "--out", Path.Combine(_dir, "x.onnx"));

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stderr, "conv9");
    }
}
