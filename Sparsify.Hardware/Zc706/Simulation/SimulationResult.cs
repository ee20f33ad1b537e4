using Sparsify.Hardware.Zc706.Config;
using Sparsify.Hardware.Zc706.Resources;
using Sparsify.Hardware.Zc706.Timing;

namespace Sparsify.Hardware.Zc706.Simulation;

/// <summary>Throughput and energy of a set of layers.</summary>
/// <param name="Cycles">Fabric cycles.</param>
/// <param name="Seconds">Wall time at the configured clock.</param>
/// <param name="DenseMacs">MACs of the dense layers.</param>
/// <param name="NonZeroMacs">MACs on nonzero weights.</param>
/// <param name="EffectiveGops">2 × nonzero MACs / time: the work actually done per second.</param>
/// <param name="DenseEquivalentGops">2 × dense MACs / time: what a dense array would need to match.</param>
/// <param name="Utilisation">Nonzero MACs / (MAC units × cycles).</param>
/// <param name="DdrBytes">DDR bytes moved.</param>
/// <param name="Watts">Average chip-plus-DDR power.</param>
/// <param name="Joules">Energy.</param>
public sealed record Throughput(long Cycles, double Seconds, long DenseMacs, long NonZeroMacs, double EffectiveGops, double DenseEquivalentGops, double Utilisation, long DdrBytes, double Watts, double Joules)
{
    /// <summary>Effective GOPS per watt.</summary>
    public double GopsPerWatt => Watts == 0 ? 0 : EffectiveGops / Watts;
}

/// <summary>What <see cref="Zc706Simulator"/> reports for one model and configuration.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Config">The configuration simulated.</param>
/// <param name="Resources">DSP48E1 / BRAM36 / LUT estimate.</param>
/// <param name="Layers">Per-layer timing in execution order.</param>
/// <param name="Outputs">The graph outputs of the functional run, or null when only timing was asked for.</param>
public sealed record SimulationResult(string Model, Zc706Config Config, ResourceEstimate Resources, IReadOnlyList<LayerTiming> Layers, IReadOnlyList<float[]>? Outputs)
{
    /// <summary>The whole model.</summary>
    public Throughput Total => Of(_ => true);

    /// <summary>The convolutions only (as Qiu et al. report).</summary>
    public Throughput Convolutions => Of(l => l.Op == "Conv");

    /// <summary>Throughput and energy of the layers matching <paramref name="filter"/>.</summary>
    public Throughput Of(Func<LayerTiming, bool> filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var layers = Layers.Where(filter).ToArray();
        var cycles = layers.Sum(l => l.TotalCycles);
        var seconds = cycles / (Config.ClockMHz * 1e6);
        var dense = layers.Sum(l => l.DenseMacs);
        var nonZero = layers.Sum(l => l.NonZeroMacs);
        var utilisation = cycles == 0 ? 0 : nonZero / ((double)Config.MacUnits * cycles);
        var bytes = layers.Sum(l => l.Traffic.Total);
        var joules = PowerModel.Joules(Resources, Config.ClockMHz, utilisation, seconds, bytes);
        var watts = seconds == 0 ? 0 : joules / seconds;
        return new Throughput(cycles, seconds, dense, nonZero, Gops(nonZero, seconds), Gops(dense, seconds), utilisation, bytes, watts, joules);
    }

    private static double Gops(long macs, double seconds) => seconds == 0 ? 0 : 2.0 * macs / seconds / 1e9;
}
