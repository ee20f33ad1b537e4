using System.Text.Json;
using Sparsify.Cli.Tests.Support;

namespace Sparsify.Cli.Tests;

[TestClass]
public sealed class SimulateCommandTests
{
    private string _dir = null!;

    [TestInitialize]
    public void CreateDirectory() => _dir = CliRunner.TempDirectory();

    [TestCleanup]
    public void RemoveFiles() => Directory.Delete(_dir, recursive: true);

    [TestMethod]
    public void Simulate_LeNet5_WritesReportAndJson()
    {
        var html = Path.Combine(_dir, "lenet.html");
        var json = Path.Combine(_dir, "lenet.json");

        var result = CliRunner.Run("simulate", "lenet5", "--sparsity", "0.5", "--functional", "--report", html, "--json", json);

        Assert.AreEqual(0, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stdout, "GOPS", result.ToString());
        var page = File.ReadAllText(html);
        StringAssert.Contains(page, "<svg", "the report has no inline chart");
        Assert.IsFalse(page.Contains("src=\"http", StringComparison.Ordinal), "the report loads something from the network");
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        Assert.AreNotEqual(JsonValueKind.Undefined, document.RootElement.ValueKind);
    }

    [TestMethod]
    public void Simulate_ConfigOverTheDeviceBudget_FailsWithOneLine()
    {
        var config = Path.Combine(_dir, "too-big.json");
        File.WriteAllText(config, """{ "peCount": 64, "groupSize": 8, "pixelsPerPe": 4 }""");

        var result = CliRunner.Run("simulate", "lenet5", "--sparsity", "0.5", "--config", config);

        Assert.AreEqual(1, result.ExitCode, result.ToString());
        StringAssert.Contains(result.Stderr, "DSP48E1", result.ToString());
        Assert.AreEqual(1, result.Stderr.Trim().Split('\n').Length, result.ToString());
    }
}
