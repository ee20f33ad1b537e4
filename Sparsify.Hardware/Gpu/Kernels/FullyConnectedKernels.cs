using ILGPU;

namespace Sparsify.Hardware.Gpu.Kernels;

/// <summary>What a fully connected kernel needs: y[n, o] = Σ_k W[o, k]·x[n, k] (+ epilogue).</summary>
internal struct GemmShape
{
    public int Batch;
    public int InFeatures;
    public int OutFeatures;
}

/// <summary>Fully connected kernels: dense rows, CSR rows, and group-format row blocks sharing one column list.</summary>
internal static class FullyConnectedKernels
{
    /// <summary>Thread per (image, output feature).</summary>
    public static void Dense(
        Index1D index, ArrayView<float> input, ArrayView<float> weights, ArrayView<float> bias, ArrayView<float> residual,
        ArrayView<float> output, GemmShape s, Epilogue epilogue)
    {
        var o = index.X % s.OutFeatures;
        var n = index.X / s.OutFeatures;
        long x = (long)n * s.InFeatures;
        long w = (long)o * s.InFeatures;
        var acc = 0f;
        for (var k = 0; k < s.InFeatures; k++)
        {
            acc += weights[w + k] * input[x + k];
        }

        long at = index.X;
        output[at] = epilogue.Apply(acc, bias, residual, o, at);
    }

    /// <summary>Thread per (image, output feature), walking its CSR row.</summary>
    public static void Csr(
        Index1D index, ArrayView<float> input, ArrayView<int> rowPointers, ArrayView<int> columns, ArrayView<float> values,
        ArrayView<float> bias, ArrayView<float> residual, ArrayView<float> output, GemmShape s, Epilogue epilogue)
    {
        var o = index.X % s.OutFeatures;
        var n = index.X / s.OutFeatures;
        long x = (long)n * s.InFeatures;
        var acc = 0f;
        for (var e = rowPointers[o]; e < rowPointers[o + 1]; e++)
        {
            acc += values[e] * input[x + columns[e]];
        }

        long at = index.X;
        output[at] = epilogue.Apply(acc, bias, residual, o, at);
    }

    /// <summary>Thread per (image, group, block of <see cref="ConvKernels.Lanes"/> rows): one input load per shared column feeds every row of the block.</summary>
    public static void Group(
        Index1D index, ArrayView<float> input, ArrayView<int> groupPointers, ArrayView<int> valuePointers, ArrayView<int> columns, ArrayView<float> values,
        ArrayView<float> bias, ArrayView<float> residual, ArrayView<float> output, GemmShape s, SparseShape m, Epilogue epilogue)
    {
        var block = index.X % m.LaneBlocks;
        var rest = index.X / m.LaneBlocks;
        var groups = (m.Rows + m.GroupSize - 1) / m.GroupSize;
        var g = rest % groups;
        var n = rest / groups;
        var firstRow = g * m.GroupSize;
        var height = IntrinsicMath.Min(m.GroupSize, m.Rows - firstRow);
        var lane0 = block * ConvKernels.Lanes;
        var count = IntrinsicMath.Min(ConvKernels.Lanes, height - lane0);
        if (count <= 0)
        {
            return;
        }

        long x = (long)n * s.InFeatures;
        float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f, a4 = 0f, a5 = 0f, a6 = 0f, a7 = 0f;
        var first = groupPointers[g];
        for (var e = first; e < groupPointers[g + 1]; e++)
        {
            var value = input[x + columns[e]];
            long v = valuePointers[g] + ((long)(e - first) * height) + lane0;
            ConvKernels.Accumulate(values, v, value, count, ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7);
        }

        var row = firstRow + lane0;
        long at = ((long)n * s.OutFeatures) + row;
        ConvKernels.Store(output, bias, residual, epilogue, at, 1, row, count, a0, a1, a2, a3, a4, a5, a6, a7);
    }
}
