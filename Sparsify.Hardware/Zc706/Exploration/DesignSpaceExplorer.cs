using Sparsify.Hardware.Zc706.Config;
using Sparsify.Hardware.Zc706.Network;
using Sparsify.Hardware.Zc706.Resources;
using Sparsify.Hardware.Zc706.Simulation;
using Sparsify.Hardware.Zc706.Timing;

namespace Sparsify.Hardware.Zc706.Exploration;

/// <summary>One configuration the exploration kept.</summary>
/// <param name="Config">The configuration.</param>
/// <param name="Resources">Its resources.</param>
/// <param name="Total">The whole model.</param>
/// <param name="Convolutions">The convolutions only.</param>
/// <param name="StallCycles">Cycles lost to imbalance.</param>
/// <param name="DdrBytes">DDR bytes per image.</param>
public sealed record DesignPoint(Zc706Config Config, ResourceEstimate Resources, Throughput Total, Throughput Convolutions, long StallCycles, long DdrBytes);

/// <summary>What an exploration found.</summary>
/// <param name="Model">The model.</param>
/// <param name="Scheme">The pruning scheme of the networks explored.</param>
/// <param name="Points">Every configuration within budget, fastest first.</param>
/// <param name="OverBudget">Points dropped for exceeding the XC7Z045.</param>
/// <param name="OverClocked">Points dropped for a clock above what their resource use closes timing at.</param>
/// <param name="DoesNotFit">Points dropped because a layer did not fit a buffer.</param>
public sealed record ExplorationResult(string Model, string Scheme, IReadOnlyList<DesignPoint> Points, int OverBudget, int OverClocked, int DoesNotFit)
{
    /// <summary>The fastest configuration (whole-model effective GOPS).</summary>
    public DesignPoint Best => Points.Count > 0 ? Points[0] : throw new InvalidOperationException($"no configuration of the design space fits the XC7Z045 for {Model} ({Scheme})");
}

/// <summary>
/// Sweeps <see cref="DesignSpace"/> for one model. The model is supplied per group size, because
/// the locality scheme prunes for the G it will run on (other schemes may return the same network
/// for every G). Mappings are computed once per (G, PE count) and reused across the other parameters,
/// so a 1,620-point sweep of AlexNet times in seconds.
/// </summary>
public static class DesignSpaceExplorer
{
    /// <summary>Explores <paramref name="space"/> around <paramref name="baseline"/> (whose other settings are kept).</summary>
    public static ExplorationResult Explore(Func<int, ArrayNetwork> networkForGroupSize, string scheme, DesignSpace space, Zc706Config baseline)
    {
        ArgumentNullException.ThrowIfNull(networkForGroupSize);
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(baseline);
        space.Validate();
        baseline.Validate();
        var points = new List<DesignPoint>();
        int overBudget = 0, overClocked = 0, doesNotFit = 0;
        var model = "";
        foreach (var g in space.GroupSizes)
        {
            var network = networkForGroupSize(g);
            model = network.Name;
            foreach (var p in space.PeCounts)
            {
                var mappingConfig = baseline with { GroupSize = g, PeCount = p };
                var mappings = Zc706Simulator.Map(network, mappingConfig);
                var candidates =
                    from px in space.PixelsPerPe
                    from wb in space.WeightBram36PerPe
                    from ib in space.InputBram36PerPe
                    from clock in space.ClocksMHz
                    select mappingConfig with
                    {
                        Name = $"P{p}-G{g}-X{px}-W{wb}-I{ib}-{clock:0}MHz",
                        PixelsPerPe = px,
                        WeightBufferBytesPerPe = wb * DeviceBudget.Bram36Bytes,
                        InputBufferBytesPerPe = ib * DeviceBudget.Bram36Bytes,
                        ClockMHz = clock,
                    };
                foreach (var config in candidates)
                {
                    var resources = ResourceModel.Estimate(config);
                    if (!resources.Fits)
                    {
                        overBudget++;
                        continue;
                    }

                    if (config.ClockMHz > DesignSpace.MaxClockMHz(resources))
                    {
                        overClocked++;
                        continue;
                    }

                    try
                    {
                        var timings = network.Layers.Select(l => l.OnArray ? ArrayLayerTimer.Time(l, mappings[l.Name], config) : PostProcessTimer.Time(l, config)).ToArray();
                        var result = new SimulationResult(network.Name, config, resources, timings, null);
                        points.Add(new DesignPoint(config, resources, result.Total, result.Convolutions, timings.Sum(t => t.StallCycles), timings.Sum(t => t.Traffic.Total)));
                    }
                    catch (BufferCapacityException)
                    {
                        doesNotFit++;
                    }
                }
            }
        }

        points.Sort((a, b) => b.Total.EffectiveGops.CompareTo(a.Total.EffectiveGops));
        return new ExplorationResult(model, scheme, points, overBudget, overClocked, doesNotFit);
    }
}
