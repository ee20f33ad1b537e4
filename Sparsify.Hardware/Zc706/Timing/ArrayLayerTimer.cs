using System.Globalization;
using Sparsify.Hardware.Zc706.Config;
using Sparsify.Hardware.Zc706.Network;

namespace Sparsify.Hardware.Zc706.Timing;

/// <summary>
/// The cycle model of a Conv or fully connected layer on the PE array. Conv groups run one after the
/// other. Within one, the loop nest is: output-row bands (an input tile of the rows they need) ×
/// input-channel chunks (one weight-buffer load each); inside a step every PE walks its row groups'
/// entries, one entry per cycle, for each tile of <see cref="Zc706Config.PixelsPerPe"/> consecutive
/// output positions of a row, so a step lasts as long as its most loaded PE (the rest stall).
/// Each step is a synchronisation point costing <see cref="Zc706Config.PipelineDepth"/> cycles of
/// fill and drain. With double buffering, step i+1's transfers overlap step i's compute:
/// total = m + (N − 1)·max(c, m) + c + N·depth, for N steps of c compute and m transfer cycles.
/// A folded residual is read band by band beside the output band it joins, and added by one adder per
/// output lane as the band drains: it costs DDR traffic, not compute cycles. A folded ReLU is a sign test there.
/// </summary>
public static class ArrayLayerTimer
{
    /// <summary>Times one layer given its mapping.</summary>
    /// <exception cref="BufferCapacityException">A weight, input or partial-sum buffer cannot hold the smallest piece of the layer.</exception>
    public static LayerTiming Time(ArrayLayer layer, LayerMapping mapping, Zc706Config config)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(mapping);
        ArgumentNullException.ThrowIfNull(config);
        var geometry = Geometry.Of(layer);
        var entriesPerPe = mapping.EntriesPerPe(config.PeCount);
        long compute = 0, stall = 0, fill = 0, memory = 0, total = 0, ddrCycles = 0;
        var traffic = DdrTraffic.None;
        int passes = 1, bands = 1;
        var order = "resident";
        var memoryBoundSteps = 0L;
        var steps = 0L;
        for (var cg = 0; cg < mapping.ConvGroups.Count; cg++)
        {
            var part = TimeConvGroup(layer, geometry, mapping, mapping.ConvGroups[cg], entriesPerPe[cg], config);
            compute += part.Compute;
            stall += part.Stall;
            fill += part.Fill;
            memory += part.Memory;
            total += part.Total;
            ddrCycles += part.DdrCycles;
            traffic = traffic.Plus(part.Traffic);
            (passes, bands, order) = (part.Passes, part.Bands, part.Order);
            steps += part.Steps;
            memoryBoundSteps += part.MemoryBound ? part.Steps : 0;
        }

