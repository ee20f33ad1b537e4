using Sparsify.Core.Ir;
using Sparsify.Training;

namespace Sparsify.Training.Tests;

/// <summary>
/// Checks a graph's backward pass against central finite differences of the objective
/// Σ r·output (r random, summed in double), for the input and every parameter. Forward passes are
/// deterministic, so outputs a perturbation does not reach cancel exactly and the float32 noise
/// stays small; the comparison is ‖numeric − analytic‖ / max(‖numeric‖, ‖analytic‖) over sampled entries.
/// </summary>
internal static class GradientCheck
{
    public static void Run(ModelGraph graph, int batch, double epsilon = 1e-2, double tolerance = 1e-3, float[]? input = null, int samplesPerTensor = 40, int seed = 7)
    {
        var network = new TrainingNetwork(graph);
        var random = new Random(seed);
        var inputLength = batch * network.SlotLengths[TrainingNetwork.InputSlot];
        input ??= Enumerable.Range(0, inputLength).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        Assert.HasCount(inputLength, input);
        var outputLength = batch * network.SlotLengths[network.LogitsSlot];
        var r = Enumerable.Range(0, outputLength).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();

        var shard = new ShardState(network, batch, withGradients: true, inputGradient: true);
        input.CopyTo(shard.Values[TrainingNetwork.InputSlot], 0);
        network.Forward(shard, batch);
        r.CopyTo(shard.Gradients[network.LogitsSlot]!, 0);
        network.Backward(shard, batch);

        double Objective()
        {
            network.Forward(shard, batch);
            var y = shard.Values[network.LogitsSlot];
            double sum = 0;
            for (var i = 0; i < outputLength; i++)
            {
                sum += (double)r[i] * y[i];
            }

            return sum;
        }

        Compare("input", shard.Values[TrainingNetwork.InputSlot], inputLength, shard.Gradients[TrainingNetwork.InputSlot]!.ToArray(), Objective, epsilon, tolerance, samplesPerTensor, random);
        foreach (var parameter in network.Parameters)
        {
            Compare(parameter.ToString(), parameter.Values, parameter.Length, shard.ParameterGradients[parameter.Index].ToArray(), Objective, epsilon, tolerance, samplesPerTensor, random);
        }
    }

    private static void Compare(string what, float[] values, int length, float[] analytic, Func<double> objective, double epsilon, double tolerance, int samples, Random random)
    {
        var indices = length <= samples ? Enumerable.Range(0, length).ToArray() : Enumerable.Range(0, samples).Select(_ => random.Next(length)).Distinct().ToArray();
        double diff = 0, numericNorm = 0, analyticNorm = 0;
        var worst = (Index: -1, Numeric: 0.0, Analytic: 0.0);
        foreach (var i in indices)
        {
            var saved = values[i];
            values[i] = (float)(saved + epsilon);
            var plus = objective();
            values[i] = (float)(saved - epsilon);
            var minus = objective();
            values[i] = saved;
            var numeric = (plus - minus) / (2 * epsilon);
            var d = numeric - analytic[i];
            if (worst.Index < 0 || Math.Abs(d) > Math.Abs(worst.Numeric - worst.Analytic))
            {
                worst = (i, numeric, analytic[i]);
            }

            diff += d * d;
            numericNorm += numeric * numeric;
            analyticNorm += (double)analytic[i] * analytic[i];
        }

        var scale = Math.Sqrt(Math.Max(numericNorm, analyticNorm));
        Assert.IsGreaterThan(0, scale, $"{what}: every sampled gradient is zero, which checks nothing");
        var error = Math.Sqrt(diff) / scale;
        Assert.IsLessThan(tolerance, error, $"{what}: relative error {error:G3} (worst at {worst.Index}: numeric {worst.Numeric:G6}, analytic {worst.Analytic:G6})");
    }
}
