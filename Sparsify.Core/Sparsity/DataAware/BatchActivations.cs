using Sparsify.Core.Execution;
using Sparsify.Core.Ir;
using Sparsify.Core.Ir.Layers;

namespace Sparsify.Core.Sparsity.DataAware;

/// <summary>
/// A network's values over a whole calibration batch while the graph is walked layer by layer: each
/// value is kept until its last reader has run, and layers run a few inputs at a time, so a kernel's
/// scratch (im2col of a 56×56 layer is 7 MB an input) stays small however many inputs there are.
/// </summary>
internal sealed class BatchActivations
{
    private const int ChunkInputs = 8;
    private readonly ReferenceExecutor _executor;
    private readonly Dictionary<string, Tensor> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _lastReader;
    private readonly HashSet<string> _outputs;

    /// <summary>Starts a walk of <paramref name="batched"/> (the graph at the batch's size) from <paramref name="input"/>.</summary>
    public BatchActivations(ModelGraph batched, Tensor input, ReferenceExecutor executor)
    {
        _executor = executor;
        _values[batched.Inputs[0].Name] = input;
        _outputs = batched.Outputs.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        _lastReader = ReferenceExecutor.LastReaders(batched);
    }

    /// <summary>One [N, ...] tensor of <paramref name="shape"/> from batch-1 samples, each checked against its size.</summary>
    public static Tensor Stack(Shape shape, IReadOnlyList<float[]> samples)
    {
        var per = shape.ElementCount / shape[0];
        var data = new float[shape.ElementCount];
        for (var i = 0; i < samples.Count; i++)
        {
            if (samples[i].Length != per)
            {
                throw new ArgumentException($"calibration sample {i} has {samples[i].Length} values; the model's input needs {per}", nameof(samples));
            }

            samples[i].CopyTo(data, i * per);
        }

        return new Tensor(shape, data);
    }

    /// <summary>The values <paramref name="layer"/> reads.</summary>
    public Tensor[] Operands(Layer layer) => layer.Inputs.Select(n => _values[n]).ToArray();

    /// <summary>Runs <paramref name="layer"/> on <paramref name="operands"/> over the batch.</summary>
    public Tensor Run(Layer layer, Tensor[] operands, Shape shape)
    {
        var batch = shape[0];
        if (batch <= ChunkInputs || layer is ReshapeLayer)
        {
            return _executor.RunLayer(layer, operands, shape);
        }

        var output = new Tensor(shape);
        var outputPer = shape.ElementCount / batch;
        for (var first = 0; first < batch; first += ChunkInputs)
        {
            var count = Math.Min(ChunkInputs, batch - first);
            var part = operands.Select(t => Slice(t, first, count)).ToArray();
            _executor.RunLayer(layer, part, shape.WithBatch(count)).Data.CopyTo(output.Data, (long)first * outputPer);
        }

        return output;
    }

    /// <summary>Keeps <paramref name="layer"/>'s output and drops the values no layer after <paramref name="index"/> reads.</summary>
    public void Advance(int index, Layer layer, Tensor output)
    {
        _values[layer.Output] = output;
        foreach (var name in layer.Inputs.Where(n => _lastReader[n] == index && !_outputs.Contains(n)))
        {
            _values.Remove(name);
        }
    }

    private static Tensor Slice(Tensor t, int first, int count)
    {
        var per = t.Length / t.Shape[0];
        return new Tensor(t.Shape.WithBatch(count), t.Data.AsSpan(first * per, count * per).ToArray());
    }
}
