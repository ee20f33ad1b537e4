using Sparsify.Runtime.Kernels;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Core.Compilation.Lowering;

/// <summary>
/// Lowering pass 2: two sparse convolutions of the same tensor where one's input layout holds every tap of
/// the other (a ResNet block's 3×3 stride-2 convolution and its 1×1 stride-2 projection shortcut) run in
/// one fork, so the layout is filled once (the runtime's <see cref="ConvInputLayout.CanHost"/> decides).
/// The pair runs where the host was; a companion listed before it moves down unless a step between reads
/// its output, one listed after moves up (its input exists already). The companion neither feeds, nor is
/// fed, nor adds a residual.
/// </summary>
internal static class PairCompanions
{
    public static List<StepDraft> Run(List<StepDraft> steps)
    {
        for (var h = 0; h < steps.Count; h++)
        {
            var host = steps[h];
            if (!host.IsSparseConv || host.InputFed || host.Companion is not null || host.RunsWith is not null)
            {
                continue;
            }

            var layout = ConvInputLayout.For(ConvParameters.GeometryOf(host.Layer));
            var c = steps.FindIndex(s => !ReferenceEquals(s, host) && s.IsSparseConv && !s.InputFed && s.Feeds is null && s.Residual is null
                && s.Companion is null && s.RunsWith is null && s.Layer.Inputs[0] == host.Layer.Inputs[0] && layout.CanHost(ConvParameters.GeometryOf(s.Layer)));
            if (c < 0 || (c < h && steps.Skip(c + 1).Take(h - c - 1).Any(s => s.Reads().Contains(steps[c].Output))))
            {
                continue;
            }

            var companion = steps[c];
            companion.RunsWith = host;
            host.Companion = companion;
            steps.RemoveAt(c);
            h = c < h ? h - 1 : h;
            steps.Insert(h, companion);
            h++;
        }

        return steps;
    }
}
