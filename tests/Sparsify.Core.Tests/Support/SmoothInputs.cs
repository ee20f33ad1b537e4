namespace Sparsify.Core.Tests.Support;

/// <summary>Seeded inputs correlated like images: a smooth field per channel plus a little noise.</summary>
internal static class SmoothInputs
{
    /// <summary><paramref name="count"/> inputs of <paramref name="channels"/> × <paramref name="side"/> × <paramref name="side"/>.</summary>
    public static float[][] Create(int count, int seed, int channels, int side)
    {
        var random = new Random(seed);
        var plane = side * side;
        var inputs = new float[count][];
        for (var s = 0; s < count; s++)
        {
            var x = new float[channels * plane];
            double fx = random.NextDouble() * 2, fy = random.NextDouble() * 2, phase = random.NextDouble() * 6;
            for (var c = 0; c < channels; c++)
            {
                for (var i = 0; i < plane; i++)
                {
                    x[(c * plane) + i] = (float)(Math.Sin((fx * (i % side) / 3) + (fy * (i / side) / 3) + phase + c) + (0.3 * (random.NextDouble() - 0.5)));
                }
            }

            inputs[s] = x;
        }

        return inputs;
    }
}
