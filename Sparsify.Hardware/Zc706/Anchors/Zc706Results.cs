using System.Text;
using System.Text.Json;
using Sparsify.Hardware.Zc706.Exploration;
using Sparsify.Hardware.Zc706.Report;
using Sparsify.Hardware.Zc706.Simulation;

namespace Sparsify.Hardware.Zc706.Anchors;

/// <summary>One anchor: a published figure and what the model gives for the same design.</summary>
/// <param name="Name">The anchor.</param>
/// <param name="PublishedGops">The published GOPS.</param>
/// <param name="ModeledGops">The modelled GOPS.</param>
/// <param name="Config">The configuration's name.</param>
/// <param name="Dsp">DSP48E1 used.</param>
/// <param name="Bram36">BRAM36 used.</param>
/// <param name="ClockMHz">Clock.</param>
public sealed record AnchorFigure(string Name, double PublishedGops, double ModeledGops, string Config, int Dsp, int Bram36, double ClockMHz)
{
    /// <summary>Modelled over published.</summary>
    public double Ratio => ModeledGops / PublishedGops;
}

/// <summary>A model run's headline figures.</summary>
/// <param name="Model">The model.</param>
/// <param name="Scheme">The pruning scheme.</param>
/// <param name="Config">The configuration's name.</param>
/// <param name="EffectiveGops">Whole-model effective GOPS.</param>
/// <param name="DenseEquivalentGops">Whole-model dense-equivalent GOPS.</param>
/// <param name="ConvEffectiveGops">Convolutions only, effective.</param>
/// <param name="ConvDenseEquivalentGops">Convolutions only, dense-equivalent.</param>
/// <param name="Dsp">DSP48E1 used.</param>
/// <param name="Bram36">BRAM36 used.</param>
/// <param name="Lut">LUTs used.</param>
/// <param name="ClockMHz">Clock.</param>
/// <param name="Milliseconds">Time per image.</param>
/// <param name="Watts">Chip-plus-DDR power.</param>
/// <param name="StallCycles">Cycles lost to imbalance.</param>
/// <param name="DdrBytes">DDR bytes per image.</param>
public sealed record RunFigures(
    string Model, string Scheme, string Config, double EffectiveGops, double DenseEquivalentGops, double ConvEffectiveGops, double ConvDenseEquivalentGops,
    int Dsp, int Bram36, int Lut, double ClockMHz, double Milliseconds, double Watts, long StallCycles, long DdrBytes)
{
    /// <summary>The figures of a simulation.</summary>
    public static RunFigures Of(SimulationResult result, string scheme)
    {
        ArgumentNullException.ThrowIfNull(result);
        var t = result.Total;
        var c = result.Convolutions;
        return new RunFigures(
            result.Model, scheme, result.Config.Name, t.EffectiveGops, t.DenseEquivalentGops, c.EffectiveGops, c.DenseEquivalentGops,
            result.Resources.Dsp, result.Resources.Bram36, result.Resources.Lut, result.Config.ClockMHz, t.Seconds * 1e3, t.Watts,
            result.Layers.Sum(l => l.StallCycles), t.DdrBytes);
    }

    /// <summary>The figures of an explored point.</summary>
    public static RunFigures Of(string model, string scheme, DesignPoint point)
    {
        ArgumentNullException.ThrowIfNull(point);
        return new RunFigures(
            model, scheme, point.Config.Name, point.Total.EffectiveGops, point.Total.DenseEquivalentGops, point.Convolutions.EffectiveGops,
            point.Convolutions.DenseEquivalentGops, point.Resources.Dsp, point.Resources.Bram36, point.Resources.Lut, point.Config.ClockMHz,
            point.Total.Seconds * 1e3, point.Total.Watts, point.StallCycles, point.DdrBytes);
    }
}

/// <summary>The paper's case beside its published figures.</summary>
/// <param name="Modeled">The model's figures.</param>
/// <param name="PublishedEffectiveGops">71.2.</param>
/// <param name="PublishedDenseEquivalentGops">271.6.</param>
/// <param name="Explanation">Why they differ.</param>
public sealed record PaperFigures(RunFigures Modeled, double PublishedEffectiveGops, double PublishedDenseEquivalentGops, string Explanation);

/// <summary>Everything docs/results/zc706.json holds.</summary>
/// <param name="Anchors">Dense anchors.</param>
/// <param name="Paper">The paper's case on the default configuration.</param>
/// <param name="Best">The best explored configuration per scheme (locality first).</param>
public sealed record Zc706Results(IReadOnlyList<AnchorFigure> Anchors, PaperFigures? Paper, IReadOnlyList<RunFigures> Best)
{
    /// <summary>Runs the dense anchor: VGG-16's convolutions on <see cref="Config.Zc706Config.Qiu2016Dense"/>.</summary>
    public static AnchorFigure RunQiu2016Anchor()
    {
        var result = Zc706Simulator.Simulate(ShapeNetworks.Vgg16Convolutions(), Config.Zc706Config.Qiu2016Dense);
        return new AnchorFigure(
            "Qiu2016 VGG16 conv", PublishedFigures.Qiu2016Vgg16ConvGops, result.Convolutions.EffectiveGops, result.Config.Name,
            result.Resources.Dsp, result.Resources.Bram36, result.Config.ClockMHz);
    }

    /// <summary>
    /// The JSON: <c>{"anchors": [...], "paper": {"effectiveGops", "denseEquivalentGops", "dsp", "bram36", "clockMHz", ...}, "best": {same fields}, "bestByScheme": [...]}</c>.
    /// </summary>
    public string ToJson()
    {
        var document = new Dictionary<string, object?>
        {
            ["anchors"] = Anchors.Select(a => new { name = a.Name, publishedGops = a.PublishedGops, modeledGops = a.ModeledGops, ratio = a.Ratio, config = a.Config, dsp = a.Dsp, bram36 = a.Bram36, clockMHz = a.ClockMHz }),
            ["paper"] = Paper is null ? null : new Dictionary<string, object?>(Fields(Paper.Modeled))
            {
                ["publishedEffectiveGops"] = Paper.PublishedEffectiveGops,
                ["publishedDenseEquivalentGops"] = Paper.PublishedDenseEquivalentGops,
                ["explanation"] = Paper.Explanation,
            },
            ["best"] = Best.Count == 0 ? null : Fields(Best[0]),
            ["bestByScheme"] = Best.Select(Fields),
        };
        return JsonSerializer.Serialize(document, SimulationJson.Options);
    }

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/>.</summary>
    public void Write(string path) => File.WriteAllText(path, ToJson() + "\n", new UTF8Encoding(false));

    private static Dictionary<string, object?> Fields(RunFigures f) => new()
    {
        ["model"] = f.Model,
        ["scheme"] = f.Scheme,
        ["config"] = f.Config,
        ["effectiveGops"] = f.EffectiveGops,
        ["denseEquivalentGops"] = f.DenseEquivalentGops,
        ["convEffectiveGops"] = f.ConvEffectiveGops,
        ["convDenseEquivalentGops"] = f.ConvDenseEquivalentGops,
        ["dsp"] = f.Dsp,
        ["bram36"] = f.Bram36,
        ["lut"] = f.Lut,
        ["clockMHz"] = f.ClockMHz,
        ["milliseconds"] = f.Milliseconds,
        ["watts"] = f.Watts,
        ["stallCycles"] = f.StallCycles,
        ["ddrBytes"] = f.DdrBytes,
    };
}
