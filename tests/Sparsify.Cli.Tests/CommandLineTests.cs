using Sparsify.Cli.Tests.Support;
using Sparsify.Core.Execution;
using Sparsify.Core.Ir;
using Sparsify.Training.Models;
using Sparsify.Core.Onnx;

namespace Sparsify.Cli.Tests;

[TestClass]
public sealed class CommandLineTests
{
    private const int LeNetInputCount = 1 * 1 * 28 * 28;

    private string _dir = null!;
    private string _lenet = null!;

    [TestInitialize]
    public void CreateLeNet()
    {
        _dir = CliRunner.TempDirectory();
        _lenet = Path.Combine(_dir, "lenet5.onnx");
        OnnxModel.Save(ModelBuilders.LeNet5(seed: 7), _lenet);
    }

    [TestCleanup]
    public void RemoveFiles() => Directory.Delete(_dir, recursive: true);

    [TestMethod]
    public void Inspect_LeNet5_ListsEveryLayerAndTotals()
    {
        var result = CliRunner.Run("inspect", _lenet);

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        Assert.AreEqual(string.Empty, result.Stderr);
        var graph = OnnxModel.Load(_lenet);
        foreach (var layer in graph.Layers)
        {
            StringAssert.Contains(result.Stdout, layer.Name, result.ToString());
        }

        // conv1 288,000 + conv2 1,600,000 + fc1 400,000 + fc2 5,000.
        Assert.AreEqual(2_293_000, graph.MacCount);
        StringAssert.Contains(result.Stdout, "2,293,000");
        StringAssert.Contains(result.Stdout, "1,600,000");
        StringAssert.Contains(result.Stdout, "431,080");
        StringAssert.Contains(result.Stdout, "0.005 GOP");
        StringAssert.Contains(result.Stdout, "1x20x24x24");
    }

    [TestMethod]
    public void Run_LeNet5_WritesTheReferenceExecutorsOutput()
    {
        var input = CliRunner.SeededValues(LeNetInputCount, seed: 3);
        var inputPath = Path.Combine(_dir, "in.f32");
        var outputPath = Path.Combine(_dir, "out.f32");
        CliRunner.WriteFloats(inputPath, input);

        var result = CliRunner.Run("run", _lenet, "--input", inputPath, "--output", outputPath, "--threads", "1");

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        var graph = OnnxModel.Load(_lenet);
        var expected = new ReferenceExecutor(graph, new ExecutorOptions { MaxDegreeOfParallelism = 1 })
            .Run([new Tensor(graph.Inputs[0].Shape, input)])[0].Data;
        var actual = CliRunner.ReadFloats(outputPath);
        Assert.HasCount(10, actual);
        CollectionAssert.AreEqual(expected, actual);
        Assert.HasCount(1, result.StderrLines, result.ToString());
        StringAssert.Contains(result.Stderr, "1x10");
        StringAssert.Contains(result.Stderr, " ms");
        CollectionAssert.AreEquivalent(new[] { "lenet5.onnx", "in.f32", "out.f32" }, Directory.GetFiles(_dir).Select(Path.GetFileName).ToArray());
    }

    [TestMethod]
    public void Run_WrongInputLength_FailsWithOneLineNamingTheExpectedLength()
    {
        var inputPath = Path.Combine(_dir, "in.f32");
        var outputPath = Path.Combine(_dir, "out.f32");
        CliRunner.WriteFloats(inputPath, CliRunner.SeededValues(LeNetInputCount - 1, seed: 3));

        var result = CliRunner.Run("run", _lenet, "--input", inputPath, "--output", outputPath);

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        Assert.HasCount(1, result.StderrLines, result.ToString());
        StringAssert.StartsWith(result.Stderr, "error: ");
        StringAssert.Contains(result.Stderr, "expected 784 float32 values");
        StringAssert.Contains(result.Stderr, "1x1x28x28");
        StringAssert.Contains(result.Stderr, "got 783");
        Assert.IsFalse(File.Exists(outputPath));
    }

