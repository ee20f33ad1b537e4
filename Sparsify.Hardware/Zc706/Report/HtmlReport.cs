using System.Globalization;
using System.Net;
using System.Text;
using Sparsify.Hardware.Zc706.Config;
using Sparsify.Hardware.Zc706.Exploration;
using Sparsify.Hardware.Zc706.Resources;
using Sparsify.Hardware.Zc706.Simulation;

namespace Sparsify.Hardware.Zc706.Report;

/// <summary>A published figure shown beside the modelled one.</summary>
/// <param name="Label">What it is.</param>
/// <param name="Published">The published value.</param>
/// <param name="Modelled">The model's value.</param>
/// <param name="Note">Why they differ, briefly.</param>
public sealed record Comparison(string Label, double Published, double Modelled, string Note);

/// <summary>
/// Writes one self-contained HTML page per model: configuration (every assumption), resources against
/// the XC7Z045, totals, a per-layer table and the charts as inline SVG, viewable offline.
/// </summary>
public static class HtmlReport
{
    /// <summary>The page as text.</summary>
    public static string Render(SimulationResult result, IReadOnlyList<ExplorationResult>? explorations = null, IReadOnlyList<Comparison>? comparisons = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        Append(h, $"<title>{E(result.Model)} on the ZC706 PE array</title>");
        h.Append("<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}figure{margin:1.5em 0}svg{max-width:100%;height:auto}</style>");
        h.Append("</head><body>\n");
        Append(h, $"<h1>{E(result.Model)} on the ZC706 PE array</h1>");
        var total = result.Total;
        var conv = result.Convolutions;
        Append(h, $"<p>Whole model: <b>{total.EffectiveGops:F1} GOPS</b> effective, <b>{total.DenseEquivalentGops:F1} GOPS</b> dense-equivalent, {total.Seconds * 1e3:F2} ms per image, utilisation {total.Utilisation:P1}, {total.Watts:F2} W, {total.GopsPerWatt:F1} GOPS/W. Convolutions only: {conv.EffectiveGops:F1} GOPS effective, {conv.DenseEquivalentGops:F1} dense-equivalent.</p>");
        if (comparisons is { Count: > 0 })
        {
            h.Append("<h2>Against published figures</h2><table><tr><th>figure</th><th>published</th><th>modelled</th><th>ratio</th><th>why</th></tr>");
            foreach (var c in comparisons)
            {
                Append(h, $"<tr><td>{E(c.Label)}</td><td>{c.Published:F1}</td><td>{c.Modelled:F1}</td><td>{c.Modelled / c.Published:F2}</td><td style=\"text-align:left\">{E(c.Note)}</td></tr>");
            }

            h.Append("</table>\n");
        }

        ConfigTable(h, result.Config, result.Resources);
        LayerTable(h, result);
        Figure(h, Charts.CycleBreakdown(result), "Cycles per layer: compute (balanced share), stalls from imbalance, pipeline fill and drain, and DDR time not hidden by double buffering.");
        Figure(h, Charts.Utilisation(result), "Useful MACs over MAC units × cycles, per array layer.");
        Figure(h, Charts.Roofline(result), "Roofline: the array's peak and DDR bandwidth; each layer at its effective ops per DDR byte.");
        Figure(h, Charts.NonZerosPerPe(result), "Nonzeros each PE holds, over the layer's mean per PE: 1.0 everywhere is perfect balance.");
        foreach (var x in explorations ?? [])
        {
            Append(h, $"<h2>Design space: {E(x.Scheme)}</h2><p>{x.Points.Count} configurations within budget; dropped: {x.OverBudget} over the XC7Z045, {x.OverClocked} above the clock their resource use closes at, {x.DoesNotFit} with a layer that does not fit a buffer.</p>");
            h.Append("<table><tr><th>configuration</th><th>DSP</th><th>BRAM36</th><th>LUT</th><th>MHz</th><th>GOPS</th><th>dense-eq. GOPS</th><th>stall cycles</th><th>DDR MiB</th></tr>");
            foreach (var p in x.Points.Take(5))
            {
                Append(h, $"<tr><td>{E(p.Config.Name)}</td><td>{p.Resources.Dsp}</td><td>{p.Resources.Bram36}</td><td>{p.Resources.Lut:N0}</td><td>{p.Config.ClockMHz:0}</td><td>{p.Total.EffectiveGops:F1}</td><td>{p.Total.DenseEquivalentGops:F1}</td><td>{p.StallCycles:N0}</td><td>{p.DdrBytes / 1048576.0:F1}</td></tr>");
            }

            h.Append("</table>\n");
            Figure(h, Charts.Exploration(x), "Every configuration within budget.");
        }

        h.Append("</body></html>\n");
        return h.ToString();
    }

