using System.Runtime.InteropServices;
using Sparsify.Cli.Tests.Support;
using Sparsify.Core.Onnx;
using Sparsify.Training.Models;

namespace Sparsify.Cli.Tests;

[TestClass]
public sealed class CalibrationCommandTests
{
    private string _dir = null!;
    private string _lenet = null!;
    private string _inputs = null!;

    [TestInitialize]
    public void WriteModelAndInputs()
    {
        _dir = CliRunner.TempDirectory();
        _lenet = Path.Combine(_dir, "lenet.onnx");
        OnnxModel.Save(ModelBuilders.LeNet5(seed: 3), _lenet);
        _inputs = Directory.CreateDirectory(Path.Combine(_dir, "inputs")).FullName;
        for (var i = 0; i < 10; i++)
        {
            var random = new Random(i);
            var values = Enumerable.Range(0, 784).Select(p => (p / 28 + i) % 4 == 0 ? (float)random.NextDouble() : 0f).ToArray();
            File.WriteAllBytes(Path.Combine(_inputs, $"digit{i}.f32"), MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
        }
    }

    [TestCleanup]
    public void Clean() => Directory.Delete(_dir, recursive: true);

    [TestMethod]
    public void Prune_WithCalibration_IsDataAwareAndReportsTheHeldOutFidelity()
    {
        var output = Path.Combine(_dir, "pruned.onnx");
        var result = CliRunner.Run("prune", _lenet, "--scheme", "locality", "--sparsity", "0.7", "--calibration", _inputs, "--out", output);

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stdout, "data-aware: 8 calibration inputs");
        StringAssert.Contains(result.Stdout, "held-out fidelity on 2 inputs: mean cosine");
        Assert.IsTrue(File.Exists(output));
    }

    [TestMethod]
    public void Prune_ToAFidelityTarget_PrintsThePlanAndTheValidatedFidelity()
    {
        var output = Path.Combine(_dir, "planned.onnx");
        var result = CliRunner.Run("prune", _lenet, "--scheme", "unstructured", "--sparsity", "0.9", "--fidelity-target", "0.9", "--calibration", _inputs, "--validation-fraction", "0.3", "--out", output);

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stdout, "fidelity target 0.9: ");
        StringAssert.Contains(result.Stdout, "planned: conv2 ");
        Assert.IsTrue(File.Exists(output));
    }

    [TestMethod]
    [DataRow("1.5", "FidelityTarget must be in (0, 1]")]
    [DataRow("0.9", "--fidelity-target needs --calibration")]
    public void Prune_ABadFidelityTarget_IsAClearErrorAndWritesNothing(string target, string message)
    {
        var output = Path.Combine(_dir, "planned.onnx");
        string[] calibration = target == "0.9" ? [] : ["--calibration", _inputs];
        var result = CliRunner.Run(["prune", _lenet, "--fidelity-target", target, .. calibration, "--out", output]);

        Assert.AreNotEqual(0, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stderr, message);
        Assert.IsFalse(File.Exists(output));
    }

    [TestMethod]
    public void Fidelity_OnRealInputs_ComparesMagnitudeWithDataAware()
    {
        var json = Path.Combine(_dir, "rows.json");
        var result = CliRunner.Run("fidelity", _lenet, "--schemes", "unstructured", "--sparsities", "0.7", "--calibration", _inputs, "--validation-fraction", "0.3", "--json", json);

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stdout, "magnitude");
        StringAssert.Contains(result.Stdout, "data-aware");
        StringAssert.Contains(File.ReadAllText(json), "\"heldOut\"");
    }

    [TestMethod]
    public void Fidelity_RefusesDataThatWasCalibratedOn()
    {
        var result = CliRunner.Run("fidelity", _lenet, "--schemes", "unstructured", "--sparsities", "0.5", "--calibration", _inputs, "--data", Path.Combine(_inputs, "digit0.f32"));

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stderr, "also calibration files");
    }

    [TestMethod]
    public void Prune_WithUnusableCalibration_IsOneErrorLineNamingTheFile()
    {
        File.WriteAllBytes(Path.Combine(_inputs, "digit3.f32"), new byte[12]);
        var result = CliRunner.Run("prune", _lenet, "--sparsity", "0.5", "--calibration", _inputs, "--out", Path.Combine(_dir, "x.onnx"));

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stderr, "digit3.f32");
        Assert.IsFalse(File.Exists(Path.Combine(_dir, "x.onnx")));
    }
}
