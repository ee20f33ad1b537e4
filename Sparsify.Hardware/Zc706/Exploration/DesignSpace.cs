using Sparsify.Hardware.Zc706.Resources;

namespace Sparsify.Hardware.Zc706.Exploration;

/// <summary>
/// The parameters the exploration sweeps. Every combination is tried; those over the XC7Z045 budget
/// or above the clock their resource use can close timing at are counted and dropped.
/// </summary>
public sealed record DesignSpace
{
    /// <summary>The default sweep: 5 × 4 × 3 × 3 × 3 × 3 = 1,620 points.</summary>
    public static DesignSpace Default { get; } = new();

    /// <summary>PE counts.</summary>
    public IReadOnlyList<int> PeCounts { get; init; } = [8, 12, 16, 24, 32];

    /// <summary>Output positions per PE (MACs per PE = G × this).</summary>
    public IReadOnlyList<int> PixelsPerPe { get; init; } = [2, 4, 6, 8];

    /// <summary>Group sizes G.</summary>
    public IReadOnlyList<int> GroupSizes { get; init; } = [4, 8, 16];

    /// <summary>Weight buffer per PE, in BRAM36.</summary>
    public IReadOnlyList<int> WeightBram36PerPe { get; init; } = [4, 8, 16];

    /// <summary>Input buffer per PE, in BRAM36.</summary>
    public IReadOnlyList<int> InputBram36PerPe { get; init; } = [4, 8, 16];

    /// <summary>Clocks in MHz.</summary>
    public IReadOnlyList<double> ClocksMHz { get; init; } = [150, 175, 200];

    /// <summary>Throws <see cref="ArgumentException"/> for an empty or non-positive list.</summary>
    public void Validate()
    {
        Check(PeCounts, nameof(PeCounts));
        Check(PixelsPerPe, nameof(PixelsPerPe));
        Check(GroupSizes, nameof(GroupSizes));
        Check(WeightBram36PerPe, nameof(WeightBram36PerPe));
        Check(InputBram36PerPe, nameof(InputBram36PerPe));
        if (ClocksMHz.Count == 0 || ClocksMHz.Any(c => !(c > 0)))
        {
            throw new ArgumentException($"design space: {nameof(ClocksMHz)} must list positive values", nameof(ClocksMHz));
        }

        static void Check(IReadOnlyList<int> values, string name)
        {
            if (values.Count == 0 || values.Any(v => v <= 0))
            {
                throw new ArgumentException($"design space: {name} must list positive values", name);
            }
        }
    }

    /// <summary>
    /// The fastest clock a design closes timing at, by its fullest resource: 200 MHz up to 60% of the
    /// device, 175 MHz up to 75%, 150 MHz above (Qiu et al. closed 150 MHz at 87% of the DSPs; routing
    /// congestion, not logic depth, limits a full XC7Z045).
    /// </summary>
    public static double MaxClockMHz(ResourceEstimate resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var fullest = Math.Max(resources.DspShare, Math.Max(resources.Bram36Share, resources.LutShare));
        return fullest <= 0.60 ? 200 : fullest <= 0.75 ? 175 : 150;
    }
}
