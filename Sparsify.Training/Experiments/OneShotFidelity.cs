using Sparsify.Core.Execution;
using Sparsify.Core.Ir;
using Sparsify.Training.Models;
using Sparsify.Core.Sparsity;

namespace Sparsify.Training.Experiments;

/// <summary>One scheme at one target: how far the pruned model's outputs move from the dense ones.</summary>
/// <param name="Scheme">The scheme's name.</param>
/// <param name="TargetSparsity">The global target over the prunable weights.</param>
/// <param name="Sparsity">The sparsity reached over the prunable weights (the first conv stays dense).</param>
/// <param name="NonZeros">Weights kept.</param>
/// <param name="RelativeError">‖y − y_dense‖₂ / ‖y_dense‖₂ over all calibration inputs.</param>
/// <param name="Cosine">Mean cosine similarity of y and y_dense per input.</param>
/// <param name="Imbalance">Largest load imbalance (max / mean nonzeros per PE) over the pruned layers.</param>
public sealed record FidelityRow(string Scheme, double TargetSparsity, double Sparsity, long NonZeros, double RelativeError, double Cosine, double Imbalance);

/// <summary>
/// One-shot pruning fidelity where no labelled data exists (the real ResNet18): prune without
/// retraining and compare outputs with the dense model's on seeded inputs. Every prunable layer but
/// the first conv gets the same target, so the schemes are compared on equal terms.
/// </summary>
public static class OneShotFidelity
{
    /// <summary>The block length used for N:M rows, so that 50/70/90% are all N:M patterns (5:10, 3:10, 1:10).</summary>
    public const int NmBlock = 10;

    /// <summary>
    /// Measures every scheme at every target. <paramref name="loadModel"/> is called once per row,
    /// because pruning works in place on the weights.
    /// </summary>
    public static IReadOnlyList<FidelityRow> Measure(
        Func<ModelGraph> loadModel, IReadOnlyList<string> schemes, IReadOnlyList<double> sparsities,
        int inputCount = 4, int seed = 1, int threads = 2, Action<FidelityRow>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(loadModel);
        ArgumentNullException.ThrowIfNull(schemes);
        ArgumentNullException.ThrowIfNull(sparsities);
        var dense = loadModel();
        var inputs = SeededInputs(dense.Inputs[0].Shape, inputCount, seed);
        var reference = Outputs(dense, inputs, threads);
        var rows = new List<FidelityRow>();
        foreach (var scheme in schemes)
        {
            foreach (var target in sparsities)
            {
                var graph = loadModel();
                var options = new ModelPruningOptions
                {
                    Sparsity = target,
                    Allocation = SparsityAllocation.Uniform,
                    Settings = SchemeSettings.Default with { M = NmBlock },
                };
                var report = ModelPruner.Prune(graph, scheme, options).Report;
                var row = Compare(scheme, target, report, reference, Outputs(graph, inputs, threads));
                rows.Add(row);
                progress?.Invoke(row);
            }
        }

        return rows;
    }

    private static FidelityRow Compare(string scheme, double target, ModelSparsityReport report, float[][] dense, float[][] pruned)
    {
        double error = 0, norm = 0, cosine = 0;
        for (var i = 0; i < dense.Length; i++)
        {
            double dot = 0, a2 = 0, b2 = 0;
            for (var k = 0; k < dense[i].Length; k++)
            {
                double a = dense[i][k], b = pruned[i][k];
                error += (a - b) * (a - b);
                dot += a * b;
                a2 += a * a;
                b2 += b * b;
            }

            norm += a2;
            cosine += a2 == 0 || b2 == 0 ? 0 : dot / Math.Sqrt(a2 * b2);
        }

                return new FidelityRow(scheme, target, report.Sparsity, report.NonZeros, Math.Sqrt(error / norm), cosine / dense.Length, report.MaxPrunedImbalance);
    }

    private static float[][] Outputs(ModelGraph graph, IReadOnlyList<Tensor> inputs, int threads)
    {
        var executor = new ReferenceExecutor(graph, new ExecutorOptions { MaxDegreeOfParallelism = threads });
        return inputs.Select(x => executor.Run([x])[0].Data).ToArray();
    }

    // Image-like inputs: per channel a coarse 8x8 grid of random values, bilinearly upsampled, plus a
    // little pixel noise. White noise would excite the high-frequency filters that natural images
    // barely use, exaggerating every pruning error.
    private static Tensor[] SeededInputs(Shape shape, int count, int seed)
    {
        const int Grid = 8;
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            if (shape.Rank != 4)
            {
                return SeededTensors.Uniform(shape, random.Next());
            }

            var data = new float[shape.ElementCount];

            int channels = shape[1], height = shape[2], width = shape[3];
            var grid = new double[Grid, Grid];
            for (var c = 0; c < channels; c++)
            {
                for (var gy = 0; gy < Grid; gy++)
                {
                    for (var gx = 0; gx < Grid; gx++)
                    {
                        grid[gy, gx] = random.NextDouble() * 2 - 1;
                    }
                }

                for (var y = 0; y < height; y++)
                {
                    var fy = (double)y / Math.Max(1, height - 1) * (Grid - 1);
                    var y0 = Math.Min((int)fy, Grid - 2);
                    var ty = fy - y0;
                    for (var x = 0; x < width; x++)
                    {
                        var fx = (double)x / Math.Max(1, width - 1) * (Grid - 1);
                        var x0 = Math.Min((int)fx, Grid - 2);
                        var tx = fx - x0;
                        var value = (1 - ty) * ((1 - tx) * grid[y0, x0] + tx * grid[y0, x0 + 1]) + ty * ((1 - tx) * grid[y0 + 1, x0] + tx * grid[y0 + 1, x0 + 1]);
                        data[(c * height + y) * width + x] = (float)(value + 0.1 * (random.NextDouble() * 2 - 1));
                    }
                }
            }

            return new Tensor(shape, data);
        }).ToArray();
    }
}