    [TestMethod]
    public void Run_InputNotAWholeNumberOfFloats_FailsWithOneLine()
    {
        var inputPath = Path.Combine(_dir, "in.f32");
        File.WriteAllBytes(inputPath, new byte[(LeNetInputCount * 4) + 1]);

        var result = CliRunner.Run("run", _lenet, "--input", inputPath, "--output", Path.Combine(_dir, "out.f32"));

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        Assert.HasCount(1, result.StderrLines, result.ToString());
        StringAssert.Contains(result.Stderr, "expected 784 float32 values");
        StringAssert.Contains(result.Stderr, "3,137 bytes");
    }

    [TestMethod]
    public void Run_MissingInputFile_FailsWithOneLine()
    {
        var result = CliRunner.Run("run", _lenet, "--input", Path.Combine(_dir, "absent.f32"), "--output", Path.Combine(_dir, "out.f32"));

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        Assert.AreEqual($"error: {Path.Combine(_dir, "absent.f32")}: input file not found", result.Stderr.Trim());
    }

    [TestMethod]
    public void Inspect_CorruptModel_FailsWithOneLineAndNoStackTrace()
    {
        var path = Path.Combine(_dir, "corrupt.onnx");
        var bytes = new byte[4096];
        new Random(11).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);

        foreach (var args in new[] { new[] { "inspect", path }, new[] { "run", path, "--input", path, "--output", Path.Combine(_dir, "out.f32") } })
        {
            var result = CliRunner.Run(args);

            Assert.AreEqual(1, result.ExitCode, result.ToString());
            Assert.HasCount(1, result.StderrLines, result.ToString());
            StringAssert.StartsWith(result.Stderr, "error: ");
            StringAssert.Contains(result.Stderr, path);
            Assert.IsFalse(result.Stderr.Contains("   at ", StringComparison.Ordinal), result.ToString());
            Assert.AreEqual(string.Empty, result.Stdout);
        }
    }

    [TestMethod]
    public void Inspect_MissingModel_FailsWithOneLine()
    {
        var result = CliRunner.Run("inspect", Path.Combine(_dir, "absent.onnx"));

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        Assert.HasCount(1, result.StderrLines, result.ToString());
        StringAssert.Contains(result.Stderr, "absent.onnx");
    }

    [TestMethod]
    public void UsageErrors_ExitWithTwoAndOneLine()
    {
        string[][] cases =
        [
            ["run", _lenet, "--input", "x.f32"],
            ["run", _lenet, "--input", "x.f32", "--output", "y.f32", "--threads", "0"],
            ["run", _lenet, "--input", "x.f32", "--output", "y.f32", "--threads", "many"],
            ["inspect", _lenet, "--input-shape", "input"],
            ["inspect", _lenet, "--input-shape", "input=1x0x28x28"],
            ["build-model", "resnet", "--out", Path.Combine(_dir, "x.onnx")],
            ["frobnicate"],
            [],
        ];
        foreach (var args in cases)
        {
            var result = CliRunner.Run(args);

            Assert.AreEqual(2, result.ExitCode, $"{string.Join(' ', args)}: {result}");
            Assert.HasCount(1, result.StderrLines, $"{string.Join(' ', args)}: {result}");
            StringAssert.StartsWith(result.Stderr, "error: ");
        }
    }

    [TestMethod]
    public void Inspect_InputShapeForAnUnknownInput_FailsWithTheModelsMessage()
    {
        var result = CliRunner.Run("inspect", _lenet, "--input-shape", "data=1x1x28x28");

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stderr, "'data'");
        StringAssert.Contains(result.Stderr, "'input'");
    }

    [TestMethod]
    public void BuildModel_WritesALoadableModel()
    {
        var path = Path.Combine(_dir, "built.onnx");

        var result = CliRunner.Run("build-model", "lenet5", "--out", path, "--seed", "7");

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stdout, "2,293,000 MACs");
        var graph = OnnxModel.Load(path);
        Assert.AreEqual(2_293_000, graph.MacCount);
        Assert.AreEqual(431_080, graph.ParameterCount);
        CollectionAssert.AreEqual(File.ReadAllBytes(_lenet), File.ReadAllBytes(path), "the same seed should give the same model");
    }

    [TestMethod]
    public void Help_ExitsWithZero()
    {
        var result = CliRunner.Run("run", "--help");

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stdout, "--input");
        StringAssert.Contains(result.Stdout, "--threads");
    }
}
