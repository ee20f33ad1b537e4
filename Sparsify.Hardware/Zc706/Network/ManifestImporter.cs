using Sparsify.Runtime.Kernels;
using System.Globalization;
using Sparsify.Runtime.Blob;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Hardware.Zc706.Network;

/// <summary>
/// Turns a compiled model (its manifest and weight blob) into the <see cref="ArrayNetwork"/> the
/// array model executes, one array layer per step of the manifest's execution plan: the Add and ReLU the
/// plan folded into a step run in that step's output path, as on the CPU and the GPU. The plan's input-layout
/// feeds and companions are decisions about the CPU's memory layout and have no counterpart here (the array
/// reads every input tile from DDR in its own band-major layout). Every layer's weights are decoded from whatever format the build chose
/// (raw fp32, CSR, group, PE, or unrolled into the manifest) into one matrix; the array then stores
/// them in its own group format.
/// </summary>
public static class ManifestImporter
{
    /// <summary>Imports a compiled model.</summary>
    /// <param name="manifest">The manifest.</param>
    /// <param name="blob">The weight blob it names.</param>
    /// <param name="withValues">
    /// True (default) decodes every weight, as functional runs need; false keeps only each row's
    /// nonzero columns of compressed layers, read straight from their format, which is all the cycle
    /// model needs and skips building dense matrices (AlexNet's fc6 alone is 37.7 M weights).
    /// </param>
    /// <exception cref="NotSupportedException">An op the array model does not execute.</exception>
    /// <exception cref="FormatException">A malformed attribute.</exception>
    public static ArrayNetwork Import(Manifest manifest, WeightBlobReader blob, bool withValues = true)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(blob);
        var byName = manifest.Layers.ToDictionary(l => l.Name, StringComparer.Ordinal);
        // The PE array's epilogue applies ReLU; any other folded activation is host-side post-processing of its own.
        var steps = manifest.Execution.Steps.SelectMany(planned =>
        {
            var (step, after) = planned.WithReluEpilogueOnly(byName);
            return after.Prepend(step);
        }).ToList();
        var layers = new ArrayLayer[steps.Count];
        Parallel.For(0, layers.Length, i => layers[i] = Step(steps[i], byName, blob, withValues));
        return new ArrayNetwork(
            manifest.Model,
            manifest.Inputs.Select(v => new ArrayValue(v.Name, [.. v.Shape])).ToArray(),
            manifest.Outputs.Select(v => new ArrayValue(v.Name, [.. v.Shape])).ToArray(),
            layers);
    }

    private static ArrayLayer Step(ExecutionStep step, Dictionary<string, ManifestLayer> layers, WeightBlobReader blob, bool withValues)
    {
        var m = layers.TryGetValue(step.Layer, out var found)
            ? found
            : throw new FormatException($"the execution plan runs layer '{step.Layer}', which the manifest does not have");
        var layer = new ArrayLayer(m.Name, OpOf(m), [.. m.Inputs], step.Output, m.InputShapes.Select(s => s.ToArray()).ToArray(), [.. m.OutputShape])
        {
            Residual = step.Residual,
            Relu = step.Relu,
        };
        return m.Parameters switch
        {
            ConvParameters conv => layer with { Window = conv.Window, Group = conv.Group, Weights = Weights(m, blob, withValues) },
            PoolParameters pool => layer with { Window = pool.Window, CountIncludePad = pool.CountIncludePad },
            ClipParameters clip => layer with { ClipMin = clip.Min, ClipMax = clip.Max },
            LeakyReluParameters leaky => layer with { Function = m.Op, LeakyAlpha = leaky.Alpha },
            _ when layer.Op == ArrayOp.Function => layer with { Function = m.Op },
            HardSigmoidParameters hard => layer with { HardSigmoid = (hard.Alpha, hard.Beta) },
            ChannelAffineParameters affine => layer with { ChannelAffine = (blob.ReadFloats(affine.Scale), blob.ReadFloats(affine.Shift)) },
            ChannelLayerNormParameters norm => layer with { Epsilon = norm.Epsilon, ChannelAffine = (blob.ReadFloats(norm.Scale), blob.ReadFloats(norm.Shift)) },
            PadParameters pad => layer with { Pad = pad },
            BroadcastParameters broadcast => layer with { Function = broadcast.Function },
            ReduceParameters reduce => layer with { Reduce = (reduce, m.Op == "ReduceMean") },
            SliceParameters slice => layer with { Slice = (slice.Axis, slice.Start, slice.End) },
            ChannelShuffleParameters shuffle => layer with { ShuffleGroups = shuffle.Groups },
            TransposeParameters transpose => layer with { Perm = transpose.Perm },
            LrnParameters lrn => layer with { LrnSize = lrn.Size, LrnAlpha = lrn.Alpha, LrnBeta = lrn.Beta, LrnBias = lrn.Bias },
            SoftmaxParameters softmax => layer with { Axis = softmax.Axis, CoerceTo2D = softmax.CoerceTo2D },
            AxisParameters axis when layer.Op == ArrayOp.Concat => layer with { Axis = axis.Axis },
            _ when layer.Op == ArrayOp.FullyConnected => layer with { Weights = Weights(m, blob, withValues) },
            _ => layer,
        };
    }

    private static ArrayOp OpOf(ManifestLayer m) => m.Op switch
    {
        "Conv" => ArrayOp.Conv,
        "Gemm" => ArrayOp.FullyConnected,
        "MaxPool" => ArrayOp.MaxPool,
        "AveragePool" => ArrayOp.AveragePool,
        "GlobalAveragePool" => ArrayOp.GlobalAveragePool,
        "Relu" => ArrayOp.Relu,
        "Clip" => ArrayOp.Clip,
        "Sigmoid" or "HardSigmoid" => ArrayOp.Sigmoid,
        "Mul" => ArrayOp.Mul,
        "Broadcast" => ArrayOp.Broadcast,
        "MatMul" => ArrayOp.MatMul,
        "BatchNormalization" => ArrayOp.ChannelAffine,
        "ChannelLayerNorm" => ArrayOp.ChannelLayerNorm,
        "Gelu" => ArrayOp.Gelu,
        "LeakyRelu" => ArrayOp.Function,
        var function when ManifestOps.IsUnaryFunction(function) => ArrayOp.Function,
        "Slice" => ArrayOp.Slice,
        "Pad" => ArrayOp.Pad,
        "ReduceMean" or "ReduceSum" => ArrayOp.Reduce,
        "ChannelShuffle" => ArrayOp.ChannelShuffle,
        "Transpose" => ArrayOp.Transpose,
        "LRN" => ArrayOp.Lrn,
        "Softmax" => ArrayOp.Softmax,
        "Flatten" or "Reshape" => ArrayOp.Reshape,
        "Add" => ArrayOp.Add,
        "Concat" => ArrayOp.Concat,
        _ => throw new NotSupportedException($"layer '{m.Name}': the ZC706 model does not execute {m.Op}"),
    };

    private static LayerWeights Weights(ManifestLayer m, WeightBlobReader blob, bool withValues)
    {
        var w = m.Weights ?? throw new FormatException($"layer '{m.Name}' ({m.Op}) has no weights in the manifest");
        var bias = w.BiasBlob is { } b ? blob.ReadFloats(b) : null;
        var storedDense = w.Format == "dense";
        if (!withValues && w.WeightsBlob is { Format: not BlobFormat.Fp32 } compressed)
        {
            var encoded = blob.ReadEncoded(compressed);
            Check(m, encoded.Rows, encoded.Columns);
            return new LayerWeights(w.Rows, w.Columns, w.Scheme, w.NonZeros, storedDense, null, bias) { RowColumns = WeightPatterns.RowColumns(encoded) };
        }

        float[] values;
        if (w.WeightsBlob is { } location)
        {
            values = blob.DecodeWeights(location);
        }
        else
        {
            values = new float[(long)w.Rows * w.Columns];
            foreach (var u in w.Unrolled)
            {
                values[((long)u.Row * w.Columns) + u.Column] = u.Value;
            }
        }

        if (values.Length != (long)w.Rows * w.Columns)
        {
            throw new FormatException($"layer '{m.Name}': {values.Length} weights decoded, the manifest says {w.Rows} × {w.Columns}");
        }

        return new LayerWeights(w.Rows, w.Columns, w.Scheme, w.NonZeros, storedDense, values, bias);
    }

    private static void Check(ManifestLayer m, int rows, int columns)
    {
        if (rows != m.Weights!.Rows || columns != m.Weights.Columns)
        {
            throw new FormatException($"layer '{m.Name}': the blob holds a {rows} × {columns} matrix, the manifest says {m.Weights.Rows} × {m.Weights.Columns}");
        }
    }
}
