using ScottPlot;
using Sparsify.Hardware.Zc706.Exploration;
using Sparsify.Hardware.Zc706.Simulation;
using Sparsify.Hardware.Zc706.Timing;

namespace Sparsify.Hardware.Zc706.Report;

/// <summary>The report's charts, drawn with ScottPlot 5 and returned as SVG text (inline in the HTML, no files).</summary>
public static class Charts
{
    private const int Width = 900;
    private const int Height = 420;

    /// <summary>Per-layer cycles stacked by compute, stall, pipeline fill/drain and exposed memory time.</summary>
    public static string CycleBreakdown(SimulationResult result) => Svg(CycleBreakdownPlot(result));

    internal static (Plot Plot, int Width, int Height) CycleBreakdownPlot(SimulationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var layers = Shown(result);
        var plot = new Plot();
        (string Label, Func<LayerTiming, long> Value, Color Color)[] parts =
        [
            ("compute", l => l.ComputeCycles, Colors.SteelBlue),
            ("stall (imbalance)", l => l.StallCycles, Colors.OrangeRed),
            ("fill / drain", l => l.FillDrainCycles, Colors.Gold),
            ("memory (exposed DDR)", l => l.MemoryCycles, Colors.Gray),
        ];
        var bars = new List<Bar>();
        for (var i = 0; i < layers.Length; i++)
        {
            double bottom = 0;
            foreach (var (_, value, color) in parts)
            {
                var top = bottom + (value(layers[i]) / 1e3);
                bars.Add(new Bar { Position = i, ValueBase = bottom, Value = top, FillColor = color, Size = 0.7 });
                bottom = top;
            }
        }

        plot.Add.Bars(bars);
        foreach (var (label, _, color) in parts)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = label, FillColor = color });
        }

        plot.ShowLegend(Alignment.UpperRight);
        Layout(plot, layers, $"{result.Model}: cycles per layer ({result.Config.Name})", "thousand cycles");
        return (plot, Width, Height);
    }

    /// <summary>Per-layer utilisation of the MAC units (nonzero MACs / (MACs × cycles)).</summary>
    public static string Utilisation(SimulationResult result) => Svg(UtilisationPlot(result));

    internal static (Plot Plot, int Width, int Height) UtilisationPlot(SimulationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var layers = result.Layers.Where(l => l.OnArray).ToArray();
        var plot = new Plot();
        var bars = layers.Select((l, i) => new Bar
        {
            Position = i,
            Value = l.Utilisation * 100,
            FillColor = l.MemoryBound ? Colors.Gray : Colors.SteelBlue,
            Size = 0.7,
        }).ToList();
        plot.Add.Bars(bars);
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "compute-bound", FillColor = Colors.SteelBlue });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "memory-bound", FillColor = Colors.Gray });
        plot.ShowLegend(Alignment.UpperRight);
        Layout(plot, layers, $"{result.Model}: MAC utilisation per layer", "utilisation (%)");
        plot.Axes.SetLimitsY(0, 100);
        return (plot, Width, Height);
    }

    /// <summary>
    /// Roofline in log10 axes: attainable GOPS = min(peak, DDR bandwidth × operational intensity),
    /// with each array layer at its effective ops per DDR byte and effective GOPS.
    /// </summary>
    public static string Roofline(SimulationResult result) => Svg(RooflinePlot(result));

    internal static (Plot Plot, int Width, int Height) RooflinePlot(SimulationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var c = result.Config;
        var plot = new Plot();
        var ridge = c.PeakGops / c.DdrBandwidthGBps;
        double[] xs = [Math.Log10(ridge / 100), Math.Log10(ridge), Math.Log10(ridge * 100)];
        double[] ys = [Math.Log10(c.DdrBandwidthGBps * ridge / 100), Math.Log10(c.PeakGops), Math.Log10(c.PeakGops)];
        var roof = plot.Add.Scatter(xs, ys);
        roof.LegendText = $"roof: {c.PeakGops:F0} GOPS peak, {c.DdrBandwidthGBps:0.0#} GB/s";
        roof.Color = Colors.Black;
        roof.MarkerSize = 0;
        var palette = new ScottPlot.Palettes.Category10();
        var layers = result.Layers.Where(l => l.OnArray && l.Traffic.Total > 0 && l.TotalCycles > 0).ToArray();
        for (var i = 0; i < layers.Length; i++)
        {
            var l = layers[i];
            var seconds = l.TotalCycles / (c.ClockMHz * 1e6);
            var intensity = 2.0 * l.NonZeroMacs / l.Traffic.Total;
            var gops = 2.0 * l.NonZeroMacs / seconds / 1e9;
            if (intensity <= 0 || gops <= 0)
            {
                continue;
            }

            var point = plot.Add.Scatter(new[] { Math.Log10(intensity) }, new[] { Math.Log10(gops) });
            point.LegendText = l.Layer;
            point.Color = palette.GetColor(i);
            point.MarkerSize = 9;
        }

        plot.ShowLegend(Alignment.LowerRight);
        plot.Title($"{result.Model}: roofline (log10 axes)");
        plot.XLabel("log10 operational intensity (ops per DDR byte)");
        plot.YLabel("log10 effective GOPS");
        return (plot, Width, Height);
    }

    /// <summary>Heat map of nonzeros held per PE (columns) per array layer (rows), as a share of the layer's mean per PE.</summary>
    public static string NonZerosPerPe(SimulationResult result) => Svg(NonZerosPerPePlot(result));

    internal static (Plot Plot, int Width, int Height) NonZerosPerPePlot(SimulationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var layers = result.Layers.Where(l => l.OnArray && l.NonZerosPerPe.Count > 0).ToArray();
        var pes = result.Config.PeCount;
        var data = new double[layers.Length, pes];
        for (var r = 0; r < layers.Length; r++)
        {
            var mean = layers[r].NonZerosPerPe.Average();
            for (var p = 0; p < pes; p++)
            {
                data[r, p] = mean == 0 ? 0 : layers[r].NonZerosPerPe[p] / mean;
            }
        }

        var plot = new Plot();
        var heat = plot.Add.Heatmap(data);
        heat.Colormap = new ScottPlot.Colormaps.Viridis();
        plot.Add.ColorBar(heat);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, layers.Length).Select(i => (double)(layers.Length - 1 - i)).ToArray(), layers.Select(l => l.Layer).ToArray());
        plot.Title($"{result.Model}: nonzeros per PE / layer mean");
        plot.XLabel("PE");
        return (plot, Width, Math.Max(Height, 60 + (24 * layers.Length)));
    }

    /// <summary>The explored configurations: DSP48E1 used against whole-model effective GOPS, the best marked.</summary>
    public static string Exploration(ExplorationResult exploration) => Svg(ExplorationPlot(exploration));

    internal static (Plot Plot, int Width, int Height) ExplorationPlot(ExplorationResult exploration)
    {
        ArgumentNullException.ThrowIfNull(exploration);
        var plot = new Plot();
        var all = plot.Add.ScatterPoints(
            exploration.Points.Select(p => (double)p.Resources.Dsp).ToArray(),
            exploration.Points.Select(p => p.Total.EffectiveGops).ToArray());
        all.LegendText = $"{exploration.Points.Count} configurations within budget";
        all.MarkerSize = 4;
        if (exploration.Points.Count > 0)
        {
            var best = plot.Add.ScatterPoints(new[] { (double)exploration.Best.Resources.Dsp }, new[] { exploration.Best.Total.EffectiveGops });
            best.LegendText = $"best: {exploration.Best.Config.Name}";
            best.MarkerSize = 12;
            best.Color = Colors.OrangeRed;
        }

        plot.ShowLegend(Alignment.LowerRight);
        plot.Title($"{exploration.Model} ({exploration.Scheme}): design space");
        plot.XLabel("DSP48E1");
        plot.YLabel("effective GOPS");
        return (plot, Width, Height);
    }

    private static string Svg((Plot Plot, int Width, int Height) chart) => chart.Plot.GetSvgXml(chart.Width, chart.Height);

    private static LayerTiming[] Shown(SimulationResult result) => result.Layers.Where(l => l.TotalCycles > 0).ToArray();

    private static void Layout(Plot plot, LayerTiming[] layers, string title, string yLabel)
    {
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, layers.Length).Select(i => (double)i).ToArray(), layers.Select(l => l.Layer).ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Margins(bottom: 0);
        plot.Axes.Bottom.MinimumSize = 80;
        plot.Title(title);
        plot.YLabel(yLabel);
    }
}
