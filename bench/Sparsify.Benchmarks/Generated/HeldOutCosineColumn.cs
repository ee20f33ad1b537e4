using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Sparsify.Benchmarks.Generated;

/// <summary>
/// The summary's "Held-out cosine" column: beside each generated model's latency, how close its outputs stay
/// to the dense model's on real photos no build decision saw (ResNet18 with photos; "-" elsewhere).
/// </summary>
public sealed class HeldOutCosineColumn : IColumn
{
    /// <inheritdoc />
    public string Id => nameof(HeldOutCosineColumn);

    /// <inheritdoc />
    public string ColumnName => "Held-out cosine";

    /// <inheritdoc />
    public bool AlwaysShow => true;

    /// <inheritdoc />
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc />
    public int PriorityInCategory => 0;

    /// <inheritdoc />
    public bool IsNumeric => true;

    /// <inheritdoc />
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc />
    public string Legend => $"Mean output cosine against ONNX Runtime's dense model on {SamplePhotos.HeldOutCount} held-out photos";

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        => benchmarkCase.Descriptor.WorkloadMethod.Name == nameof(GeneratedModelBenchmarks.Sparsify)
           && benchmarkCase.Parameters[nameof(GeneratedModelBenchmarks.Case)] is ModelCase modelCase
           && CpuResults.Find(modelCase)?.HeldOutCosine is { } cosine
            ? cosine.ToString("0.0000", CultureInfo.InvariantCulture)
            : "-";

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    /// <inheritdoc />
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    /// <inheritdoc />
    public bool IsAvailable(Summary summary) => true;
}