    /// <summary>Writes the page to <paramref name="path"/>.</summary>
    public static void Write(string path, SimulationResult result, IReadOnlyList<ExplorationResult>? explorations = null, IReadOnlyList<Comparison>? comparisons = null) =>
        File.WriteAllText(path, Render(result, explorations, comparisons), new UTF8Encoding(false));

    private static void ConfigTable(StringBuilder h, Zc706Config c, ResourceEstimate r)
    {
        h.Append("<h2>Configuration and resources</h2><table><tr><th>parameter</th><th>value</th></tr>");
        Row(h, "clock", $"{c.ClockMHz:0.#} MHz");
        Row(h, "PEs × G channels × positions", $"{c.PeCount} × {c.GroupSize} × {c.PixelsPerPe} = {c.MacUnits} MACs");
        Row(h, "weight / input / partial-sum buffer per PE", $"{c.WeightBufferBytesPerPe:N0} / {c.InputBufferBytesPerPe:N0} / {c.OutputBufferBytesPerPe:N0} bytes");
        Row(h, "DDR", $"{c.DdrBandwidthGBps:0.0#} GB/s, {c.BurstBytes}-byte bursts, {c.BurstOverheadCycles} cycles per burst");
        Row(h, "values / indices / partial sums", $"{c.ValueBits} / {c.IndexBits} / {c.PartialSumBits} bits");
        Row(h, "pipeline fill + drain", $"{c.PipelineDepth} cycles per step");
        Row(h, "double buffering", c.DoubleBuffering ? "yes" : "no");
        Row(h, "arithmetic", c.Arithmetic == Arithmetic.Fixed16 ? $"16-bit, activations Q{15 - c.ActivationFractionBits}.{c.ActivationFractionBits}, weights Q{15 - c.WeightFractionBits}.{c.WeightFractionBits}" : "fp32");
        Row(h, "DSP48E1", $"{r.Dsp} of {DeviceBudget.Dsp} ({r.DspShare:P0})");
        Row(h, "BRAM36", $"{r.Bram36} of {DeviceBudget.Bram36} ({r.Bram36Share:P0}): weights {r.WeightBram36}, inputs {r.InputBram36}, partial sums {r.OutputBram36}");
        Row(h, "LUT", $"{r.Lut:N0} of {DeviceBudget.Lut:N0} ({r.LutShare:P0})");
        h.Append("</table>\n");
    }

    private static void LayerTable(StringBuilder h, SimulationResult result)
    {
        h.Append("<h2>Layers</h2><table><tr><th>layer</th><th>op</th><th>dense MMAC</th><th>nonzero MMAC</th><th>cycles</th><th>compute</th><th>stall</th><th>memory</th><th>util.</th><th>DDR KiB</th><th>bound</th><th>order</th></tr>");
        foreach (var l in result.Layers.Where(l => l.TotalCycles > 0))
        {
            Append(h, $"<tr><td>{E(l.Layer)}</td><td>{E(l.Label)}</td><td>{l.DenseMacs / 1e6:F1}</td><td>{l.NonZeroMacs / 1e6:F1}</td><td>{l.TotalCycles:N0}</td><td>{l.ComputeCycles:N0}</td><td>{l.StallCycles:N0}</td><td>{l.MemoryCycles:N0}</td><td>{l.Utilisation:P0}</td><td>{l.Traffic.Total / 1024.0:N0}</td><td>{(l.OnArray ? l.MemoryBound ? "memory" : "compute" : "post")}</td><td>{E(l.LoopOrder)}</td></tr>");
        }

        h.Append("</table>\n");
    }

    private static void Figure(StringBuilder h, string svg, string caption)
    {
        var start = svg.IndexOf("<svg", StringComparison.Ordinal);
        h.Append("<figure>").Append(start > 0 ? svg[start..] : svg);
        Append(h, $"<figcaption>{E(caption)}</figcaption></figure>\n");
    }

    private static void Row(StringBuilder h, string name, FormattableString value) => Append(h, $"<tr><td>{E(name)}</td><td>{E(value.ToString(CultureInfo.InvariantCulture))}</td></tr>");

    private static void Row(StringBuilder h, string name, string value) => Append(h, $"<tr><td>{E(name)}</td><td>{E(value)}</td></tr>");

    private static void Append(StringBuilder h, FormattableString text) => h.Append(text.ToString(CultureInfo.InvariantCulture));

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
