using Sparsify.Core.Ir;

namespace Sparsify.Training.Models;

/// <summary>Reproducible inputs for checks and benchmarks: the same seed always gives the same values.</summary>
public static class SeededTensors
{
    /// <summary>Values uniform in [-1, 1).</summary>
    public static float[] UniformValues(int count, int seed)
    {
        var random = new Random(seed);
        var data = new float[count];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (float)(random.NextDouble() * 2 - 1);
        }

        return data;
    }

    /// <summary>A tensor of <paramref name="shape"/> with values uniform in [-1, 1).</summary>
    public static Tensor Uniform(Shape shape, int seed)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return new Tensor(shape, UniformValues(shape.ElementCount, seed));
    }
}
