using System.Diagnostics;
using Sparsify.Training.Data;
using Sparsify.Core.Sparsity;

namespace Sparsify.Training;

/// <summary>
/// One call of <see cref="Trainer.Train"/>: shuffles with a seeded <see cref="Random"/>, cuts each
/// mini-batch into shards that run forward and backward in parallel, then lets the optimizer sum
/// their gradients in shard order. Everything random is drawn on the calling thread, in order.
/// </summary>
internal sealed class TrainingRun
{
    private readonly TrainingNetwork _network;
    private readonly ImageDataset _data;
    private readonly TrainingOptions _options;
    private readonly SgdOptimizer _optimizer;
    private readonly ShardState[] _shards;
    private readonly Random _random;
    private readonly int[] _order;
    private readonly int[] _labels;
    private readonly (int X, int Y)[] _shifts;

    public TrainingRun(TrainingNetwork network, ImageDataset data, TrainingOptions options, IReadOnlyDictionary<string, SparsityMask>? masks)
    {
        _network = network;
        _data = data;
        _options = options;
        _optimizer = new SgdOptimizer(network.Parameters, options, masks);
        var batch = Math.Min(options.BatchSize, data.Count);
        var shardCount = Math.Min(batch, ShardCount(options.Threads));
        var capacity = (batch + shardCount - 1) / shardCount;
        _shards = Enumerable.Range(0, shardCount).Select(_ => new ShardState(network, capacity, withGradients: true)).ToArray();
        _random = new Random(options.Seed);
        _order = Enumerable.Range(0, data.Count).ToArray();
        _labels = new int[batch];
        _shifts = new (int, int)[batch];
    }

    /// <summary>Shards per batch: a fixed count for small thread counts, so they all give the same bits.</summary>
    public static int ShardCount(int threads) => Math.Max(4, threads);

    public TrainingResult Run(ImageDataset? validation)
    {
        var clock = Stopwatch.StartNew();
        _optimizer.ApplyMasks();
        var batch = Math.Min(_options.BatchSize, _data.Count);
        var stepsPerEpoch = (_data.Count + batch - 1) / batch;
        var totalSteps = (long)stepsPerEpoch * _options.Epochs;
        var epochs = new List<EpochProgress>();
        long step = 0;
        for (var epoch = 0; epoch < _options.Epochs; epoch++)
        {
            Shuffle();
            double lossSum = 0;
            long correct = 0;
            var learningRate = 0.0;
            for (var start = 0; start < _data.Count; start += batch, step++)
            {
                learningRate = _options.LearningRateAt(epoch, step, totalSteps, stepsPerEpoch);
                var (loss, right) = Step(start, Math.Min(batch, _data.Count - start), (float)learningRate);
                lossSum += loss;
                correct += right;
            }

            double? validationAccuracy = validation is null ? null : Trainer.Evaluate(_network, validation, _options.Threads).Accuracy;
            var progress = new EpochProgress(epoch + 1, _options.Epochs, lossSum / _data.Count, (double)correct / _data.Count, learningRate, _optimizer.LassoPenalty(), validationAccuracy, clock.Elapsed);
            epochs.Add(progress);
            _options.Progress?.Invoke(progress);
        }

        return new TrainingResult(epochs, step, clock.Elapsed);
    }

    private void Shuffle()
    {
        for (var i = _order.Length - 1; i > 0; i--)
        {
            var j = _random.Next(i + 1);
            (_order[i], _order[j]) = (_order[j], _order[i]);
        }
    }

    private (double LossSum, int Correct) Step(int start, int count, float learningRate)
    {
        for (var i = 0; i < count; i++)
        {
            _labels[i] = _data.Label(_order[start + i]);
            var a = _options.AugmentShift;
            _shifts[i] = a > 0 ? (_random.Next(-a, a + 1), _random.Next(-a, a + 1)) : (0, 0);
        }

        var active = Math.Min(_shards.Length, count);
        Parallel.For(0, active, new ParallelOptions { MaxDegreeOfParallelism = _options.Threads }, s =>
        {
            var first = (int)((long)s * count / active);
            var end = (int)((long)(s + 1) * count / active);
            RunShard(_shards[s], start, first, end - first, 1f / count);
        });

        _optimizer.Step(_shards, active, learningRate, _options.Threads);
        double lossSum = 0;
        var correct = 0;
        for (var s = 0; s < active; s++)
        {
            lossSum += _shards[s].LossSum;
            correct += _shards[s].Correct;
        }

        return (lossSum, correct);
    }

    private void RunShard(ShardState shard, int batchStart, int first, int count, float gradientScale)
    {
        var input = shard.Values[TrainingNetwork.InputSlot];
        var length = _data.SampleLength;
        for (var i = 0; i < count; i++)
        {
            var image = _data.Image(_order[batchStart + first + i]);
            Shift(image, _shifts[first + i], input.AsSpan(i * length, length));
        }

        _network.Forward(shard, count);
        var classes = _network.ClassCount;
        var (loss, correct) = SoftmaxCrossEntropy.Compute(
            shard.Values[_network.LogitsSlot].AsSpan(0, count * classes),
            _labels.AsSpan(first, count),
            classes,
            gradientScale,
            shard.Gradients[_network.LogitsSlot].AsSpan(0, count * classes));
        shard.LossSum = loss;
        shard.Correct = correct;
        _network.Backward(shard, count);
    }

    // Translates every channel of the image by (dx, dy) pixels, filling with zero.
    private void Shift(ReadOnlySpan<float> image, (int X, int Y) shift, Span<float> target)
    {
        if (shift == (0, 0))
        {
            image.CopyTo(target);
            return;
        }

        target.Clear();
        int channels = _data.SampleShape[0], height = _data.SampleShape[1], width = _data.SampleShape[2];
        var (dx, dy) = shift;
        var columns = width - Math.Abs(dx);
        if (columns <= 0 || Math.Abs(dy) >= height)
        {
            return;
        }

        for (var c = 0; c < channels; c++)
        {
            for (var y = Math.Max(0, dy); y < Math.Min(height, height + dy); y++)
            {
                var src = image.Slice((((c * height) + y - dy) * width) + Math.Max(0, -dx), columns);
                src.CopyTo(target.Slice((((c * height) + y) * width) + Math.Max(0, dx), columns));
            }
        }
    }
}
