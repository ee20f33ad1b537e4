namespace Sparsify.Runtime.Kernels;

/// <summary>The arithmetic operators of two values whose shapes broadcast.</summary>
public static partial class Elementwise
{
    /// <summary>
    /// output = a ∘ b for ∘ one of <see cref="Manifests.ManifestOps.BroadcastFunctions"/> (Add, Sub, Mul, Div,
    /// Pow), the operands of shapes <paramref name="aShape"/> and <paramref name="bShape"/> broadcast as numpy
    /// broadcasts them (<see cref="Manifests.ManifestOps.BroadcastShape"/>); the output is that shape, row-major.
    /// </summary>
    public static void Broadcast(string function, ReadOnlySpan<float> a, ReadOnlySpan<int> aShape, ReadOnlySpan<float> b, ReadOnlySpan<int> bShape, Span<float> output)
    {
        Span<int> shape = stackalloc int[Math.Max(aShape.Length, bShape.Length)];
        if (!Manifests.ManifestOps.TryBroadcast(aShape, bShape, shape))
        {
            throw new ArgumentException($"shapes [{string.Join(", ", aShape.ToArray())}] and [{string.Join(", ", bShape.ToArray())}] do not broadcast", nameof(bShape));
        }

        long count = 1;
        foreach (var d in shape)
        {
            count *= d;
        }

        if (a.Length != BroadcastWalk.Elements(aShape) || b.Length != BroadcastWalk.Elements(bShape))
        {
            throw new ArgumentException($"the operands hold {a.Length} and {b.Length} values, not what their shapes say", nameof(a));
        }

        CheckOutput((int)count, output);
        switch (function)
        {
            case "Add": Broadcast<AddOp>(a, aShape, b, bShape, shape, output); break;
            case "Sub": Broadcast<SubOp>(a, aShape, b, bShape, shape, output); break;
            case "Mul": Broadcast<MulOp>(a, aShape, b, bShape, shape, output); break;
            case "Div": Broadcast<DivOp>(a, aShape, b, bShape, shape, output); break;
            case "Pow": Broadcast<PowOp>(a, aShape, b, bShape, shape, output); break;
            default: throw new ArgumentException($"'{function}' is not a broadcasting function the runtime has.", nameof(function));
        }
    }

    // The last axis is the inner loop, each operand's step along it 0 or 1; the others step by an odometer.
    private static void Broadcast<TOp>(ReadOnlySpan<float> a, ReadOnlySpan<int> aShape, ReadOnlySpan<float> b, ReadOnlySpan<int> bShape, ReadOnlySpan<int> shape, Span<float> output)
        where TOp : struct, IBinaryOp
    {
        var rank = shape.Length;
        if (rank == 0)
        {
            output[0] = TOp.Apply(a[0], b[0]);
            return;
        }

        Span<long> aStride = stackalloc long[rank];
        Span<long> bStride = stackalloc long[rank];
        BroadcastWalk.Steps(aShape, shape, aStride);
        BroadcastWalk.Steps(bShape, shape, bStride);
        Span<int> index = stackalloc int[rank];
        var inner = shape[rank - 1];
        var (aStep, bStep) = ((int)aStride[rank - 1], (int)bStride[rank - 1]);
        long aAt = 0, bAt = 0;
        for (var at = 0; at < output.Length && inner > 0; at += inner)
        {
            var y = output.Slice(at, inner);
            if (aStep == 1 && bStep == 1)
            {
                var x = a.Slice((int)aAt, inner);
                var z = b.Slice((int)bAt, inner);
                for (var i = 0; i < y.Length; i++)
                {
                    y[i] = TOp.Apply(x[i], z[i]);
                }
            }
            else
            {
                for (var i = 0; i < y.Length; i++)
                {
                    y[i] = TOp.Apply(a[(int)aAt + (i * aStep)], b[(int)bAt + (i * bStep)]);
                }
            }

            // Next row of the output: carry through the axes before the last.
            BroadcastWalk.Next(shape, rank - 1, index, aStride, bStride, ref aAt, ref bAt);
        }
    }

    private interface IBinaryOp
    {
        static abstract float Apply(float x, float y);
    }

    private readonly struct AddOp : IBinaryOp
    {
        public static float Apply(float x, float y) => x + y;
    }

    private readonly struct SubOp : IBinaryOp
    {
        public static float Apply(float x, float y) => x - y;
    }

    private readonly struct MulOp : IBinaryOp
    {
        public static float Apply(float x, float y) => x * y;
    }

    private readonly struct DivOp : IBinaryOp
    {
        public static float Apply(float x, float y) => x / y;
    }

    private readonly struct PowOp : IBinaryOp
    {
        public static float Apply(float x, float y) => MathF.Pow(x, y);
    }
}
