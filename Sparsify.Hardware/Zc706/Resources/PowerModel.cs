namespace Sparsify.Hardware.Zc706.Resources;

/// <summary>
/// Chip-plus-DDR power, in the manner of Xilinx's Power Estimator (XPE) for a -2 XC7Z045 at 25 °C:
/// a static part, a dynamic part proportional to the clock for each used resource, and DDR energy
/// per byte moved. Board-level figures (Qiu et al. measured 9.63 W at the wall of the ZC706) are
/// higher: fans, regulators and peripherals are not modelled.
/// </summary>
public static class PowerModel
{
    /// <summary>Static watts: the PS (two Cortex-A9 and the DDR controller, about 1.5 W in XPE) plus PL leakage (about 0.3 W).</summary>
    public const double StaticWatts = 1.8;

    /// <summary>Dynamic milliwatts per MHz of one DSP48E1 busy every cycle (1.5 mW at 150 MHz); scaled by the array's utilisation.</summary>
    public const double DspMilliwattsPerMHz = 0.010;

    /// <summary>Dynamic milliwatts per MHz of one BRAM36 at XPE's 50% enable rate (2.25 mW at 150 MHz).</summary>
    public const double Bram36MilliwattsPerMHz = 0.015;

    /// <summary>Dynamic milliwatts per MHz of one LUT with its routing at 12.5% toggle rate (12 µW at 150 MHz).</summary>
    public const double LutMilliwattsPerMHz = 0.00008;

    /// <summary>DDR3 energy per byte moved, picojoules (20 pJ/bit for device plus interface).</summary>
    public const double DdrPicojoulesPerByte = 160;

    /// <summary>Watts drawn while the array runs at <paramref name="utilisation"/> (fraction of MAC-cycles doing useful work), excluding DDR.</summary>
    public static double Watts(ResourceEstimate resources, double clockMHz, double utilisation)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var logic = ((resources.Bram36 * Bram36MilliwattsPerMHz) + (resources.Lut * LutMilliwattsPerMHz)) * clockMHz / 1000.0;
        var dsp = resources.Dsp * DspMilliwattsPerMHz * clockMHz / 1000.0 * Math.Clamp(utilisation, 0, 1);
        return StaticWatts + logic + dsp;
    }

    /// <summary>Joules for <paramref name="seconds"/> of work at <paramref name="utilisation"/> moving <paramref name="ddrBytes"/>.</summary>
    public static double Joules(ResourceEstimate resources, double clockMHz, double utilisation, double seconds, long ddrBytes) =>
        (Watts(resources, clockMHz, utilisation) * seconds) + (ddrBytes * DdrPicojoulesPerByte * 1e-12);
}
