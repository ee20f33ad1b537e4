using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Sparsify.Runtime.Kernels;

/// <summary>The functions of one value a layer's epilogue can apply after its sums (and residual).</summary>
public enum ActivationKind
{
    /// <summary>The sums as they are.</summary>
    None,

    /// <summary>max(x, 0).</summary>
    Relu,

    /// <summary>min(max(x, Alpha), Beta): ONNX Clip, ReLU6 with 0 and 6.</summary>
    Clip,

    /// <summary>x for x ≥ 0, else Alpha · x.</summary>
    LeakyRelu,

    /// <summary>max(0, min(1, Alpha · x + Beta)).</summary>
    HardSigmoid,

    /// <summary>1 / (1 + e^−x).</summary>
    Sigmoid,

    /// <summary>tanh(x).</summary>
    Tanh,

    /// <summary>x · max(0, min(1, Alpha · x + Beta)): HardSwish with 1/6 and 1/2, x times its own HardSigmoid gate.</summary>
    HardSwish,

    /// <summary>x · 1 / (1 + e^−x): SiLU, x times its own Sigmoid gate.</summary>
    Swish,
}

/// <summary>
/// An activation with its constants: the one definition of each function that the elementwise layers and
/// every kernel epilogue (dense convolution, the sparse drivers, GEMM panels) apply, so that a function
/// fused into a convolution gives what it gives as a layer of its own. NaN stays NaN in each.
/// </summary>
/// <param name="Kind">The function.</param>
/// <param name="Alpha">Its first constant (Clip: the lower bound; LeakyRelu, HardSigmoid, HardSwish: the slope).</param>
/// <param name="Beta">Its second constant (Clip: the upper bound; HardSigmoid, HardSwish: the offset).</param>
public readonly record struct Activation(ActivationKind Kind, float Alpha = 0f, float Beta = 0f)
{
    /// <summary>No function: the epilogue stores the sums.</summary>
    public static Activation None => default;

    /// <summary>max(x, 0).</summary>
    public static Activation Relu => new(ActivationKind.Relu);

    /// <summary>1 / (1 + e^−x).</summary>
    public static Activation Sigmoid => new(ActivationKind.Sigmoid);

    /// <summary>tanh(x).</summary>
    public static Activation Tanh => new(ActivationKind.Tanh);

    /// <summary>x · 1 / (1 + e^−x) (SiLU).</summary>
    public static Activation Swish => new(ActivationKind.Swish);

    /// <summary>Whether the epilogue has nothing to apply.</summary>
    public bool IsNone => Kind == ActivationKind.None;

    /// <summary>ReLU for true, none for false: for callers whose epilogue is one or the other.</summary>
    public static implicit operator Activation(bool relu) => relu ? Relu : None;

    /// <summary>min(max(x, <paramref name="min"/>), <paramref name="max"/>).</summary>
    public static Activation Clip(float min, float max) => new(ActivationKind.Clip, min, max);

    /// <summary>x for x ≥ 0, else <paramref name="alpha"/> · x.</summary>
    public static Activation LeakyRelu(float alpha) => new(ActivationKind.LeakyRelu, alpha);

    /// <summary>max(0, min(1, <paramref name="alpha"/> · x + <paramref name="beta"/>)).</summary>
    public static Activation HardSigmoid(float alpha, float beta) => new(ActivationKind.HardSigmoid, alpha, beta);

    /// <summary>x · max(0, min(1, <paramref name="alpha"/> · x + <paramref name="beta"/>)).</summary>
    public static Activation HardSwish(float alpha, float beta) => new(ActivationKind.HardSwish, alpha, beta);

    /// <summary>The function at one value.</summary>
    public float Apply(float x) => Kind switch
    {
        ActivationKind.Relu => Math.Max(x, 0f),
        ActivationKind.Clip => x < Alpha ? Alpha : x > Beta ? Beta : x,
        ActivationKind.LeakyRelu => x < 0f ? Alpha * x : x,
        ActivationKind.HardSigmoid => Bound01((Alpha * x) + Beta),
        ActivationKind.Sigmoid => 1f / (1f + MathF.Exp(-x)),
        ActivationKind.Tanh => MathF.Tanh(x),
        ActivationKind.HardSwish => x * Bound01((Alpha * x) + Beta),
        ActivationKind.Swish => x * (1f / (1f + MathF.Exp(-x))),
        _ => x,
    };

    /// <summary>The function lane by lane; each lane as <see cref="Apply(float)"/> gives it, within the vector exponential's rounding.</summary>
    /// <remarks>
    /// Inlined into every kernel's store: none, ReLU and Clip (the epilogues of most layers) take a compare
    /// and a few instructions here, the others a call.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Apply(Vector256<float> x)
    {
        if (Kind == ActivationKind.None)
        {
            return x;
        }

        if (Kind == ActivationKind.Relu)
        {
            // MAXPS returns its second operand when either is NaN (or both are zero): the value second, so NaN stays NaN.
            return Avx.IsSupported
                ? Avx.Max(Vector256<float>.Zero, x)
                : Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero) | ~Vector256.Equals(x, x), x, Vector256<float>.Zero);
        }

        if (Kind == ActivationKind.Clip)
        {
            var low = Vector256.Create(Alpha);
            var high = Vector256.Create(Beta);
            return Vector256.ConditionalSelect(Vector256.LessThan(x, low), low, Vector256.ConditionalSelect(Vector256.GreaterThan(x, high), high, x));
        }

        return ApplyOther(x);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Vector256<float> ApplyOther(Vector256<float> x) => Kind switch
    {
        ActivationKind.LeakyRelu => Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), x * Vector256.Create(Alpha), x),
        ActivationKind.HardSigmoid => HardSigmoid(x),
        ActivationKind.Sigmoid => Logistic(x),
        ActivationKind.HardSwish => x * HardSigmoid(x),
        ActivationKind.Swish => x * Logistic(x),
        _ => Lanes(x),
    };

    /// <summary>The function lane by lane on four lanes, as <see cref="Apply(Vector256{float})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Apply(Vector128<float> x) => Kind switch
    {
        ActivationKind.None => x,
        ActivationKind.Relu when Sse.IsSupported => Sse.Max(Vector128<float>.Zero, x),
        _ => Apply(Vector256.Create(x, x)).GetLower(),
    };

    /// <summary>Runs <paramref name="kernel"/> with this activation as the type it compiles its loops for.</summary>
    internal void Specialize<TKernel>(ref TKernel kernel)
        where TKernel : struct, IActivationKernel
    {
        switch (Kind)
        {
            case ActivationKind.None: kernel.Run(default(IdentityFunction)); break;
            case ActivationKind.Relu: kernel.Run(default(ReluFunction)); break;
            case ActivationKind.Clip: kernel.Run(new ClipFunction(Alpha, Beta)); break;
            default: kernel.Run(new AnyFunction(this)); break;
        }
    }

    /// <summary>
    /// output = f(input), element by element; <paramref name="output"/> may be <paramref name="input"/> and
    /// must be at least as long.
    /// </summary>
    public void Apply(ReadOnlySpan<float> input, Span<float> output)
    {
        if (output.Length < input.Length)
        {
            throw new ArgumentException($"The output holds {output.Length} values; the input {input.Length}.", nameof(output));
        }

        var i = 0;
        if (Vector256.IsHardwareAccelerated && Kind != ActivationKind.Tanh)
        {
            for (; i <= input.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Apply(Vector256.Create(input[i..])).CopyTo(output[i..]);
            }
        }

        for (; i < input.Length; i++)
        {
            output[i] = Apply(input[i]);
        }
    }

    private static float Bound01(float v) => v < 0f ? 0f : v > 1f ? 1f : v;

    private static Vector256<float> Logistic(Vector256<float> x) => Vector256<float>.One / (Vector256<float>.One + Vector256.Exp(-x));

    private Vector256<float> HardSigmoid(Vector256<float> x)
    {
        var v = (x * Vector256.Create(Alpha)) + Vector256.Create(Beta);
        return Vector256.ConditionalSelect(Vector256.LessThan(v, Vector256<float>.Zero), Vector256<float>.Zero, Vector256.ConditionalSelect(Vector256.GreaterThan(v, Vector256<float>.One), Vector256<float>.One, v));
    }

    // Tanh has no vector form in .NET: lane by lane.
    private Vector256<float> Lanes(Vector256<float> x)
    {
        Span<float> lanes = stackalloc float[Vector256<float>.Count];
        x.CopyTo(lanes);
        for (var i = 0; i < lanes.Length; i++)
        {
            lanes[i] = Apply(lanes[i]);
        }

        return Vector256.Create<float>(lanes);
    }
}

