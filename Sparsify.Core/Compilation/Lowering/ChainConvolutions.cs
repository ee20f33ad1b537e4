using Sparsify.Runtime.Kernels;
using Sparsify.Runtime.Manifests;

namespace Sparsify.Core.Compilation.Lowering;

/// <summary>
/// Lowering pass 3: sparse convolution → sparse convolution with nothing else reading the tensor between
/// them (a ResNet block's first convolution into its second, its second into the next block's first): the
/// first writes the second's input layout and the tensor is never made, where the runtime's
/// <see cref="ConvInputLayout.CanBeFed"/> allows it. A companion reads its host's layout, so its read of the
/// tensor does not count; a companion neither feeds nor is fed (its call is its host's).
/// </summary>
internal static class ChainConvolutions
{
    public static List<StepDraft> Run(Manifest manifest, List<StepDraft> steps)
    {
        var outputs = manifest.Outputs.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var readers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var step in steps.Where(s => s.RunsWith is null))
        {
            foreach (var value in step.Layer.Inputs.Concat(step.Residual is null ? [] : [step.Residual]))
            {
                readers[value] = readers.GetValueOrDefault(value) + 1;
            }
        }

        for (var i = 0; i < steps.Count; i++)
        {
            var first = steps[i];
            if (!first.IsSparseConv || first.RunsWith is not null || outputs.Contains(first.Output) || readers.GetValueOrDefault(first.Output) != 1)
            {
                continue;
            }

            var j = steps.FindIndex(i + 1, s => s.RunsWith is null && s.Layer.Inputs.Count > 0 && s.Layer.Inputs[0] == first.Output && s.Residual != first.Output);
            if (j < 0 || !steps[j].IsSparseConv || !ConvInputLayout.For(ConvParameters.GeometryOf(steps[j].Layer)).CanBeFed)
            {
                continue;
            }

            steps[j].InputFed = true;
            first.Feeds = steps[j];
        }

        return steps;
    }
}
