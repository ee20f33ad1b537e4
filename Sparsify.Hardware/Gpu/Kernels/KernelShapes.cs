namespace Sparsify.Hardware.Gpu.Kernels;

/// <summary>What a convolution kernel needs about its shapes (NCHW), passed by value to the device.</summary>
internal struct ConvShape
{
    public int Batch;
    public int InChannels;
    public int InHeight;
    public int InWidth;
    public int OutChannels;
    public int OutHeight;
    public int OutWidth;
    public int KernelH;
    public int KernelW;
    public int StrideH;
    public int StrideW;
    public int DilationH;
    public int DilationW;
    public int PadTop;
    public int PadLeft;
    public int InChannelsPerGroup;
    public int OutChannelsPerGroup;

    public readonly int OutPixels => OutHeight * OutWidth;

    public readonly int InPixels => InHeight * InWidth;

    public readonly int Columns => InChannelsPerGroup * KernelH * KernelW;
}

/// <summary>
/// What follows a Conv or Gemm inside the same kernel, as the generated CPU code fuses it: bias,
/// a residual operand added element by element, then ReLU. Flags are ints so the struct stays blittable.
/// </summary>
internal struct Epilogue
{
    public int HasBias;
    public int HasResidual;
    public int Relu;

    /// <summary>Applies the epilogue to <paramref name="acc"/> for output <paramref name="index"/> of channel or feature <paramref name="channel"/>.</summary>
    public readonly float Apply(float acc, ILGPU.ArrayView<float> bias, ILGPU.ArrayView<float> residual, int channel, long index)
    {
        if (HasBias != 0)
        {
            acc += bias[channel];
        }

        if (HasResidual != 0)
        {
            acc += residual[index];
        }

        return Relu != 0 && acc < 0f ? 0f : acc;
    }
}

/// <summary>A compressed weight matrix as device arrays: group format, CSR (G = 1) or dense (no indices).</summary>
internal struct SparseShape
{
    /// <summary>Rows of the weight matrix.</summary>
    public int Rows;

    /// <summary>G: rows per group; 1 for CSR.</summary>
    public int GroupSize;

    /// <summary>Accumulator blocks per group: ceil(G / <see cref="ConvKernels.Lanes"/>).</summary>
    public int LaneBlocks;
}

/// <summary>What the Pad kernel needs: the input planes' size, the pads, the mode (0 constant, 1 reflect, 2 edge) and the constant.</summary>
internal struct PadShape
{
    public int Height;
    public int Width;
    public int Top;
    public int Left;
    public int Bottom;
    public int Right;
    public int Mode;
    public float Value;
}

/// <summary>
/// What the Broadcast kernel needs: the output's lengths along six axes (the shape right-aligned, 1 in
/// front), each operand's step along each (0 where it broadcasts), and the function (the index of
/// ManifestOps.BroadcastFunctions: Add, Sub, Mul, Div, Pow).
/// </summary>
internal struct BroadcastShape
{
    public int D0, D1, D2, D3, D4, D5;
    public long A0, A1, A2, A3, A4, A5;
    public long B0, B1, B2, B3, B4, B5;
    public int Function;
}
