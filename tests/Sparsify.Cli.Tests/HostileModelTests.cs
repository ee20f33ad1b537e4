using Sparsify.Cli.Tests.Support;
using Sparsify.Core.Tests.Support;

namespace Sparsify.Cli.Tests;

/// <summary>
/// Hostile models (sizes past the limits, a FIFO where a file should be) fail every command that
/// loads a model with one line naming the file and the problem, exit code 1, at once.
/// </summary>
[TestClass]
public sealed class HostileModelTests
{
    private string _dir = null!;

    [TestInitialize]
    public void CreateDirectory() => _dir = CliRunner.TempDirectory();

    [TestCleanup]
    public void RemoveFiles() => Directory.Delete(_dir, recursive: true);

    [TestMethod]
    public void HugePads_FailWithTheFileNodeAndProblem()
    {
        var model = HostileModels.WithHugePads(_dir);

        foreach (var result in RunEveryModelCommand(model))
        {
            AssertOneErrorLine(result, $"error: {model}: node 'conv1' (Conv): input extent 28 with pads 1073741824+1073741824, window extent 5 and stride 1 gives an output extent of 2,147,483,672, more than the largest dimension, 2,147,483,647");
        }
    }

    [TestMethod]
    public void TwoGigabyteExternalTensor_FailsWithTheTensorAndTheLimit()
    {
        var model = HostileModels.WithTwoGigabyteWeights(_dir);

        foreach (var result in RunEveryModelCommand(model))
        {
            AssertOneErrorLine(result, $"error: {model}: node 'conv1' (Conv): tensor 'conv1.weight' with dims [536870912,1,1,1] holds 536,870,912 elements (2,147,483,648 bytes as FLOAT), more than the limit of 2,147,483,647 bytes per tensor");
        }
    }

    [TestMethod]
    public void FifoAsTheModel_FailsAtOnce()
    {
        var fifo = SpecialFiles.Fifo(Path.Combine(_dir, "model.onnx"));

        foreach (var result in SpecialFiles.Within(() => RunEveryModelCommand(fifo), fifo))
        {
            AssertOneErrorLine(result, $"error: {fifo}: the path is a named pipe (FIFO), not a regular file");
        }
    }

    [TestMethod]
    public void FifoAsExternalData_FailsAtOnce()
    {
        var fifo = SpecialFiles.Fifo(Path.Combine(_dir, "conv1.bin"));
        var model = HostileModels.WithExternalWeights(_dir, "conv1.bin");

        foreach (var result in SpecialFiles.Within(() => RunEveryModelCommand(model), fifo))
        {
            AssertOneErrorLine(result, $"error: {model}: node 'conv1' (Conv): tensor 'conv1.weight' has external data 'conv1.bin', which is a named pipe (FIFO), not a regular file; refused");
        }
    }

    private CliResult[] RunEveryModelCommand(string model)
    {
        var input = Path.Combine(_dir, "in.f32");
        CliRunner.WriteFloats(input, new float[28 * 28]);
        return
        [
            CliRunner.Run("inspect", model),
            CliRunner.Run("run", model, "--input", input, "--output", Path.Combine(_dir, "out.f32")),
            CliRunner.Run("prune", model, "--sparsity", "0.5", "--out", Path.Combine(_dir, "pruned.onnx")),
        ];
    }

    private static void AssertOneErrorLine(CliResult result, string expected)
    {
        Assert.AreEqual(1, result.ExitCode, result.ToString());
        Assert.AreEqual(expected, result.Stderr.TrimEnd('\n', '\r'), result.ToString());
        Assert.AreEqual(string.Empty, result.Stdout, result.ToString());
    }
}
