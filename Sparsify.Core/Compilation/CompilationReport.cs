using System.Globalization;
using System.Text;
using Sparsify.Core.Formats;
using Sparsify.Core.Ir;
using Sparsify.Core.Sparsity;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Core.Compilation;

/// <summary>One row of the compilation report.</summary>
/// <param name="Layer">The layer's name.</param>
/// <param name="Op">Its op type.</param>
/// <param name="OutputShape">Its output shape.</param>
/// <param name="Matrix">The weight matrix as ROWSxCOLS, or empty without weights.</param>
/// <param name="Sparsity">Fraction of weights removed (0 without weights).</param>
/// <param name="NonZeros">Kept weights.</param>
/// <param name="Bytes">Bytes of the weights as stored (blob arrays, or 4 per unrolled weight in code).</param>
/// <param name="Imbalance">Load imbalance across the PE partitions (1 = even).</param>
/// <param name="Format">dense, csr, group or unrolled; empty without weights.</param>
/// <param name="Plan">How it runs.</param>
/// <param name="Reason">Why.</param>
public sealed record CompilationReportRow(
    string Layer, string Op, string OutputShape, string Matrix, double Sparsity, long NonZeros, long Bytes, double Imbalance, string Format, LayerExecution Plan, string Reason);

/// <summary>What a compilation produced, per layer and in total: the text written to <c>&lt;base&gt;.report.txt</c> and logged by the build.</summary>
public sealed class CompilationReport
{
    private CompilationReport(
        string model, string scheme, IReadOnlyList<CompilationReportRow> rows, ModelSparsityReport sparsity, long blobBytes, CalibrationSummary? calibration, ExecutionPlan execution)
    {
        Execution = execution;
        Calibration = calibration;
        Model = model;
        Scheme = scheme;
        Rows = rows;
        Sparsity = sparsity;
        BlobBytes = blobBytes;
    }

    /// <summary>The model's name.</summary>
    public string Model { get; }

    /// <summary>The scheme's name.</summary>
    public string Scheme { get; }

    /// <summary>One row per layer, in execution order.</summary>
    public IReadOnlyList<CompilationReportRow> Rows { get; }

    /// <summary>The pruning report behind it.</summary>
    public ModelSparsityReport Sparsity { get; }

    /// <summary>Bytes of the weight blob.</summary>
    public long BlobBytes { get; }

    /// <summary>How calibration data were used and the held-out fidelity; null when the model was pruned without data.</summary>
    public CalibrationSummary? Calibration { get; }

    /// <summary>How the layers run, as the lowering passes decided (the manifest's execution plan).</summary>
    public ExecutionPlan Execution { get; }

    /// <summary>One line on the execution plan: steps, layers folded and chained, buffers.</summary>
    public string ExecutionLine
    {
        get
        {
            var steps = Execution.Steps;
            return string.Create(
                CultureInfo.InvariantCulture,
                $"execution: {steps.Count} steps for {Rows.Count} layers ({steps.Sum(s => s.Fused.Count)} folded into epilogues, {steps.Count(s => s.Feeds is not null)} convolutions writing the next one's input layout, {steps.Count(s => s.Companion is not null)} companion pairs); {Execution.BufferLengths.Count} activation buffers, {Execution.BufferLengths.Sum(b => (long)b) * 4:N0} B; passes {string.Join(", ", Lowering.ExecutionLowering.Passes)}");
        }
    }

    /// <summary>One line on the pruning's data: the calibration summary, or that there was none.</summary>
    public string DataLine => Calibration?.Line
        ?? "no calibration data: pruned by weight magnitude alone, which keeps little accuracy at high sparsity; set Calibration to a folder of images to prune data-aware";

    /// <summary>One line: model, scheme, sparsity, nonzeros, plan counts, blob size.</summary>
    public string Summary
    {
        get
        {
            var counts = string.Join(", ", Enum.GetValues<LayerExecution>().Select(p => $"{Rows.Count(r => r.Plan == p && r.Matrix.Length > 0)} {p}"));
            return string.Create(CultureInfo.InvariantCulture, $"{Model}: {Scheme} sparsity {Sparsity.Sparsity:0.0000}, {Sparsity.NonZeros:N0} of {Sparsity.Weights:N0} weights kept; weighted layers: {counts}; blob {BlobBytes:N0} B");
        }
    }

    /// <summary>The per-layer table, the totals and the summary line.</summary>
    public string ToText()
    {
        var c = CultureInfo.InvariantCulture;
        var t = new StringBuilder();
        t.Append(Summary).Append('\n');
        t.Append(DataLine).Append('\n');
        if (Calibration?.Plan is { } plan)
        {
            t.Append(plan.Line).Append('\n').Append(plan.LayersLine).Append('\n');
        }
        t.Append(string.Create(c, $"{"layer",-14} {"op",-18} {"output",-16} {"matrix",-11} {"sparsity",8} {"nonzeros",11} {"bytes",12} {"imbal.",6} {"format",-8} {"plan",-14} reason\n"));
        foreach (var r in Rows)
        {
            t.Append(string.Create(c, $"{r.Layer,-14} {r.Op,-18} {r.OutputShape,-16} {r.Matrix,-11} {r.Sparsity,8:0.0000} {r.NonZeros,11:N0} {r.Bytes,12:N0} {r.Imbalance,6:0.000} {r.Format,-8} {r.Plan,-14} {r.Reason}\n"));
        }

        t.Append(string.Create(c, $"{"total",-14} {string.Empty,-18} {string.Empty,-16} {string.Empty,-11} {Sparsity.Sparsity,8:0.0000} {Sparsity.NonZeros,11:N0} {Rows.Sum(r => r.Bytes),12:N0}\n"));
        t.Append(ExecutionLine).Append('\n');
        foreach (var step in Execution.Steps.Where(s => s.Reason.Length > 0))
        {
            t.Append("  ").Append(step.Layer).Append(": ").Append(step.Reason).Append('\n');
        }

        return t.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => ToText();

    internal static CompilationReport Build(
        ModelGraph graph, ModelSparsityReport sparsity, IReadOnlyList<LayerPlan> plans, IReadOnlyDictionary<string, (string Format, FormatReport? Encoded)> formats, long blobBytes,
        CalibrationSummary? calibration, ExecutionPlan execution)
    {
        var reports = sparsity.Layers.ToDictionary(l => l.LayerName, StringComparer.Ordinal);
        var rows = graph.Layers.Zip(plans).Select(p =>
        {
            var (layer, plan) = p;
            var shape = graph.ShapeOf(layer.Output).ToString();
            if (!reports.TryGetValue(layer.Name, out var s))
            {
                return new CompilationReportRow(layer.Name, layer.OpType, shape, string.Empty, 0, 0, 0, 1, string.Empty, plan.Execution, plan.Reason);
            }

            var (format, encoded) = formats[layer.Name];
            var bytes = encoded?.BytesFp32.Total ?? (format == "unrolled" ? s.NonZeros * 4 : s.Weights * 4);
            return new CompilationReportRow(
                layer.Name, layer.OpType, shape, string.Create(CultureInfo.InvariantCulture, $"{s.Rows}x{s.Columns}"), s.Sparsity, s.NonZeros, bytes, s.LoadImbalance, format, plan.Execution, plan.Reason);
        }).ToArray();
        return new CompilationReport(graph.Name, sparsity.Scheme, rows, sparsity, blobBytes, calibration, execution);
    }
}
