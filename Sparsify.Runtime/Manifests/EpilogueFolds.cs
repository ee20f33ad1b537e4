using System.Collections.Generic;

namespace Sparsify.Runtime.Manifests;

/// <summary>
/// How the layers a step folds read back: where its activation starts, and the parts of a
/// squeeze-and-excitation block. One rule each for the checks that accept a plan and every back end that
/// follows it (linked into the generator).
/// </summary>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
static class EpilogueFolds
{
    /// <summary>
    /// The index in <paramref name="fused"/> where the folded activation starts: the gate of a trailing gate
    /// and its Mul (HardSwish, SiLU), else a trailing epilogue activation; <c>fused.Count</c> when there is none.
    /// </summary>
    /// <param name="fused">A step's folded layers, in order.</param>
    public static int ActivationStart(IReadOnlyList<ManifestLayer> fused)
    {
        var n = fused.Count;
        if (n >= 2 && fused[n - 1].Op == "Mul" && ManifestOps.IsEpilogueGate(fused[n - 2].Op))
        {
            return n - 2;
        }

        return n >= 1 && ManifestOps.IsEpilogueActivation(fused[n - 1].Op) ? n - 1 : n;
    }

    /// <summary>
    /// The block when <paramref name="pool"/> and <paramref name="fused"/> are a squeeze-and-excitation block
    /// run as one step: GlobalAveragePool of x → Conv → [activation, or gate and Mul] → Conv → activation →
    /// the Mul of x by it, one value per channel. Both convolutions are planned dense, 1×1 without groups on
    /// the pooled 1×1 plane. Null for any other layers.
    /// </summary>
    /// <param name="pool">The step's layer.</param>
    /// <param name="fused">The layers it folds, in order.</param>
    public static SqueezeExcitationBlock? SqueezeExcitationOf(ManifestLayer pool, IReadOnlyList<ManifestLayer> fused)
    {
        if (pool.Op != "GlobalAveragePool" || fused.Count < 4 || fused.Count > 6 || pool.InputShapes[0].Count != 4)
        {
            return null;
        }

        var x = pool.InputShapes[0];
        var squeeze = fused[0];
        var activation = new List<ManifestLayer>();
        for (var i = 1; i < fused.Count - 3; i++)
        {
            activation.Add(fused[i]);
        }

        var excite = fused[fused.Count - 3];
        var gate = fused[fused.Count - 2];
        var scale = fused[fused.Count - 1];
        if (!IsPointwiseOnPooled(squeeze, pool.Output, x[1]) || !IsActivationOf(activation, squeeze.Output)
            || !IsPointwiseOnPooled(excite, activation.Count == 0 ? squeeze.Output : activation[activation.Count - 1].Output, squeeze.OutputShape[1])
            || excite.OutputShape[1] != x[1] || !ManifestOps.IsEpilogueActivation(gate.Op) || gate.Inputs[0] != excite.Output
            || !IsProductOf(scale, pool.Inputs[0], gate.Output) || !scale.OutputShape.Equals(x))
        {
            return null;
        }

        return new SqueezeExcitationBlock(pool, squeeze, new EquatableList<ManifestLayer>(activation), excite, gate, scale);
    }

    /// <summary>Whether <paramref name="mul"/> is a Mul of the two different values <paramref name="a"/> and <paramref name="b"/>, in either order.</summary>
    public static bool IsProductOf(ManifestLayer mul, string a, string b)
        => mul.Op == "Mul" && mul.Inputs.Count == 2 && a != b
           && ((mul.Inputs[0] == a && mul.Inputs[1] == b) || (mul.Inputs[0] == b && mul.Inputs[1] == a));

    // A dense 1×1 convolution without groups of a C×1×1 value into another 1×1 plane: a matrix-vector product.
    private static bool IsPointwiseOnPooled(ManifestLayer conv, string input, int channels)
    {
        if (conv.Op != "Conv" || conv.Plan != LayerExecution.Dense || conv.Weights?.WeightsBlob is null || conv.Inputs.Count != 1
            || conv.Inputs[0] != input || conv.InputShapes[0].Count != 4 || conv.OutputShape.Count != 4)
        {
            return false;
        }

        var g = ConvParameters.GeometryOf(conv);
        return g.InChannels == channels && g.InHeight == 1 && g.InWidth == 1 && g.OutHeight == 1 && g.OutWidth == 1
               && g.KernelHeight == 1 && g.KernelWidth == 1 && g.PadTop == 0 && g.PadLeft == 0 && g.Group == 1;
    }

    // Nothing, an epilogue activation of the value, or a gate of it and the Mul of the value by the gate.
    private static bool IsActivationOf(List<ManifestLayer> activation, string value) => activation.Count switch
    {
        0 => true,
        1 => ManifestOps.IsEpilogueActivation(activation[0].Op) && activation[0].Inputs[0] == value,
        2 => ManifestOps.IsEpilogueGate(activation[0].Op) && activation[0].Inputs[0] == value && IsProductOf(activation[1], value, activation[0].Output),
        _ => false,
    };
}

/// <summary>
/// A squeeze-and-excitation block run as one step: y = x · Gate(Excite(SqueezeActivation(Squeeze(mean of
/// each channel of x)))), one factor per channel.
/// </summary>
/// <param name="Pool">The GlobalAveragePool of x: the step's layer.</param>
/// <param name="Squeeze">The 1×1 convolution from C channels down to the squeezed ones.</param>
/// <param name="SqueezeActivation">Its activation: none, one epilogue activation, or a gate and the Mul by it.</param>
/// <param name="Excite">The 1×1 convolution back up to C channels.</param>
/// <param name="Gate">The activation of its output, the factors.</param>
/// <param name="Scale">The Mul of x by the factors.</param>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
sealed record SqueezeExcitationBlock(
    ManifestLayer Pool, ManifestLayer Squeeze, EquatableList<ManifestLayer> SqueezeActivation, ManifestLayer Excite, ManifestLayer Gate, ManifestLayer Scale)
{
    /// <summary>The channels of x.</summary>
    public int Channels => Pool.InputShapes[0][1];

    /// <summary>The values of one channel of x.</summary>
    public int Pixels => Pool.InputShapes[0][2] * Pool.InputShapes[0][3];

    /// <summary>The squeezed channels.</summary>
    public int Squeezed => Squeeze.OutputShape[1];
}
