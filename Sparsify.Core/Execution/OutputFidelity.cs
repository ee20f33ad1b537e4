using Sparsify.Core.Ir;

namespace Sparsify.Core.Execution;

/// <summary>
/// How close a pruned model's outputs stay to the dense model's on the same inputs: the cosine of
/// each input's output vectors (mean and worst), the relative L2 error over all outputs, and
/// self-retrieval: the fraction of inputs whose pruned output is nearer (by cosine) to its own
/// dense output than to any other input's, the test a feature extractor must pass to be useful.
/// </summary>
/// <param name="Inputs">Inputs compared.</param>
/// <param name="MeanCosine">Mean over the inputs of cos(y, ŷ).</param>
/// <param name="MinCosine">The worst input's cosine.</param>
/// <param name="RelativeError">‖y − ŷ‖ / ‖ŷ‖ over all inputs' outputs.</param>
/// <param name="SelfRetrieval">Fraction of inputs retrieved as themselves (1 when there is one input).</param>
public sealed record OutputFidelity(int Inputs, double MeanCosine, double MinCosine, double RelativeError, double SelfRetrieval)
{
    /// <summary>Runs both models on every input (batch 1 each; single-input, single-output models) and compares.</summary>
    public static OutputFidelity Measure(ModelGraph dense, ModelGraph pruned, IReadOnlyList<float[]> inputs, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(dense);
        ArgumentNullException.ThrowIfNull(pruned);
        var options = new ExecutorOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount };
        var denseOutputs = Run(new ReferenceExecutor(dense, options), inputs);
        return Compare(denseOutputs, Run(new ReferenceExecutor(pruned, options), inputs));
    }

    /// <summary>Compares outputs already computed, one vector per input in the same order.</summary>
    public static OutputFidelity Compare(IReadOnlyList<float[]> dense, IReadOnlyList<float[]> pruned)
    {
        ArgumentNullException.ThrowIfNull(dense);
        ArgumentNullException.ThrowIfNull(pruned);
        if (dense.Count != pruned.Count || dense.Count == 0)
        {
            throw new ArgumentException($"need the same nonzero number of outputs, got {dense.Count} dense and {pruned.Count} pruned", nameof(pruned));
        }

        var count = dense.Count;
        var cosines = new double[count];
        double difference = 0, norm = 0;
        for (var i = 0; i < count; i++)
        {
            cosines[i] = Cosine(dense[i], pruned[i]);
            for (var j = 0; j < dense[i].Length; j++)
            {
                difference += Math.Pow((double)pruned[i][j] - dense[i][j], 2);
                norm += (double)dense[i][j] * dense[i][j];
            }
        }

        var retrieved = 0;
        for (var i = 0; i < count; i++)
        {
            var best = -1;
            var bestCosine = double.NegativeInfinity;
            for (var j = 0; j < count; j++)
            {
                var c = j == i ? cosines[i] : Cosine(dense[j], pruned[i]);
                if (c > bestCosine)
                {
                    (best, bestCosine) = (j, c);
                }
            }

            retrieved += best == i ? 1 : 0;
        }

        return new OutputFidelity(count, cosines.Average(), cosines.Min(), norm > 0 ? Math.Sqrt(difference / norm) : Math.Sqrt(difference), (double)retrieved / count);
    }

    /// <summary>cos(a, b); 0 when either is all zeros, NaN when either holds a NaN.</summary>
    public static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return na == 0 || nb == 0 ? 0 : dot / Math.Sqrt(na * nb);
    }

    private static float[][] Run(ReferenceExecutor executor, IReadOnlyList<float[]> inputs) => inputs.Select(executor.Run).ToArray();
}
