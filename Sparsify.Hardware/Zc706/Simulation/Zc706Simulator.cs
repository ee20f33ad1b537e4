using Sparsify.Hardware.Zc706.Config;
using Sparsify.Hardware.Zc706.Functional;
using Sparsify.Hardware.Zc706.Network;
using Sparsify.Hardware.Zc706.Resources;
using Sparsify.Hardware.Zc706.Timing;

namespace Sparsify.Hardware.Zc706.Simulation;

/// <summary>What to simulate.</summary>
public sealed record SimulationOptions
{
    /// <summary>Timing only (default): no MAC is executed.</summary>
    public static SimulationOptions TimingOnly { get; } = new();

    /// <summary>Inputs (one per graph input) for a functional run; null for timing only.</summary>
    public IReadOnlyList<float[]>? Inputs { get; init; }

    /// <summary>Whether to check the configuration against the XC7Z045 budget (default true).</summary>
    public bool CheckBudget { get; init; } = true;
}

/// <summary>
/// The ZC706 PE-array model: maps every Conv and fully connected layer onto the PEs, times every
/// layer, estimates resources and energy, and (given inputs) executes the network as the array would.
/// </summary>
/// <example>
/// <code>
/// var network = ManifestImporter.Import(manifest, blobReader);
/// var result = Zc706Simulator.Simulate(network, Zc706Config.Default);
/// Console.WriteLine(result.Total.EffectiveGops);
/// </code>
/// </example>
public static class Zc706Simulator
{
    /// <summary>Simulates <paramref name="network"/> on <paramref name="config"/>.</summary>
    /// <exception cref="ArgumentException">A parameter out of range.</exception>
    /// <exception cref="ResourceBudgetException">The configuration exceeds the XC7Z045.</exception>
    /// <exception cref="BufferCapacityException">A layer cannot fit a buffer.</exception>
    public static SimulationResult Simulate(ArrayNetwork network, Zc706Config config, SimulationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(config);
        options ??= SimulationOptions.TimingOnly;
        config.Validate();
        var resources = options.CheckBudget ? ResourceModel.CheckBudget(config) : ResourceModel.Estimate(config);
        var mappings = Map(network, config);
        var timings = network.Layers.Select(l => l.OnArray ? ArrayLayerTimer.Time(l, mappings[l.Name], config) : PostProcessTimer.Time(l, config)).ToArray();
        var outputs = options.Inputs is null ? null : FunctionalExecutor.Run(network, mappings, config, options.Inputs);
        return new SimulationResult(network.Name, config, resources, timings, outputs);
    }

    /// <summary>The group mapping of every array layer, by layer name.</summary>
    public static IReadOnlyDictionary<string, LayerMapping> Map(ArrayNetwork network, Zc706Config config)
    {
        ArgumentNullException.ThrowIfNull(network);
        var onArray = network.Layers.Where(l => l.OnArray).ToArray();
        var mapped = new LayerMapping[onArray.Length];
        Parallel.For(0, onArray.Length, i => mapped[i] = GroupMapper.Map(onArray[i], config));
        return onArray.Select((l, i) => (l.Name, mapped[i])).ToDictionary(p => p.Name, p => p.Item2, StringComparer.Ordinal);
    }
}
