using Sparsify.Training.Data;
using Sparsify.Core.Ir;
using Sparsify.Core.Sparsity;

namespace Sparsify.Training;

/// <summary>
/// Trains a <see cref="ModelGraph"/> on the CPU, in place: mini-batch SGD with momentum, weight
/// decay, optional group lasso on the locality groups and optional masks that hold pruned weights at
/// exactly zero (masked fine-tuning). The trained graph is an ordinary graph: save it with
/// <c>OnnxModel.Save</c>, run it with the <c>ReferenceExecutor</c> or ONNX Runtime.
/// </summary>
/// <example>
/// <code>
/// var mnist = MnistDataset.Load();
/// var lenet = ModelBuilders.LeNet5(seed: 1);
/// Trainer.Train(lenet, mnist.Train, new TrainingOptions { Progress = Console.WriteLine });
/// Console.WriteLine(Trainer.Evaluate(lenet, mnist.Test));            // e.g. 1968/2000 = 98.40%
/// // prune with a scheme, then fine-tune with the masks held:
/// Trainer.Train(lenet, mnist.Train, TrainingOptions.FineTune, masks);  // masks: layer name → SparsityMask
/// OnnxModel.Save(lenet, "lenet-pruned.onnx");
/// </code>
/// </example>
public static class Trainer
{
    /// <summary>Samples per forward pass in <see cref="Evaluate(ModelGraph, ImageDataset, int)"/> and <see cref="Predict(ModelGraph, ImageDataset, int)"/>.</summary>
    private const int EvaluationShard = 128;

    /// <summary>
    /// Trains <paramref name="graph"/>'s weights and biases in place on <paramref name="trainSet"/>.
    /// The loss is softmax cross-entropy on the graph's output (or, when the graph ends in a Softmax,
    /// on that Softmax's input). <paramref name="masks"/> (by layer name, over each layer's
    /// <see cref="WeightMatrix"/>) zero the removed weights first and keep them at exactly zero.
    /// <paramref name="validationSet"/>, when given, is evaluated after every epoch. Supported layers:
    /// Conv, Gemm, MaxPool, AveragePool, LRN, Relu, Flatten/Reshape, Add, GlobalAveragePool and a
    /// final Softmax; any other throws <see cref="NotSupportedException"/>.
    /// </summary>
    public static TrainingResult Train(ModelGraph graph, ImageDataset trainSet, TrainingOptions options, IReadOnlyDictionary<string, SparsityMask>? masks = null, ImageDataset? validationSet = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(trainSet);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var network = new TrainingNetwork(graph);
        CheckFits(network, graph, trainSet, nameof(trainSet));
        if (validationSet is not null)
        {
            CheckFits(network, graph, validationSet, nameof(validationSet));
        }

        return new TrainingRun(network, trainSet, options, masks).Run(validationSet);
    }

    /// <summary>Top-1 accuracy of <paramref name="graph"/> on <paramref name="dataset"/> (threads ≤ 0: every processor).</summary>
    public static EvaluationResult Evaluate(ModelGraph graph, ImageDataset dataset, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(dataset);
        var network = new TrainingNetwork(graph);
        CheckFits(network, graph, dataset, nameof(dataset));
        return Evaluate(network, dataset, threads);
    }

    /// <summary>The class with the highest output for every sample of <paramref name="dataset"/>, in order.</summary>
    public static int[] Predict(ModelGraph graph, ImageDataset dataset, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(dataset);
        var network = new TrainingNetwork(graph);
        CheckFits(network, graph, dataset, nameof(dataset));
        return Predict(network, dataset, threads);
    }

    internal static EvaluationResult Evaluate(TrainingNetwork network, ImageDataset dataset, int threads)
    {
        var predictions = Predict(network, dataset, threads);
        var correct = 0;
        for (var i = 0; i < predictions.Length; i++)
        {
            if (predictions[i] == dataset.Label(i))
            {
                correct++;
            }
        }

        return new EvaluationResult(correct, dataset.Count);
    }

    /// <summary>
    /// The training forward pass over shards of the dataset, in parallel; its logits agree with the
    /// ReferenceExecutor's to float rounding (tests hold them to it), and the argmax is unaffected by a final Softmax.
    /// </summary>
    internal static int[] Predict(TrainingNetwork network, ImageDataset dataset, int threads)
    {
        threads = threads <= 0 ? Environment.ProcessorCount : threads;
        var predictions = new int[dataset.Count];
        var shards = (dataset.Count + EvaluationShard - 1) / EvaluationShard;
        var classes = network.ClassCount;
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
        Parallel.For(0, shards, options, () => new ShardState(network, EvaluationShard, withGradients: false), (s, _, shard) =>
        {
            var first = s * EvaluationShard;
            var count = Math.Min(EvaluationShard, dataset.Count - first);
            dataset.Images.Slice(first * dataset.SampleLength, count * dataset.SampleLength).CopyTo(shard.Values[TrainingNetwork.InputSlot]);
            network.Forward(shard, count);
            var logits = shard.Values[network.LogitsSlot];
            for (var i = 0; i < count; i++)
            {
                var row = logits.AsSpan(i * classes, classes);
                var best = 0;
                for (var k = 1; k < classes; k++)
                {
                    if (row[k] > row[best])
                    {
                        best = k;
                    }
                }

                predictions[first + i] = best;
            }

            return shard;
        }, _ => { });
        return predictions;
    }

    private static void CheckFits(TrainingNetwork network, ModelGraph graph, ImageDataset dataset, string parameterName)
    {
        if (!network.InputShape.Equals(dataset.SampleShape))
        {
            throw new ArgumentException($"'{graph.Name}' takes samples of {network.InputShape}; {dataset.Name} has {dataset.SampleShape}", parameterName);
        }

        if (dataset.ClassCount > network.ClassCount)
        {
            throw new ArgumentException($"'{graph.Name}' has {network.ClassCount} outputs; {dataset.Name} has {dataset.ClassCount} classes", parameterName);
        }
    }
}
