using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;

namespace Sparsify.Benchmarks.Generated;

/// <summary>What the in-process setups learned about each model build (the benchmarks run in this process).</summary>
public static class CpuResults
{
    private static readonly ConcurrentDictionary<ModelCase, CaseBuild> Builds = new();

    /// <summary>Notes one build.</summary>
    public static void Record(ModelCase modelCase, long nonZeroMacs, TimeSpan modelCompile, double? heldOutCosine, GeneratedModelBuild build) =>
        Builds[modelCase] = new CaseBuild(nonZeroMacs, modelCompile, heldOutCosine, build);

    /// <summary>The build of a case, if its setup ran here.</summary>
    public static CaseBuild? Find(ModelCase modelCase) => Builds.TryGetValue(modelCase, out var found) ? found : null;
}

/// <summary>
/// One case's build: kept weights' multiply-adds, the model compiler's time (pruning, planning, a fidelity
/// target's search), the held-out fidelity where measured, and the generated code's build.
/// </summary>
public sealed record CaseBuild(long NonZeroMacs, TimeSpan ModelCompile, double? HeldOutCosine, GeneratedModelBuild Build);

/// <summary>
/// Writes docs/results/cpu.json when a run holds both <see cref="GeneratedModelBenchmarks"/> and
/// <see cref="FmaPeakBenchmarks"/> (run them with <c>--join</c>, so they share one summary): per case (model,
/// sparsity, fidelity target) the held-out fidelity where measured, the medians of both engines, the speed-up, and
/// GFLOP/s on nonzero MACs as a fraction of the peak measured in the same run (its fastest iteration).
/// </summary>
public sealed class CpuResultsExporter : IExporter
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <inheritdoc />
    public string Name => "sparsify-cpu-json";

    /// <inheritdoc />
    public void ExportToLog(Summary summary, ILogger logger)
    {
    }

    /// <inheritdoc />
    public IEnumerable<string> ExportToFiles(Summary summary, ILogger consoleLogger)
    {
        var peakReport = PeakReport(summary, nameof(FmaPeakBenchmarks.Peak));
        var oneThreadReport = PeakReport(summary, nameof(FmaPeakBenchmarks.OneThread));
        var models = summary.Reports.Where(r => r.BenchmarkCase.Descriptor.Type == typeof(GeneratedModelBenchmarks) && r.ResultStatistics is not null).ToArray();
        if (peakReport is null || models.Length == 0)
        {
            return [];
        }

        // The peak is what the cores can do: the fastest iteration. On a shared VM the median drifts with
        // the neighbours' load, which would flatter every fraction of it; for the same reason the 2-thread
        // loop may never see both cores free, so twice the 1-thread peak counts when it is higher.
        var peakGflops = FmaPeakBenchmarks.Flops / peakReport.ResultStatistics!.Min; // flops per ns = GFLOP/s
        if (oneThreadReport is not null)
        {
            peakGflops = Math.Max(peakGflops, FmaPeakBenchmarks.Threads * FmaPeakBenchmarks.FlopsPerThread / oneThreadReport.ResultStatistics!.Min);
        }

        var rows = new List<Row>();
        foreach (var group in models.GroupBy(r => (ModelCase)Param(r, nameof(GeneratedModelBenchmarks.Case))))
        {
            var sparse = group.FirstOrDefault(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == nameof(GeneratedModelBenchmarks.Sparsify));
            var ort = group.FirstOrDefault(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == nameof(GeneratedModelBenchmarks.OnnxRuntimeDense));
            if (sparse is null || ort is null || CpuResults.Find(group.Key) is not { } build)
            {
                continue;
            }

            double ms = sparse.ResultStatistics!.Median / 1e6, ortMs = ort.ResultStatistics!.Median / 1e6;
            var gflops = 2.0 * build.NonZeroMacs / (ms * 1e6);
            var heldOut = build.HeldOutCosine is { } cosine ? Round(cosine) : (double?)null;
            rows.Add(new Row(
                group.Key.Model, "locality", group.Key.Sparsity, group.Key.FidelityTarget, heldOut, Round(ms), Round(ortMs), Round(ortMs / ms), build.NonZeroMacs, Round(gflops), Round(gflops / peakGflops),
                Round(build.Build.FirstCall.TotalMilliseconds), Round(build.ModelCompile.TotalMilliseconds), Round(build.Build.Generate.TotalMilliseconds), Round(build.Build.Compile.TotalMilliseconds), build.Build.SourceBytes));
        }

        var machine = $"{summary.HostEnvironmentInfo.Cpu.Value.ProcessorName} ({summary.HostEnvironmentInfo.Cpu.Value.LogicalCoreCount} logical cores), {summary.HostEnvironmentInfo.RuntimeVersion}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";
        var document = new Document(machine, "2 threads each, batch 1, BenchmarkDotNet medians in one in-process run; peak: the fastest iteration of FmaPeakBenchmarks in the same run, 2 threads or twice 1 thread, whichever is higher", Round(peakGflops), rows);
        var path = Path.Combine(BenchmarkModels.RepoRoot, "docs", "results", "cpu.json");
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(document, Json) + "\n");
        File.Move(temp, path, overwrite: true);
        consoleLogger.WriteLineInfo($"wrote {path}");
        return [path];
    }

    private static BenchmarkReport? PeakReport(Summary summary, string method) => summary.Reports.FirstOrDefault(r =>
        r.BenchmarkCase.Descriptor.Type == typeof(FmaPeakBenchmarks) && r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method && r.ResultStatistics is not null);

    private static object Param(BenchmarkReport report, string name) => report.BenchmarkCase.Parameters[name];

    private static double Round(double value) => Math.Round(value, 4, MidpointRounding.AwayFromZero);

    private sealed record Document(string Machine, string Method, double PeakGflops, IReadOnlyList<Row> Rows);

    // FidelityTarget: null for a uniform sparsity (then Sparsity is exact, else its upper bound); HeldOutCosine: null where not measured.
    private sealed record Row(
        string Model, string Scheme, double Sparsity, double? FidelityTarget, double? HeldOutCosine, double Ms, double OrtMs, double SpeedupVsOrt, long NonZeroMacs, double GflopsOnNonZeros, double PeakFraction,
        double FirstCallMs, double ModelCompileMs, double GenerateMs, double CompileMs, long GeneratedSourceBytes);
}
