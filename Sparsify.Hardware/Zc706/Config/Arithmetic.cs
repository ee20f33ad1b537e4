namespace Sparsify.Hardware.Zc706.Config;

/// <summary>The number format the PE array computes in.</summary>
public enum Arithmetic
{
    /// <summary>16-bit two's-complement fixed point (Q format), products accumulated exactly in a DSP48E1's 48-bit accumulator.</summary>
    Fixed16,

    /// <summary>IEEE fp32, for checking the mapping against the reference executor.</summary>
    Fp32,
}
