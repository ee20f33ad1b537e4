namespace Sparsify.Hardware.Zc706.Resources;

/// <summary>The XC7Z045 (ZC706) resources a configuration must fit (Xilinx DS190, Zynq-7000 overview).</summary>
public static class DeviceBudget
{
    /// <summary>DSP48E1 slices.</summary>
    public const int Dsp = 900;

    /// <summary>BRAM36 blocks (19.1 Mb).</summary>
    public const int Bram36 = 545;

    /// <summary>6-input LUTs.</summary>
    public const int Lut = 218_600;

    /// <summary>Flip-flops.</summary>
    public const int FlipFlops = 437_200;

    /// <summary>Bytes of one BRAM36 used 72 bits wide (parity bits carry data): 4,608.</summary>
    public const int Bram36Bytes = 36 * 1024 / 8;
}

/// <summary>A configuration needs more of a device resource than the XC7Z045 has.</summary>
public sealed class ResourceBudgetException : ArgumentException
{
    /// <summary>Creates the exception for the resources over budget.</summary>
    public ResourceBudgetException(string message, IReadOnlyList<string> exceeded)
        : base(message) => Exceeded = exceeded;

    /// <summary>Creates the exception with a message only.</summary>
    public ResourceBudgetException(string message)
        : base(message) => Exceeded = [];

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public ResourceBudgetException(string message, Exception innerException)
        : base(message, innerException) => Exceeded = [];

    /// <summary>Creates the exception with a default message.</summary>
    public ResourceBudgetException()
        : base("the configuration exceeds the XC7Z045 budget") => Exceeded = [];

    /// <summary>The resources over budget: <c>DSP48E1</c>, <c>BRAM36</c>, <c>LUT</c>.</summary>
    public IReadOnlyList<string> Exceeded { get; }
}
