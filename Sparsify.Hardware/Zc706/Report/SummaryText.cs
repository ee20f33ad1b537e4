using System.Globalization;
using System.Text;
using Sparsify.Hardware.Zc706.Simulation;

namespace Sparsify.Hardware.Zc706.Report;

/// <summary>A plain-text per-layer table of a simulation, for the console.</summary>
public static class SummaryText
{
    /// <summary>Formats <paramref name="result"/>.</summary>
    public static string Format(SimulationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var c = result.Config;
        var r = result.Resources;
        var s = new StringBuilder();
        Line(s, $"{result.Model} on {c.Name}: {c.PeCount} PEs x {c.GroupSize} channels x {c.PixelsPerPe} positions = {c.MacUnits} MACs at {c.ClockMHz:0.#} MHz, {c.DdrBandwidthGBps:0.0#} GB/s DDR");
        Line(s, $"resources: DSP48E1 {r.Dsp}/{Resources.DeviceBudget.Dsp} ({r.DspShare:P0}), BRAM36 {r.Bram36}/{Resources.DeviceBudget.Bram36} ({r.Bram36Share:P0}), LUT {r.Lut:N0}/{Resources.DeviceBudget.Lut:N0} ({r.LutShare:P0})");
        Line(s, $"{"layer",-14} {"op",-14} {"dense MMAC",10} {"nz MMAC",9} {"cycles",11} {"compute",11} {"stall",10} {"memory",10} {"fill",7} {"util",6} {"DDR KB",9} {"bound",7} {"passes",6} {"bands",5} order");
        foreach (var l in result.Layers.Where(l => l.TotalCycles > 0))
        {
            Line(s, $"{Trim(l.Layer, 14),-14} {l.Label,-14} {l.DenseMacs / 1e6,10:F1} {l.NonZeroMacs / 1e6,9:F1} {l.TotalCycles,11:N0} {l.ComputeCycles,11:N0} {l.StallCycles,10:N0} {l.MemoryCycles,10:N0} {l.FillDrainCycles,7:N0} {l.Utilisation,6:P0} {l.Traffic.Total / 1024.0,9:N0} {(l.OnArray ? (l.MemoryBound ? "memory" : "compute") : "post"),7} {l.Passes,6} {l.Bands,5} {l.LoopOrder}");
        }

        Total(s, "total", result.Total);
        if (result.Layers.Any(l => l.Op == "Gemm"))
        {
            Total(s, "conv only", result.Convolutions);
        }

        return s.ToString();
    }

    private static void Total(StringBuilder s, string label, Throughput t) =>
        Line(s, $"{label}: {t.Seconds * 1e3:F2} ms, {t.EffectiveGops:F1} GOPS effective, {t.DenseEquivalentGops:F1} GOPS dense-equivalent, utilisation {t.Utilisation:P1}, DDR {t.DdrBytes / 1048576.0:F1} MiB, {t.Watts:F2} W, {t.Joules * 1e3:F1} mJ, {t.GopsPerWatt:F1} GOPS/W");

    private static string Trim(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "~";

    private static void Line(StringBuilder s, FormattableString text) => s.Append(text.ToString(CultureInfo.InvariantCulture)).Append('\n');
}