        var nonZeroMacs = mapping.ConvGroups.SelectMany(c => c).Sum(g => g.NonZeros) * layer.Positions;
        var utilisation = total == 0 ? 0 : (double)nonZeroMacs / ((double)config.MacUnits * total);
        var flat = entriesPerPe.SelectMany(e => e).ToArray();
        var mean = flat.Length == 0 ? 0 : entriesPerPe.Sum(e => (double)e.Sum()) / (entriesPerPe.Length * config.PeCount);
        var imbalance = mean == 0 ? 0 : (entriesPerPe.Max(e => e.Max()) / mean) - 1;
        return new LayerTiming(
            layer.Name, layer.Op == ArrayOp.Conv ? "Conv" : "Gemm", true, layer.DenseMacs, nonZeroMacs,
            compute, stall, fill, memory, total, ddrCycles, traffic, memoryBoundSteps * 2 > steps, utilisation,
            passes, bands, order, mapping.NonZerosPerPe(config.PeCount), imbalance)
        {
            Fused = layer.Fused,
        };
    }

    private sealed record Part(long Compute, long Stall, long Fill, long Memory, long Total, long DdrCycles, DdrTraffic Traffic, int Passes, int Bands, string Order, long Steps, bool MemoryBound);

    private static Part TimeConvGroup(ArrayLayer layer, Geometry g, LayerMapping mapping, IReadOnlyList<RowGroup> groups, long[] entriesPerPe, Zc706Config config)
    {
        var half = config.DoubleBuffering ? 2 : 1;
        var valueBytes = config.ValueBits / 8;
        var psumBytes = config.PartialSumBits / 8;
        var outChannels = groups.Sum(r => r.Height);
        var groupsPerPe = groups.Count == 0 ? 0 : groups.GroupBy(r => r.Pe).Max(x => x.Count());

        // Weights: the most loaded PE decides how many buffer loads (input-channel chunks) a band needs.
        var weightBytesPerPe = entriesPerPe.Select(e => ((e * mapping.EntryBits) + 7) / 8).ToArray();
        var maxWeightBytes = weightBytesPerPe.Max();
        long weightCapacity = config.WeightBufferBytesPerPe / half;
        var perChannel = (double)maxWeightBytes / g.InChannels;
        if (perChannel > weightCapacity)
        {
            throw new BufferCapacityException(Text(
                $"layer '{layer.Name}': one input channel of the most loaded PE's weights takes {Math.Ceiling(perChannel):N0} bytes, but its weight buffer holds {weightCapacity:N0} per load ({config.WeightBufferBytesPerPe:N0} bytes{(half == 2 ? ", half of it while the other half loads" : "")})"));
        }

        var weightPasses = Math.Max(1, (int)((maxWeightBytes + weightCapacity - 1) / weightCapacity));
        var channelsByWeights = (g.InChannels + weightPasses - 1) / weightPasses;

        // Inputs: each PE keeps a local copy of the tile, so the per-PE buffer bounds a chunk's rows.
        long inputCapacity = config.InputBufferBytesPerPe / half;
        var rowBytes = (long)g.PaddedWidth * valueBytes;
        var oneRowBand = g.InputRowsFor(1) * rowBytes;
        if (oneRowBand > inputCapacity)
        {
            throw new BufferCapacityException(Text(
                $"layer '{layer.Name}': the {g.InputRowsFor(1)} input rows of one channel ({g.PaddedWidth} wide with padding) that one output row needs take {oneRowBand:N0} bytes, but a PE's input buffer holds {inputCapacity:N0} per tile"));
        }

        var channels = (int)Math.Min(channelsByWeights, inputCapacity / oneRowBand);
        var passes = (g.InChannels + channels - 1) / channels;

        // Partial sums of a band stay in the PEs' output buffers.
        long outputCapacity = config.OutputBufferBytesPerPe / half;
        var psumPerRow = (long)groupsPerPe * config.GroupSize * g.OutWidth * psumBytes;
        if (psumPerRow > outputCapacity)
        {
            throw new BufferCapacityException(Text(
                $"layer '{layer.Name}': one output row's partial sums take {psumPerRow:N0} bytes on the most loaded PE ({groupsPerPe} groups × {config.GroupSize} channels × {g.OutWidth} positions × {psumBytes} bytes), but its output buffer holds {outputCapacity:N0}"));
        }

        var rows = 1;
        while (rows < g.OutHeight && (long)channels * g.InputRowsFor(rows + 1) * rowBytes <= inputCapacity && psumPerRow * (rows + 1) <= outputCapacity)
        {
            rows++;
        }

        var bands = (g.OutHeight + rows - 1) / rows;
        var inputRowsRead = 0L;
        for (var b = 0; b < bands; b++)
        {
            inputRowsRead += g.InputRowsRead(b * rows, Math.Min(g.OutHeight, (b + 1) * rows));
        }

        var weightBytes = (groups.Sum(r => (long)r.Entries) * mapping.EntryBits + 7) / 8;
        var inputBytes = inputRowsRead * g.InChannels * g.InWidth * valueBytes * g.Batch;
        var outputBytes = (long)outChannels * g.OutHeight * g.OutWidth * valueBytes * g.Batch;
        string order;
        long weightTraffic, psumTraffic = 0;
        if (passes == 1)
        {
            order = "resident";
            weightTraffic = weightBytes;
        }
        else
        {
            // Channels outer: weights read once, but partial sums of the whole output must survive every pass.
            var psumFits = psumPerRow * g.OutHeight <= outputCapacity;
            var spill = psumFits ? 0 : 2L * (passes - 1) * outChannels * g.OutHeight * g.OutWidth * psumBytes * g.Batch;
            var rowsOuter = weightBytes * bands * g.Batch;
            (order, weightTraffic, psumTraffic) = weightBytes + spill <= rowsOuter
                ? ("channels-outer", weightBytes, spill)
                : ("rows-outer", rowsOuter, 0L);
        }

        var residualBytes = layer.Residual is null ? 0 : outputBytes;
        var traffic = new DdrTraffic(weightTraffic, inputBytes, outputBytes, psumTraffic, residualBytes);
        // Feature maps are laid out band-major in DDR (the producing layer writes them so), so each
        // transfer is one contiguous run: a weight chunk, an input band of a channel chunk, an output band.
        long bandSteps = (long)bands * g.Batch;
        var weightTransfers = order == "rows-outer" ? passes * bandSteps : passes;
        var bursts = Bursts(weightTraffic, weightTransfers, config) + Bursts(psumTraffic, 2L * (passes - 1), config)
            + Bursts(inputBytes, passes * bandSteps, config) + Bursts(outputBytes, bandSteps, config) + Bursts(residualBytes, bandSteps, config);
        var ddr = (long)Math.Ceiling(traffic.Total / config.DdrBytesPerCycle) + (bursts * config.BurstOverheadCycles);

        var tiles = (long)g.Batch * g.OutHeight * ((g.OutWidth + config.PixelsPerPe - 1) / config.PixelsPerPe);
        var busiest = entriesPerPe.Max();
        var withStalls = tiles * busiest;
        var balanced = (long)Math.Round(tiles * (double)entriesPerPe.Sum() / config.PeCount);
        var steps = (long)passes * bands * g.Batch;
        var fill = steps * config.PipelineDepth;
        long total;
        if (config.DoubleBuffering)
        {
            double c = (double)withStalls / steps, m = (double)ddr / steps;
            total = (long)Math.Ceiling(m + ((steps - 1) * Math.Max(c, m)) + c) + fill;
        }
        else
        {
            total = withStalls + ddr + fill;
        }

        var exposed = Math.Max(0, total - withStalls - fill);
        return new Part(balanced, withStalls - balanced, fill, exposed, total, ddr, traffic, passes, bands, order, steps, ddr > withStalls);
    }

    // Bursts to move bytes in transfers contiguous runs of equal length.
    private static long Bursts(long bytes, long transfers, Zc706Config config)
    {
        if (bytes == 0 || transfers == 0)
        {
            return 0;
        }

        var perTransfer = (bytes + transfers - 1) / transfers;
        return transfers * ((perTransfer + config.BurstBytes - 1) / config.BurstBytes);
    }

    private static string Text(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
