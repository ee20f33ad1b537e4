using Sparsify.Hardware.Zc706.Config;
using Sparsify.Hardware.Zc706.Network;

namespace Sparsify.Hardware.Zc706.Functional;

/// <summary>
/// Executes a network the way the array does: Conv and fully connected layers on the PEs through
/// their group mapping, with a folded residual and ReLU applied to the accumulator in the output path,
/// the rest in the post-processing unit. In <see cref="Arithmetic.Fixed16"/>
/// every activation is a 16-bit Q value (<see cref="Zc706Config.ActivationFractionBits"/>), weights
/// are 16-bit Q values (<see cref="Zc706Config.WeightFractionBits"/>), products accumulate exactly
/// (a DSP48E1 has a 48-bit accumulator) and each output is rounded and saturated back to 16 bits.
/// The Softmax at the end is computed in fp32 by the host, as it would be on the board.
/// </summary>
public static class FunctionalExecutor
{
    /// <summary>Runs the network on one input per graph input; returns the graph outputs in order.</summary>
    public static IReadOnlyList<float[]> Run(ArrayNetwork network, IReadOnlyDictionary<string, LayerMapping> mappings, Zc706Config config, params IReadOnlyList<float[]> inputs)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(mappings);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count != network.Inputs.Count)
        {
            throw new ArgumentException($"model '{network.Name}' takes {network.Inputs.Count} inputs, {inputs.Count} given", nameof(inputs));
        }

        var fixedPoint = config.Arithmetic == Arithmetic.Fixed16;
        var values = new Dictionary<string, float[]>(StringComparer.Ordinal);
        for (var i = 0; i < inputs.Count; i++)
        {
            var expected = network.Inputs[i].Shape.Aggregate(1L, (a, d) => a * d);
            if (inputs[i].Length != expected)
            {
                throw new ArgumentException($"input '{network.Inputs[i].Name}' needs {expected} values, {inputs[i].Length} given", nameof(inputs));
            }

            values[network.Inputs[i].Name] = fixedPoint ? Round(inputs[i], config) : inputs[i];
        }

        foreach (var layer in network.Layers)
        {
            float[] Read(string name) => values.TryGetValue(name, out var v) ? v : throw new InvalidOperationException($"layer '{layer.Name}' reads '{name}', which nothing computed");
            var x = layer.Inputs.Select(Read).ToArray();
            var residual = layer.Residual is { } r ? Read(r) : null;
            var y = layer.Op switch
            {
                ArrayOp.Conv or ArrayOp.FullyConnected => ArrayConvolution.Run(layer, mappings[layer.Name], x[0], residual, config),
                ArrayOp.Relu => PostProcessing.Relu(x[0]),
                ArrayOp.Clip => PostProcessing.Clip(layer, x[0]),
                ArrayOp.Sigmoid => PostProcessing.Sigmoid(layer, x[0]),
                ArrayOp.Mul => PostProcessing.Multiply(layer, x[0], x[1]),
                ArrayOp.Broadcast => PostProcessing.Broadcast(layer, x[0], x[1]),
                ArrayOp.MatMul => PostProcessing.MatMul(layer, x[0], x[1]),
                ArrayOp.ChannelAffine => PostProcessing.ChannelAffine(layer, x[0]),
                ArrayOp.ChannelLayerNorm => PostProcessing.ChannelLayerNorm(layer, x[0]),
                ArrayOp.Gelu => PostProcessing.Gelu(x[0]),
                ArrayOp.Function => PostProcessing.Function(layer, x[0]),
                ArrayOp.Slice => PostProcessing.Slice(layer, x[0]),
                ArrayOp.Pad => PostProcessing.Pad(layer, x[0]),
                ArrayOp.Reduce => PostProcessing.Reduce(layer, x[0]),
                ArrayOp.ChannelShuffle => PostProcessing.ChannelShuffle(layer, x[0]),
                ArrayOp.Transpose => PostProcessing.Transpose(layer, x[0]),
                ArrayOp.MaxPool or ArrayOp.AveragePool => PostProcessing.Pool(layer, x[0]),
                ArrayOp.GlobalAveragePool => PostProcessing.GlobalAverage(layer, x[0]),
                ArrayOp.Lrn => PostProcessing.Lrn(layer, x[0]),
                ArrayOp.Softmax => PostProcessing.Softmax(layer, x[0]),
                ArrayOp.Add => PostProcessing.Add(x[0], x[1]),
                ArrayOp.Concat => PostProcessing.Concat(layer, x),
                ArrayOp.Reshape => x[0],
                _ => throw new NotSupportedException($"layer '{layer.Name}': {layer.Op} is not modelled"),
            };
            if (layer.Relu && !layer.OnArray)
            {
                y = PostProcessing.Relu(y);
            }

            values[layer.Output] = fixedPoint && layer.Op is not (ArrayOp.Softmax or ArrayOp.Reshape or ArrayOp.Concat or ArrayOp.Slice or ArrayOp.ChannelShuffle or ArrayOp.Transpose or ArrayOp.Conv or ArrayOp.FullyConnected or ArrayOp.Relu or ArrayOp.MaxPool)
                ? Round(y, config)
                : y;
        }

        return network.Outputs.Select(o => values[o.Name]).ToArray();
    }

    private static float[] Round(float[] x, Zc706Config config) => x.Select(v => FixedPoint.Round(v, config.ActivationFractionBits)).ToArray();
}
