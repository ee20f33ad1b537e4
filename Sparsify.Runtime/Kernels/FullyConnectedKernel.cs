
namespace Sparsify.Runtime.Kernels;

/// <summary>Fully connected layer (ONNX Gemm with transB = 1): output = input · weightsᵀ + bias; <see cref="FullyConnected"/> is its public face.</summary>
internal static unsafe class FullyConnectedKernel
{
    /// <summary>Batches up to this size run as dot products (GEMV): each weight row is read once and
    /// dotted with every input row while it is in cache. Larger batches use <see cref="Sgemm"/>.</summary>
    internal const int DotMaxBatch = 3;

    /// <summary>Output rows per parallel work item of the dot-product path.</summary>
    private const int RowsPerItem = 64;

    /// <summary>
    /// output[batch, outFeatures] = input[batch, inFeatures] · weights[outFeatures, inFeatures]ᵀ + bias
    /// (bias empty or outFeatures long). Results do not depend on <paramref name="maxDegreeOfParallelism"/>.
    /// </summary>
    public static void Run(int batch, int inFeatures, int outFeatures, ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> output, int maxDegreeOfParallelism)
        => Run(batch, inFeatures, outFeatures, input, weights, bias, output, maxDegreeOfParallelism, useGemm: batch > DotMaxBatch, Sgemm.BestLevel);

    /// <summary>As the public overload, then ReLU on the output when <paramref name="relu"/>.</summary>
    internal static void Run(int batch, int inFeatures, int outFeatures, ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, bool relu, Span<float> output, int maxDegreeOfParallelism)
    {
        Run(batch, inFeatures, outFeatures, input, weights, bias, output, maxDegreeOfParallelism, useGemm: batch > DotMaxBatch, Sgemm.BestLevel);
        if (relu)
        {
            Span<float> values = output[..(batch * outFeatures)];
            Activation.Relu.Apply(values, values);
        }
    }

    /// <summary>As the public overload, with the algorithm and instruction set chosen by the caller.</summary>
    internal static void Run(int batch, int inFeatures, int outFeatures, ReadOnlySpan<float> input, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> output, int maxDegreeOfParallelism, bool useGemm, SimdLevel level)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegative(outFeatures);
        if (input.Length < (long)batch * inFeatures)
        {
            throw new ArgumentException($"The input holds {input.Length} values; {batch}×{inFeatures} are needed.", nameof(input));
        }

        if (weights.Length < (long)outFeatures * inFeatures)
        {
            throw new ArgumentException($"The weights hold {weights.Length} values; {outFeatures}×{inFeatures} are needed.", nameof(weights));
        }

        if (bias.Length != 0 && bias.Length != outFeatures)
        {
            throw new ArgumentException($"The bias holds {bias.Length} values; it must be empty or hold {outFeatures}.", nameof(bias));
        }

        if (output.Length < (long)batch * outFeatures)
        {
            throw new ArgumentException($"The output holds {output.Length} values; {batch}×{outFeatures} are needed.", nameof(output));
        }

        if (batch == 0 || outFeatures == 0)
        {
            return;
        }

        int dop = Sgemm.EffectiveParallelism(maxDegreeOfParallelism, (long)batch * inFeatures * outFeatures);
        fixed (float* x = input)
        fixed (float* w = weights)
        fixed (float* b = bias)
        fixed (float* y = output)
        {
            float* biasOrNull = bias.IsEmpty ? null : b;
            if (useGemm && inFeatures > 0)
            {
                RunGemm(batch, inFeatures, outFeatures, x, w, biasOrNull, y, dop, level);
            }
            else
            {
                var job = new DotJob(batch, inFeatures, outFeatures, x, w, biasOrNull, y);
                Sgemm.RunParallel(Sgemm.CeilDiv(outFeatures, RowsPerItem), dop, job, static (in DotJob j, int item) => j.Run(item));
            }
        }
    }

    /// <summary>
    /// Yᵀ[out × batch] = W[out × in] · Xᵀ[in × batch] + bias: the weights are read in place (the large
    /// operand is never copied), the small input is packed transposed, then Yᵀ is transposed into place.
    /// </summary>
    private static void RunGemm(int batch, int inFeatures, int outFeatures, float* x, float* w, float* bias, float* y, int dop, SimdLevel level)
    {
        float* t = ThreadScratch.Transposed(checked(outFeatures * batch));
        Sgemm.Multiply(outFeatures, batch, inFeatures, w, inFeatures, new Sgemm.TransposedB(x, inFeatures, batch), t, batch, accumulate: false, bias, dop, level);
        for (int i = 0; i < batch; i++)
        {
            float* row = y + ((nint)i * outFeatures);
            for (int j = 0; j < outFeatures; j++)
            {
                row[j] = t[((nint)j * batch) + i];
            }
        }
    }

    private readonly struct DotJob(int batch, int inFeatures, int outFeatures, float* x, float* w, float* bias, float* y)
    {
        public void Run(int item)
        {
            int end = Math.Min(outFeatures, (item + 1) * RowsPerItem);
            for (int j = item * RowsPerItem; j < end; j++)
            {
                var weightRow = new ReadOnlySpan<float>(w + ((nint)j * inFeatures), inFeatures);
                float bj = bias == null ? 0f : bias[j];
                for (int i = 0; i < batch; i++)
                {
                    var inputRow = new ReadOnlySpan<float>(x + ((nint)i * inFeatures), inFeatures);
                    y[((nint)i * outFeatures) + j] = VectorMath.Dot(weightRow, inputRow) + bj;
                }
            }
        }
    }
}
