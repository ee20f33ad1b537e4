using System.Globalization;
using Sparsify.Hardware.Zc706.Config;

namespace Sparsify.Hardware.Zc706.Resources;

/// <summary>What a configuration uses of the device.</summary>
/// <param name="Dsp">DSP48E1 slices: the MAC units plus one address DSP per PE.</param>
/// <param name="Bram36">BRAM36 blocks: weight, input and partial-sum buffers plus the DMA FIFOs.</param>
/// <param name="Lut">LUTs: datapath per MAC, control per PE, index decoders, DMA and interconnect.</param>
/// <param name="WeightBram36">Of <paramref name="Bram36"/>, the weight buffers.</param>
/// <param name="InputBram36">Of <paramref name="Bram36"/>, the input buffers.</param>
/// <param name="OutputBram36">Of <paramref name="Bram36"/>, the partial-sum buffers.</param>
public sealed record ResourceEstimate(int Dsp, int Bram36, int Lut, int WeightBram36, int InputBram36, int OutputBram36)
{
    /// <summary>Fraction of the device's DSP48E1 slices.</summary>
    public double DspShare => (double)Dsp / DeviceBudget.Dsp;

    /// <summary>Fraction of the device's BRAM36 blocks.</summary>
    public double Bram36Share => (double)Bram36 / DeviceBudget.Bram36;

    /// <summary>Fraction of the device's LUTs.</summary>
    public double LutShare => (double)Lut / DeviceBudget.Lut;

    /// <summary>Whether every resource fits the XC7Z045.</summary>
    public bool Fits => Dsp <= DeviceBudget.Dsp && Bram36 <= DeviceBudget.Bram36 && Lut <= DeviceBudget.Lut;
}

/// <summary>
/// Estimates DSP48E1, BRAM36 and LUT use. The constants are calibrated so that the dense anchor
/// (<see cref="Zc706Config.Qiu2016Dense"/>) lands on what Qiu et al. (FPGA 2016, Table 6) report
/// for their ZC706 design: 780 DSP, 486 BRAM36, 182,616 LUT.
/// </summary>
public static class ResourceModel
{
    /// <summary>DSP48E1 per PE beyond its MACs: the input address generator (row × width + column) is one multiply-add.</summary>
    public const int DspPerPe = 1;

    /// <summary>LUTs per MAC unit: the 16-bit input and weight registers, the accumulator's rounding and saturation, and the output mux (calibrated).</summary>
    public const int LutPerMac = 180;

    /// <summary>LUTs per PE for its control FSM and buffer addressing (calibrated).</summary>
    public const int LutPerPe = 2_000;

    /// <summary>LUTs per PE for a sparse PE's relative-index decoder (adder chain and padding-entry skip), absent from a dense array.</summary>
    public const int LutPerIndexDecoder = 600;

    /// <summary>LUTs for the DMA engines, AXI interconnect, post-processing unit and the PS interface.</summary>
    public const int LutShell = 20_000;

    /// <summary>BRAM36 for DMA FIFOs and the post-processing unit's line buffers.</summary>
    public const int ShellBram36 = 18;

    /// <summary>Estimates a configuration's resources (without checking the budget).</summary>
    public static ResourceEstimate Estimate(Zc706Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var dsp = config.MacUnits + (DspPerPe * config.PeCount);
        var weights = config.PeCount * Blocks(config.WeightBufferBytesPerPe);
        var inputs = config.PeCount * Blocks(config.InputBufferBytesPerPe);
        var outputs = config.PeCount * Blocks(config.OutputBufferBytesPerPe);
        var lut = (LutPerMac * config.MacUnits) + (config.PeCount * (LutPerPe + (config.DenseOnly ? 0 : LutPerIndexDecoder))) + LutShell;
        return new ResourceEstimate(dsp, weights + inputs + outputs + ShellBram36, lut, weights, inputs, outputs);
    }

    /// <summary>
    /// Estimates and checks a configuration against the XC7Z045; throws
    /// <see cref="ResourceBudgetException"/> naming every resource over budget and by how much.
    /// </summary>
    public static ResourceEstimate CheckBudget(Zc706Config config)
    {
        var estimate = Estimate(config);
        var over = new List<string>();
        var messages = new List<string>();
        Check("DSP48E1", estimate.Dsp, DeviceBudget.Dsp);
        Check("BRAM36", estimate.Bram36, DeviceBudget.Bram36);
        Check("LUT", estimate.Lut, DeviceBudget.Lut);
        if (over.Count > 0)
        {
            throw new ResourceBudgetException($"configuration '{config.Name}' exceeds the XC7Z045: {string.Join("; ", messages)}", over);
        }

        return estimate;

        void Check(string name, int used, int available)
        {
            if (used > available)
            {
                over.Add(name);
                messages.Add(string.Create(CultureInfo.InvariantCulture, $"{name} {used:N0} > {available:N0} (over by {used - available:N0}, {(double)(used - available) / available:P1})"));
            }
        }
    }

    /// <summary>BRAM36 blocks holding <paramref name="bytes"/>.</summary>
    public static int Blocks(long bytes) => (int)((bytes + DeviceBudget.Bram36Bytes - 1) / DeviceBudget.Bram36Bytes);
}
