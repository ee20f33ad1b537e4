using System.Reflection;
using System.Runtime.InteropServices;

namespace Sparsify.Cli.Tests.Support;

/// <summary>The outcome of one in-process run of the command line.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

internal static class CliRunner
{
    public static CliResult Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = Program.Run(args, stdout, stderr);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    public static string ResNet18Path =>
        typeof(CliRunner).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ResNet18Path").Value!;

    /// <summary>A fresh directory under the temp folder, removed by the caller.</summary>
    public static string TempDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "sparsify-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    public static float[] SeededValues(int count, int seed) => Sparsify.Training.Models.SeededTensors.UniformValues(count, seed);

    public static void WriteFloats(string path, float[] values) => File.WriteAllBytes(path, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    public static float[] ReadFloats(string path) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path)).ToArray();
}
