using System.Numerics.Tensors;
using Sparsify.Core.Sparsity;

namespace Sparsify.Training;

/// <summary>
/// Sums the shards' gradients and takes one SGD step: g ← Σ_shards g (in shard order), masked;
/// g += decay·w; v ← μ·v + g; w ← w − lr·v; then the group-lasso proximal step and the masks again.
/// Every element is computed the same way whatever thread handles it, so the step is reproducible.
/// </summary>
internal sealed class SgdOptimizer
{
    private const int ChunkLength = 16 * 1024;

    private readonly IReadOnlyList<TrainableParameter> _parameters;
    private readonly TrainingOptions _options;
    private readonly float[][] _velocity;
    private readonly float[]?[] _keep;
    private readonly (TrainableParameter Parameter, int Start, int Length)[] _chunks;
    private readonly (TrainableParameter Parameter, int Columns, ChannelGroup Group)[] _lassoGroups;

    public SgdOptimizer(IReadOnlyList<TrainableParameter> parameters, TrainingOptions options, IReadOnlyDictionary<string, SparsityMask>? masks)
    {
        _parameters = parameters;
        _options = options;
        _velocity = parameters.Select(p => new float[p.Length]).ToArray();
        _keep = new float[]?[parameters.Count];
        var weights = parameters.Where(p => p.IsWeight).ToDictionary(p => p.Layer.Name, StringComparer.Ordinal);
        foreach (var (layerName, mask) in masks ?? new Dictionary<string, SparsityMask>())
        {
            if (!weights.TryGetValue(layerName, out var weight))
            {
                throw new ArgumentException($"a mask names layer '{layerName}', which is not a Conv or Gemm layer of the graph; layers with weights: {string.Join(", ", weights.Keys)}", nameof(masks));
            }

            var matrix = WeightMatrix.Of(weight.Layer);
            if (mask.Rows != matrix.Rows || mask.Columns != matrix.Columns)
            {
                throw new ArgumentException($"the mask of layer '{layerName}' is {mask.Rows}x{mask.Columns}; the layer's weight matrix is {matrix.Rows}x{matrix.Columns}", nameof(masks));
            }

            var keep = new float[weight.Length];
            keep.AsSpan().Fill(1f);
            mask.Apply(keep);
            _keep[weight.Index] = keep;
        }

        _chunks = parameters
            .SelectMany(p => Enumerable.Range(0, (p.Length + ChunkLength - 1) / ChunkLength)
                .Select(c => (p, c * ChunkLength, Math.Min(ChunkLength, p.Length - (c * ChunkLength)))))
            .ToArray();
        _lassoGroups = options.GroupLassoLambda > 0 ? LassoGroups(parameters, options) : [];
    }

    /// <summary>Zeroes every masked weight (done once before training, and after every step).</summary>
    public void ApplyMasks()
    {
        foreach (var p in _parameters)
        {
            if (_keep[p.Index] is { } keep)
            {
                HoldAtZero(p.Values, keep);
            }
        }
    }

    /// <summary>One step from the gradients of shards [0, <paramref name="shardCount"/>).</summary>
    public void Step(IReadOnlyList<ShardState> shards, int shardCount, float learningRate, int threads)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads };
        Parallel.For(0, _chunks.Length, parallel, () => new float[ChunkLength], (c, _, gradient) =>
        {
            Update(_chunks[c], shards, shardCount, learningRate, gradient);
            return gradient;
        }, _ => { });

        if (_lassoGroups.Length > 0)
        {
            var threshold = learningRate * _options.GroupLassoLambda;
            Parallel.For(0, _lassoGroups.Length, parallel, () => new double[_lassoGroups.Max(g => g.Columns)], (i, _, norms) =>
            {
                var (parameter, columns, group) = _lassoGroups[i];
                GroupLasso.ShrinkGroup(parameter.Values, columns, group, threshold, norms);
                return norms;
            }, _ => { });
        }
    }

    /// <summary>λ·Σ‖w_g‖₂ over every lasso group now.</summary>
    public double LassoPenalty()
    {
        double total = 0;
        foreach (var (parameter, columns, group) in _lassoGroups)
        {
            var norms = new double[columns];
            GroupLasso.ColumnNorms(parameter.Values, columns, group, norms);
            total += norms.Sum();
        }

        return total * _options.GroupLassoLambda;
    }

    private void Update((TrainableParameter Parameter, int Start, int Length) chunk, IReadOnlyList<ShardState> shards, int shardCount, float learningRate, float[] buffer)
    {
        var (p, start, length) = chunk;
        var g = buffer.AsSpan(0, length);
        shards[0].ParameterGradients[p.Index].AsSpan(start, length).CopyTo(g);
        for (var s = 1; s < shardCount; s++)
        {
            TensorPrimitives.Add(g, shards[s].ParameterGradients[p.Index].AsSpan(start, length), g);
        }

        var w = p.Values.AsSpan(start, length);
        var v = _velocity[p.Index].AsSpan(start, length);
        var keep = _keep[p.Index] is { } mask ? mask.AsSpan(start, length) : Span<float>.Empty;
        if (!keep.IsEmpty)
        {
            TensorPrimitives.Multiply(g, keep, g);
        }

        if (p.IsWeight && _options.WeightDecay > 0)
        {
            TensorPrimitives.MultiplyAdd(w, (float)_options.WeightDecay, g, g);
        }

        TensorPrimitives.MultiplyAdd(v, (float)_options.Momentum, g, v);
        TensorPrimitives.MultiplyAdd(v, -learningRate, w, w);
        if (!keep.IsEmpty)
        {
            // Masked weights had zero gradient and zero velocity, so they are still +0; this holds them there regardless.
            HoldAtZero(w, keep);
        }
    }

    // w·keep + 0: masked weights become +0 (a negative weight times 0 is -0, and -0 + +0 is +0), kept ones are unchanged.
    private static void HoldAtZero(Span<float> w, ReadOnlySpan<float> keep) => TensorPrimitives.MultiplyAdd(w, keep, 0f, w);

    private static (TrainableParameter, int, ChannelGroup)[] LassoGroups(IReadOnlyList<TrainableParameter> parameters, TrainingOptions options)
    {
        var weights = parameters.Where(p => p.IsWeight).ToArray();
        var names = options.GroupLassoLayers;
        foreach (var name in names ?? [])
        {
            if (!weights.Any(p => p.Layer.Name == name))
            {
                throw new ArgumentException($"GroupLassoLayers names '{name}', which is not a Conv or Gemm layer of the graph; layers with weights: {string.Join(", ", weights.Select(p => p.Layer.Name))}", nameof(options));
            }
        }

        return weights
            .Where(p => names is null || names.Contains(p.Layer.Name))
            .SelectMany(p =>
            {
                var matrix = WeightMatrix.Of(p.Layer);
                return ChannelGroups.Of(matrix, options.GroupLassoGroupSize).Select(g => (p, matrix.Columns, g));
            })
            .ToArray();
    }
}
