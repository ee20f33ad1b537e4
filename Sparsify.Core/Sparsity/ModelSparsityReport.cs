using System.Globalization;
using System.Text;

namespace Sparsify.Core.Sparsity;

/// <summary>What pruning did to a whole model: one report per prunable layer and the totals.</summary>
public sealed record ModelSparsityReport
{
    /// <summary>The model's name.</summary>
    public required string Model { get; init; }

    /// <summary>The scheme's name.</summary>
    public required string Scheme { get; init; }

    /// <summary>The global target, if one was given.</summary>
    public required double? TargetSparsity { get; init; }

    /// <summary>How the global target was spread, if one was given and the scheme takes any sparsity.</summary>
    public required SparsityAllocation? Allocation { get; init; }

    /// <summary>Every prunable layer in graph order, dense ones included (scheme <c>dense</c>).</summary>
    public required IReadOnlyList<LayerSparsityReport> Layers { get; init; }

    /// <summary>How the sparsity was decided: allocation, what was ignored, what stays dense.</summary>
    public required IReadOnlyList<string> Notes { get; init; }

    /// <summary>Prunable weights (Conv and Gemm weights, no biases).</summary>
    public long Weights => Layers.Sum(l => l.Weights);

    /// <summary>Weights kept.</summary>
    public long NonZeros => Layers.Sum(l => l.NonZeros);

    /// <summary>Largest load imbalance over the layers that were pruned (1 when none was).</summary>
    public double MaxPrunedImbalance => Layers.Where(l => l.Scheme != ModelPruner.DenseScheme).Select(l => l.LoadImbalance).DefaultIfEmpty(1.0).Max();

    /// <summary>Fraction of the prunable weights removed.</summary>
    public double Sparsity => Weights == 0 ? 0 : 1.0 - (double)NonZeros / Weights;

    /// <summary>A fixed-width table of the layers, the totals and the notes, for logs and the CLI.</summary>
    public string ToText()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"{Model}: scheme {Scheme}, sparsity {Sparsity:0.0000} ({NonZeros:N0} of {Weights:N0} weights kept){(TargetSparsity is { } t ? $", target {t.ToString("0.0000", c)}" : string.Empty)}");
        text.AppendLine(c, $"{"layer",-16} {"op",-5} {"scheme",-12} {"rows x cols",-14} {"asked",6} {"sparsity",8} {"nonzeros",12} {"PEs",7} {"imbal.",6} {"buffer bytes",18} {"passes",6}");
        foreach (var l in Layers)
        {
            text.AppendLine(c, $"{l.LayerName,-16} {l.OpType,-5} {l.Scheme,-12} {$"{l.Rows}x{l.Columns}",-14} {l.RequestedSparsity,6:0.000} {l.Sparsity,8:0.0000} {l.NonZeros,12:N0} {$"{l.PartitionsUsed}/{l.Partitions}",7} {l.LoadImbalance,6:0.000} {$"{l.BufferBytesNeeded}/{l.BufferCapacityBytes}",18} {l.Passes,6}");
        }

        foreach (var note in Notes)
        {
            text.AppendLine(c, $"note: {note}");
        }

        foreach (var l in Layers)
        {
            foreach (var note in l.Notes)
            {
                text.AppendLine(c, $"{l.LayerName}: {note}");
            }
        }

        return text.ToString();
    }
}
