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

/// <summary>Six axes' lengths: a shape right-aligned, 1 in front.</summary>
internal struct Axes6
{
    public int D0, D1, D2, D3, D4, D5;

    /// <summary>Right-aligns <paramref name="lengths"/> (at most six).</summary>
    public static Axes6 Of(IReadOnlyList<int> lengths)
    {
        int At(int axis) => axis - (6 - lengths.Count) is var i && i >= 0 ? lengths[i] : 1;
        return new Axes6 { D0 = At(0), D1 = At(1), D2 = At(2), D3 = At(3), D4 = At(4), D5 = At(5) };
    }

    /// <summary>The offset of row-major index <paramref name="index"/> of these axes, each coordinate times its step in <paramref name="steps"/>.</summary>
    public readonly long Offset(long index, Steps6 steps)
    {
        var i5 = index % D5;
        index /= D5;
        var i4 = index % D4;
        index /= D4;
        var i3 = index % D3;
        index /= D3;
        var i2 = index % D2;
        index /= D2;
        var i1 = index % D1;
        index /= D1;
        return (index * steps.S0) + (i1 * steps.S1) + (i2 * steps.S2) + (i3 * steps.S3) + (i4 * steps.S4) + (i5 * steps.S5);
    }
}

/// <summary>Six axes' steps in an operand, matching an <see cref="Axes6"/>.</summary>
internal struct Steps6
{
    public long S0, S1, S2, S3, S4, S5;

    /// <summary>Right-aligns <paramref name="steps"/> (at most six), 0 in front.</summary>
    public static Steps6 Of(IReadOnlyList<long> steps)
    {
        long At(int axis) => axis - (6 - steps.Count) is var i && i >= 0 ? steps[i] : 0;
        return new Steps6 { S0 = At(0), S1 = At(1), S2 = At(2), S3 = At(3), S4 = At(4), S5 = At(5) };
    }
}

/// <summary>What the Broadcast kernel needs: the output's axes, each operand's steps along them (0 where it broadcasts), and the function (the index of ManifestOps.BroadcastFunctions: Add, Sub, Mul, Div, Pow).</summary>
internal struct BroadcastShape
{
    public Axes6 Output;
    public Steps6 A;
    public Steps6 B;
    public int Function;
}

/// <summary>What the Transpose kernel needs: the output's axes and each one's step in the input.</summary>
internal struct TransposeShape
{
    public Axes6 Output;
    public Steps6 Input;
}

/// <summary>What the MatMul kernel needs: each product's M x K by K x N, and where in the operands each product's matrices start.</summary>
internal struct MatMulShape
{
    public int M;
    public int K;
    public int N;
}
