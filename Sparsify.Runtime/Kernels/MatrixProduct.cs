using Sparsify.Runtime.Manifests;

namespace Sparsify.Runtime.Kernels;

/// <summary>The product of two computed values as ONNX MatMul (numpy's matmul) defines it, for attention-style layers.</summary>
public static unsafe class MatrixProduct
{
    /// <summary>
    /// output[..., M, N] = a[..., M, K] · b[..., K, N] for every index of the leading axes, which broadcast
    /// (<see cref="ManifestOps.MatMulShape"/>); row-major throughout. Each product runs on <see cref="Sgemm"/>,
    /// so results are bitwise the same for any <paramref name="threads"/> (0 or less: every processor).
    /// </summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<int> aShape, ReadOnlySpan<float> b, ReadOnlySpan<int> bShape, Span<float> output, int threads)
    {
        Span<int> shape = stackalloc int[Math.Max(Math.Max(aShape.Length, bShape.Length), 2)];
        if (!ManifestOps.TryMatMul(aShape, bShape, shape))
        {
            throw new ArgumentException($"[{string.Join(", ", aShape.ToArray())}] and [{string.Join(", ", bShape.ToArray())}] cannot be multiplied as matrices", nameof(bShape));
        }

        var (m, k, n) = (aShape[^2], aShape[^1], bShape[^1]);
        var batch = shape[..^2];
        if (a.Length != BroadcastWalk.Elements(aShape) || b.Length != BroadcastWalk.Elements(bShape) || output.Length < BroadcastWalk.Elements(batch) * m * n)
        {
            throw new ArgumentException($"the operands hold {a.Length} and {b.Length} values and the output {output.Length}, not what the shapes say", nameof(output));
        }

        // Each operand's step, in whole matrices, along each leading output axis (0 where it broadcasts).
        Span<long> aStep = stackalloc long[batch.Length];
        Span<long> bStep = stackalloc long[batch.Length];
        BroadcastWalk.Steps(aShape[..^2], batch, aStep);
        BroadcastWalk.Steps(bShape[..^2], batch, bStep);
        Span<int> index = stackalloc int[batch.Length];
        long aAt = 0, bAt = 0, products = BroadcastWalk.Elements(batch);
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = output)
        {
            for (long p = 0; p < products; p++)
            {
                Sgemm.Multiply(m, n, k, pa + (aAt * m * k), k, pb + (bAt * k * n), n, pc + (p * m * n), n, accumulate: false, threads);
                BroadcastWalk.Next(batch, batch.Length, index, aStep, bStep, ref aAt, ref bAt);
            }
        }
    }
}