/// <summary>
/// An activation as a type, so that the JIT compiles a kernel's store loop once per function with the
/// function inlined (no test of the kind per vector): the common ones (none, ReLU, Clip) as types of their
/// own, every other through <see cref="Activation"/>. <see cref="Activation.Specialize{TKernel}"/> picks one.
/// </summary>
internal interface IActivationFunction
{
    float Apply(float x);

    Vector128<float> Apply(Vector128<float> x);

    Vector256<float> Apply(Vector256<float> x);
}

/// <summary>A kernel that runs with the activation as a type parameter.</summary>
internal interface IActivationKernel
{
    void Run<TFunction>(TFunction function)
        where TFunction : struct, IActivationFunction;
}

internal readonly struct IdentityFunction : IActivationFunction
{
    public float Apply(float x) => x;

    public Vector128<float> Apply(Vector128<float> x) => x;

    public Vector256<float> Apply(Vector256<float> x) => x;
}

internal readonly struct ReluFunction : IActivationFunction
{
    public float Apply(float x) => Math.Max(x, 0f);

    // MAXPS returns its second operand when either is NaN: the value second, so NaN stays NaN.
    public Vector128<float> Apply(Vector128<float> x) => Sse.IsSupported ? Sse.Max(Vector128<float>.Zero, x) : Activation.Relu.Apply(x);

    public Vector256<float> Apply(Vector256<float> x) => Avx.IsSupported ? Avx.Max(Vector256<float>.Zero, x) : Activation.Relu.Apply(x);
}

internal readonly struct ClipFunction(float min, float max) : IActivationFunction
{
    public float Apply(float x) => x < min ? min : x > max ? max : x;

    public Vector128<float> Apply(Vector128<float> x)
    {
        var (low, high) = (Vector128.Create(min), Vector128.Create(max));
        return Vector128.ConditionalSelect(Vector128.LessThan(x, low), low, Vector128.ConditionalSelect(Vector128.GreaterThan(x, high), high, x));
    }

    public Vector256<float> Apply(Vector256<float> x)
    {
        var (low, high) = (Vector256.Create(min), Vector256.Create(max));
        return Vector256.ConditionalSelect(Vector256.LessThan(x, low), low, Vector256.ConditionalSelect(Vector256.GreaterThan(x, high), high, x));
    }
}

internal readonly struct AnyFunction(Activation activation) : IActivationFunction
{
    public float Apply(float x) => activation.Apply(x);

    public Vector128<float> Apply(Vector128<float> x) => activation.Apply(x);

    public Vector256<float> Apply(Vector256<float> x) => activation.Apply(x);
}
